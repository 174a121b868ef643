// The web app's build: static files in web/dist, served by Stratus at / on one machine and from
// the web-assets bucket behind CloudFront on AWS. Hashed file names let both cache assets for ever.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes sw.js (from src/service-worker.js) with the list of every file of this build, so the
 * service worker keeps exactly these files and a new build is a new service worker. Written by
 * hand rather than with Workbox: the worker is thirty lines, Workbox's build tool is hundreds of
 * packages.
 */
function serviceWorker(): Plugin {
  return {
    name: 'stratus-service-worker',
    apply: 'build',
    // After every other plugin: Vite drops the empty script chunks of CSS-only imports late.
    writeBundle(options, bundle) {
      const built = Object.keys(bundle).filter((file) => !file.startsWith('.vite/') && file !== 'index.html');
      const copied = readdirSync(join(import.meta.dirname, 'public'));
      const files = ['/', ...[...built, ...copied].map((file) => `/${file}`).sort()];
      const version = createHash('sha256')
        .update(files.join('\n'))
        .update(readFileSync(join(import.meta.dirname, 'index.html')))
        .digest('base64url')
        .slice(0, 12);
      const source = readFileSync(join(import.meta.dirname, 'src', 'service-worker.js'), 'utf8')
        .replace('self.__FILES__', JSON.stringify(files))
        .replace('self.__VERSION__', JSON.stringify(version));
      writeFileSync(join(options.dir ?? join(import.meta.dirname, 'dist'), 'sw.js'), source);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), serviceWorker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Browsers the app supports: the last two years of evergreen browsers.
    target: 'es2022',
    // Written as a file next to the build, so a stale build can be told from a fresh one.
    manifest: true,
  },
});

// The web app's build: static files in web/dist, served by Stratus at / on one machine and from
// the web-assets bucket behind CloudFront on AWS. Hashed file names let both cache assets for ever.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Browsers the app supports: the last two years of evergreen browsers.
    target: 'es2022',
    // Written as a file next to the build, so a stale build can be told from a fresh one.
    manifest: true,
  },
});

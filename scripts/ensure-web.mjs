// Builds the web app (web/ → web/dist, by Vite) when the build is missing or older than its
// sources, so `npm start` serves the current app as the first command on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const stamp = 'web/dist/.vite/manifest.json';

/** The newest modification time of the app's sources (everything in web/ but the build). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (path !== 'web/dist' && entry.name !== 'node_modules') newest = Math.max(newest, newestSource(path));
    } else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const sources = Math.max(newestSource('web'), statSync('package-lock.json').mtimeMs);
if (built < sources) {
  console.log(built === 0 ? 'Building the web app...' : 'The web app changed: rebuilding it...');
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'web', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

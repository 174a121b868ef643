// Installs the locked dependencies when they are missing or older than the lockfile, so
// `npm start` and `npm test` work as the first command on a fresh clone. Node built-ins only.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log('Installing dependencies (first run: about two minutes, better-sqlite3 compiles)...');
  // npm install honours the lockfile; npm ci refuses it here (see .ci/run).
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

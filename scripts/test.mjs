// Runs every *.test.ts under src/, test/ and infra/ with Node's test runner (TypeScript through tsx).
// Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=refresh`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = ['src', 'test', 'infra']
  .flatMap((dir) => readdirSync(dir, { recursive: true }).map((f) => `${dir}/${f}`))
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
const args = [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-timeout=120000',
  ...process.argv.slice(2),
  ...files,
];
const result = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  // The AWS SDK's notice that it will need Node 22 says nothing about the tests.
  env: {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  },
});
process.exit(result.status ?? 1);

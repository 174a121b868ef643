// npm run bundle: one minified ESM bundle per Lambda function (src/functions/catalog.ts) in
// dist/functions/<name>/index.mjs, the AWS SDK left out (Lambda's Node.js runtime provides it).
// Prints each bundle's size (the target is at most 300 KB each) and its cold start on this
// machine, measured in a fresh process by scripts/cold-start.mjs: the size is only a proxy for it.
import { execFileSync } from 'node:child_process';
import { readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { eventFunctions, httpFunctions } from '../src/functions/catalog.ts';

const LIMIT_BYTES = 300 * 1024;
const httpNames = new Set(httpFunctions.map((f) => f.name));
const names = [...httpFunctions, ...eventFunctions].map((f) => f.name);

/**
 * Zod's `z` namespace re-exports every locale's messages (250 KB minified), which no bundler can
 * drop because `z` is used as an object. Stratus uses English messages only: the locales module
 * is replaced by one that exports `en` alone.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(bundle) {
    const locales = dirname(createRequire(import.meta.url).resolve('zod/v4/locales'));
    bundle.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /zod[/\\]v4[/\\](classic|core)[/\\]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'zod-english-only' }
        : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: locales,
      loader: 'js',
    }));
  },
};

await rm('dist/functions', { recursive: true, force: true });
const rows: Array<[string, number, number, ColdStart]> = [];
for (const name of names) {
  const outdir = `dist/functions/${name}`;
  await build({
    entryPoints: { index: `src/functions/${name}.ts` },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Dynamic imports (the common-password list) become chunks loaded only when used.
    splitting: true,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['@aws-sdk/*', '@smithy/*'],
    // Bundled CommonJS dependencies call require() for Node's built-ins; ESM has no require.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [zodEnglishOnly],
  });
  const files = await readdir(outdir);
  const sizes = await Promise.all(files.map(async (file) => (await stat(`${outdir}/${file}`)).size));
  rows.push([name, (await stat(`${outdir}/index.mjs`)).size, sizes.reduce((a, b) => a + b, 0), coldStart(name)]);
}

console.log(
  'function                     loaded at cold start   with lazy chunks   import   first request   (minified, AWS SDK external)',
);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(7)} KB`;
const ms = (value: number | undefined) => (value === undefined ? '-' : `${value} ms`);
for (const [name, entry, total, cold] of rows) {
  const flag = entry > LIMIT_BYTES ? '  over the 300 KB target' : '';
  console.log(
    `  ${name.padEnd(26)} ${kb(entry)}          ${kb(total)} ${ms(cold.importMs).padStart(8)} ${ms(cold.firstRequestMs).padStart(15)}${flag}`,
  );
}

interface ColdStart {
  importMs: number;
  firstRequestMs?: number;
}

/** Import time (with the SDK clients loaded at once) and, for HTTP functions, the first request's time. */
function coldStart(name: string): ColdStart {
  const args = ['scripts/cold-start.mjs', `dist/functions/${name}/index.mjs`, ...(httpNames.has(name) ? ['http'] : [])];
  const output = execFileSync(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(output.toString().trim().split('\n').at(-1) ?? '{}') as ColdStart;
}

// npm run bundle: one minified ESM bundle per Lambda function (src/functions/catalog.ts) in
// dist/functions/<name>/index.mjs, the AWS SDK clients left out (Lambda's Node.js runtime provides
// them). sharp, a native module, is left out too and installed for Lambda (linux-arm64, glibc)
// into the folder of each function that processes images. Prints each bundle's size (the target
// is at most 300 KB each), whether it can load sharp, its deployed folder's size, and its cold
// start on this machine, measured in a fresh process by scripts/cold-start.mjs: the size is only
// a proxy for it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { eventFunctions, httpFunctions } from '../src/functions/catalog.ts';

const LIMIT_BYTES = 300 * 1024;
/** Lambda's limit on a function's code, unzipped (all files of its folder). */
const LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 ** 2;
const httpNames = new Set(httpFunctions.map((f) => f.name));
const names = [...httpFunctions, ...eventFunctions].map((f) => f.name);

/**
 * The functions that process images, and so get sharp installed beside their bundle. Every
 * bundle that composes the apps holds photos' `import('sharp')` (src/apps/photos/images.ts), but
 * only uploads landing (object-created) run it; in the other functions that import is never
 * reached, so sharp is not shipped there. A function that starts processing images must be
 * added here, or its first image fails with ERR_MODULE_NOT_FOUND.
 */
const IMAGE_FUNCTIONS: ReadonlySet<string> = new Set(['object-created']);
/** Lambda runs the functions on Graviton (infra/constructs/functions.ts), on Amazon Linux (glibc). */
const LAMBDA_PLATFORM = { os: 'linux', cpu: 'arm64', libc: 'glibc' } as const;
const SHARP_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> })
  .dependencies.sharp;

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

/**
 * The CloudFront signer is not an SDK client: Lambda's runtime is not known to carry it, so it is
 * bundled. Its package's CommonJS build pulls in @smithy/core's protocols whole (93 KB); its ESM
 * build, with @smithy/core's ESM submodules, shakes down to about 5 KB. It is built once, with
 * nothing external, and handed to each function's build, where it lands in a lazy chunk.
 */
const cloudFrontSigner: Plugin = await (async () => {
  const signer = await build({
    stdin: { contents: "export { getSignedUrl } from '@aws-sdk/cloudfront-signer';", resolveDir: '.', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  const contents = signer.outputFiles[0]?.text ?? '';
  return {
    name: 'bundled-cloudfront-signer',
    setup(bundle) {
      bundle.onResolve({ filter: /^@aws-sdk\/cloudfront-signer$/ }, () => ({
        path: 'cloudfront-signer',
        namespace: 'bundled-cloudfront-signer',
      }));
      bundle.onLoad({ filter: /.*/, namespace: 'bundled-cloudfront-signer' }, () => ({ contents, loader: 'js' }));
    },
  };
})();

await rm('dist/functions', { recursive: true, force: true });
const rows: Array<[string, number, number, SharpUse, number, ColdStart]> = [];
for (const name of names) {
  const outdir = `dist/functions/${name}`;
  const { metafile } = await build({
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
    // sharp is native: installed for Lambda's platform below, only where images are processed.
    external: ['@aws-sdk/*', '@smithy/*', 'sharp'],
    // Bundled CommonJS dependencies call require() for Node's built-ins; ESM has no require.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [zodEnglishOnly, cloudFrontSigner],
    metafile: true,
  });
  // The social app's GraphQL schema is read beside the bundle (src/apps/social/graphql/schema.ts).
  copyFileSync('src/apps/social/graphql/schema.graphql', join(outdir, 'schema.graphql'));
  const sharp = sharpUse(metafile, `src/functions/${name}.ts`);
  if (sharp === 'at load') {
    throw new Error(
      `${name} imports sharp when it loads: every cold start would load libvips. Import it with import('sharp') where images are processed.`,
    );
  }
  if (IMAGE_FUNCTIONS.has(name)) {
    if (sharp === 'no') throw new Error(`${name} no longer imports sharp: take it out of IMAGE_FUNCTIONS`);
    installSharp(outdir);
  }
  const files = (await readdir(outdir)).filter((file) => file.endsWith('.mjs'));
  const sizes = await Promise.all(files.map(async (file) => (await stat(`${outdir}/${file}`)).size));
  const folder = await folderSize(outdir);
  if (folder > LAMBDA_UNZIPPED_LIMIT_BYTES) throw new Error(`${outdir} is over Lambda's 250 MB unzipped limit`);
  const entry = (await stat(`${outdir}/index.mjs`)).size;
  rows.push([name, entry, sizes.reduce((a, b) => a + b, 0), sharp, folder, coldStart(name)]);
}

console.log(
  'function                     loaded at cold start   with lazy chunks   sharp       deployed folder   import   first request',
);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(7)} KB`;
const mb = (bytes: number) => (bytes < 1024 ** 2 ? kb(bytes) : `${(bytes / 1024 ** 2).toFixed(1).padStart(7)} MB`);
const ms = (value: number | undefined) => (value === undefined ? '-' : `${value} ms`);
const sharpLabel = (name: string, sharp: SharpUse) =>
  IMAGE_FUNCTIONS.has(name) ? 'installed' : sharp === 'on demand' ? 'never run' : '-';
for (const [name, entry, total, sharp, folder, cold] of rows) {
  const flag = entry > LIMIT_BYTES ? '  over the 300 KB target' : '';
  console.log(
    `  ${name.padEnd(26)} ${kb(entry)}          ${kb(total)}   ${sharpLabel(name, sharp).padEnd(10)} ${mb(folder)}     ${ms(cold.importMs).padStart(8)} ${ms(cold.firstRequestMs).padStart(15)}${flag}`,
  );
}
console.log(
  `  (minified, AWS SDK clients external; sharp: installed for ${LAMBDA_PLATFORM.os}-${LAMBDA_PLATFORM.cpu} ${LAMBDA_PLATFORM.libc}, or "never run": its import('sharp') is in the bundle but unreachable there; deployed folder: unzipped, Lambda allows 250 MB)`,
);

/**
 * `on demand`: the bundle reaches sharp only through `import('sharp')`; `at load`: a file
 * loaded with the entry point (the entry and the chunks it imports statically) imports it
 * statically, so every cold start would load it; `no`: it never imports sharp.
 */
type SharpUse = 'no' | 'on demand' | 'at load';

function sharpUse(metafile: Metafile, entryPoint: string): SharpUse {
  const outputs = Object.entries(metafile.outputs);
  const importsSharp = (file: string) => metafile.outputs[file]?.imports.filter((i) => i.path === 'sharp') ?? [];
  if (!outputs.some(([file]) => importsSharp(file).length > 0)) return 'no';
  const entry = outputs.find(([, output]) => output.entryPoint === entryPoint)?.[0];
  if (!entry) throw new Error(`esbuild wrote no output for ${entryPoint}`);
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) {
      if (!i.external && i.kind === 'import-statement') visit(i.path);
    }
  };
  visit(entry);
  const atLoad = [...loaded].some((file) => importsSharp(file).some((i) => i.kind !== 'dynamic-import'));
  return atLoad ? 'at load' : 'on demand';
}

/**
 * sharp for Lambda, whatever machine bundles: npm picks the optional @img packages for the named
 * platform (linux-arm64 glibc) instead of this one's. Scripts are not run: sharp 0.35 has none
 * to run, and a script would run here, not on Lambda.
 */
function installSharp(outdir: string): void {
  const { os, cpu, libc } = LAMBDA_PLATFORM;
  execFileSync(
    'npm',
    [
      'install',
      '--prefix',
      outdir,
      '--no-save',
      '--no-package-lock',
      `--os=${os}`,
      `--cpu=${cpu}`,
      `--libc=${libc}`,
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `sharp@${SHARP_VERSION}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // npm's own files, of no use on Lambda; .bin holds symlinks, which have no place in the zip.
  rmSync(join(outdir, 'node_modules', '.bin'), { recursive: true, force: true });
  rmSync(join(outdir, 'node_modules', '.package-lock.json'), { force: true });
  const img = join(outdir, 'node_modules', '@img');
  const platforms = existsSync(img) ? readdirSync(img).filter((dir) => dir.startsWith('sharp-')) : [];
  const wanted = [`sharp-${os}-${cpu}`, `sharp-libvips-${os}-${cpu}`];
  if (platforms.sort().join() !== [...wanted].sort().join()) {
    throw new Error(`${outdir}/node_modules/@img must hold ${wanted.join(' and ')} only, not: ${platforms.join(', ')}`);
  }
  const installed = JSON.parse(readFileSync(join(outdir, 'node_modules', 'sharp', 'package.json'), 'utf8')) as {
    version: string;
  };
  if (installed.version !== SHARP_VERSION) {
    throw new Error(`${outdir} got sharp ${installed.version}, not ${SHARP_VERSION}`);
  }
}

/** Every file's size under a folder: what Lambda unzips. */
async function folderSize(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  return sizes.reduce((a, b) => a + b, 0);
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

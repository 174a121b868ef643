import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../support/stratus.ts';

/** A build as Vite lays it out: index.html, hashed assets, and files kept at the root. */
async function fakeBuild(): Promise<{ dir: string; script: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-web-'));
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;
  await mkdir(join(dir, 'assets'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><title>Stratus</title><script src="/assets/app-1a2b3c.js"></script>',
  );
  await writeFile(join(dir, 'assets', 'app-1a2b3c.js'), script);
  await writeFile(join(dir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});\n');
  await writeFile(join(dir, 'manifest.webmanifest'), '{"name":"Stratus"}');
  return { dir, script };
}

describe('the web app served at / on one machine', () => {
  let s: TestStratus;
  let build: { dir: string; script: string };
  before(async () => {
    build = await fakeBuild();
    s = await TestStratus.start({ WEB_DIR: build.dir });
  });
  after(async () => {
    await s.stop();
    await rm(build.dir, { recursive: true, force: true });
  });

  test('index.html is revalidated on every load, under a CSP that allows only the app’s own files', async () => {
    const page = await s.fetch(`${s.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Stratus<\/title>/);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY', 'the API’s secure headers still apply');
    const etag = page.headers.get('etag') ?? '';
    const again = await s.fetch(`${s.url}/`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  test('any other page path gets the app (SPA fallback); API paths and other methods keep their 404 problem', async () => {
    const deep = await s.fetch(`${s.url}/u/ada`);
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /<title>Stratus<\/title>/);
    const api = await s.request('GET', '/v1/nothing-here');
    assert.equal(api.status, 404);
    assert.equal(api.headers.get('content-type'), 'application/problem+json');
    assert.equal((await s.request('POST', '/u/ada')).status, 404);
    const object = await s.request('GET', '/_objects/not-a-key');
    assert.notEqual(
      object.headers.get('content-type'),
      'text/html; charset=utf-8',
      'an object URL never gets the page',
    );
  });

  test('the service worker and the manifest are revalidated on every load, under the page’s policy', async () => {
    for (const file of ['sw.js', 'manifest.webmanifest']) {
      const response = await s.fetch(`${s.url}/${file}`);
      assert.equal(response.status, 200, file);
      assert.equal(response.headers.get('cache-control'), 'no-cache', file);
      assert.match(response.headers.get('content-security-policy') ?? '', /connect-src 'self'/, file);
    }
  });

  test('hashed assets are cached for a year and sent compressed as the browser accepts', async () => {
    const url = `${s.url}/assets/app-1a2b3c.js`;
    for (const [accepted, expected] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const asset = await s.fetch(url, { headers: { 'accept-encoding': accepted } });
      assert.equal(asset.status, 200);
      assert.equal(asset.headers.get('content-encoding'), expected, accepted);
      assert.equal(await asset.text(), build.script, `${accepted}: the same bytes once decoded`);
      assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(asset.headers.get('vary') ?? '', /Accept-Encoding/);
    }
    assert.equal((await s.fetch(`${s.url}/assets/app-000000.js`)).status, 404);
    assert.equal((await s.fetch(`${s.url}/assets/..%2Findex.html`)).status, 404);
  });

  test('files at the build’s root are served as themselves', async () => {
    const icon = await s.fetch(`${s.url}/icon.svg`);
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
  });
});

describe('without a web build', () => {
  test('the API still runs, and / says there is no route', async () => {
    const s = await TestStratus.start({ WEB_DIR: join(tmpdir(), 'stratus-no-web-build') });
    try {
      assert.equal((await s.request('GET', '/health')).status, 200);
      assert.equal((await s.request('GET', '/')).status, 404);
    } finally {
      await s.stop();
    }
  });
});

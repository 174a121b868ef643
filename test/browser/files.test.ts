// The Files and API keys screens in Chromium, against a real Stratus: uploads go through the
// pre-signed URL with visible progress (the upload is slowed through the DevTools protocol so a
// 3 MB file moves its bar in steps), downloads come back byte for byte, and an API key works
// against the API until it is revoked.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { browserHarness, chromiumMissing } from './support.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Upload bandwidth while the progress bars are watched: 3 MB takes about 1.5 s. */
const SLOW_UPLOAD_BYTES_PER_SECOND = 2 * 1024 * 1024;

/** Every `<progress>` value the page shows, per accessible name, as a percentage. */
const WATCH_PROGRESS = `(() => {
  const report = () => {
    for (const bar of document.querySelectorAll('progress')) {
      window.recordProgress(bar.getAttribute('aria-label'), Math.round((bar.value / bar.max) * 100));
    }
  };
  new MutationObserver(report).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['value'],
  });
})()`;

describe('the Files and API keys screens in Chromium, on a phone-sized screen', {
  skip: chromiumMissing ?? false,
}, () => {
  const h = browserHarness();

  test('files upload with progress, download byte for byte, rename, live in folders, and delete', async (t) => {
    const { s, page, shot, problems } = h;
    const email = 'files.ui@example.com';
    const { accessToken: token } = await s.newUser(email);
    const usage = await s.request('GET', '/v1/files/usage', { token });
    assert.ok(usage.body.maxFileBytes > 50 * 1024 ** 2, 'the size limit is too large to test in a browser');

    await h.signIn(email);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Files' }).click();
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    await page.getByText('No files yet').waitFor();
    const meter = page.getByRole('meter', { name: 'Storage used' });
    await page.getByText('0 MB of 1024 MB').waitFor();
    await shot('files-empty');

    const seen = new Map<string, number[]>();
    await page.exposeFunction('recordProgress', (name: string, percent: number) => {
      const values = seen.get(name) ?? [];
      if (values.at(-1) !== percent) values.push(percent);
      seen.set(name, values);
    });
    await page.evaluate(WATCH_PROGRESS);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: SLOW_UPLOAD_BYTES_PER_SECOND,
    });

    const notes = Buffer.from('Meeting notes\n- ship the files screen\n');
    const photo = randomBytes(3 * 1024 * 1024);
    await page.getByLabel('Upload files').setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
      { name: 'photo.bin', mimeType: 'application/octet-stream', buffer: photo },
    ]);
    const uploads = page.getByRole('list', { name: 'Uploads' });
    const uploadRow = (name: string) => uploads.getByRole('listitem').filter({ hasText: name });
    await page.getByRole('progressbar', { name: 'photo.bin' }).waitFor();
    await shot('files-uploading');
    for (const name of ['notes.txt', 'photo.bin']) {
      await uploadRow(name).getByText('Done', { exact: true }).waitFor({ timeout: 15_000 });
    }
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    for (const name of ['notes.txt', 'photo.bin']) {
      const values = seen.get(name) ?? [];
      assert.equal(values.at(-1), 100, `${name}'s bar ends full: ${values.join(', ')}`);
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
        `${name}'s bar only moves forward`,
      );
    }
    t.diagnostic(`progress seen: ${JSON.stringify(Object.fromEntries(seen))}`);
    const steps = (seen.get('photo.bin') ?? []).filter((percent) => percent > 0 && percent < 100);
    assert.ok(steps.length >= 3, `the 3 MB upload shows its progress in steps: ${steps.join(', ')}`);

    const contents = page.getByRole('list', { name: 'Folder contents' });
    const entry = (name: string) => contents.getByRole('listitem').filter({ hasText: name });
    await entry('notes.txt').waitFor();
    await entry('photo.bin').waitFor();
    assert.match((await entry('photo.bin').textContent()) ?? '', /3\.0 MB/, 'the size is shown');

    const stored = notes.length + photo.length;
    await page.getByText('3.0 MB of 1024 MB').waitFor();
    assert.equal(await meter.evaluate((bar) => (bar as unknown as { value: number }).value), stored);
    assert.equal((await s.request('GET', '/v1/files/usage', { token })).body.bytes, stored);
    await shot('files-uploaded');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      contents.getByRole('button', { name: 'Download photo.bin' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'photo.bin');
    assert.equal(sha256(await readFile(await download.path())), sha256(photo), 'the download is the upload');

    await contents.getByRole('button', { name: 'Rename photo.bin' }).click();
    const renameForm = page.getByRole('form', { name: 'Rename or move photo.bin' });
    await renameForm.getByLabel('New path').fill('random.bin');
    await shot('files-rename');
    await renameForm.getByRole('button', { name: 'Save' }).click();
    await entry('random.bin').waitFor();
    await entry('photo.bin').waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Moved photo.bin to random.bin' }).waitFor();

    // A new folder is a place to upload to; a file dropped on the list keeps it.
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByLabel('Folder name').fill('docs');
    await page.getByRole('button', { name: 'Create folder' }).click();
    await page.waitForURL(/\/files\?path=docs\/$/);
    const breadcrumbs = page.getByRole('navigation', { name: 'Breadcrumbs' });
    await breadcrumbs.getByRole('link', { name: 'docs' }).and(page.locator('[aria-current="page"]')).waitFor();
    await page.getByText('This folder is empty').waitFor();
    const inside = Buffer.from('dropped into docs');
    const dataTransfer = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([${JSON.stringify(inside.toString())}], 'inside.txt', { type: 'text/plain' }));
      return transfer;
    })()`);
    const dropZone = page.getByRole('region', { name: 'Contents of docs/' });
    await dropZone.dispatchEvent('dragover', { dataTransfer });
    await dropZone.dispatchEvent('drop', { dataTransfer });
    await uploadRow('inside.txt').getByText('Done', { exact: true }).waitFor();
    await entry('inside.txt').waitFor();
    const listed = await s.request('GET', '/v1/files?prefix=docs/', { token });
    assert.deepEqual(
      listed.body.items.map((item: { path: string }) => item.path),
      ['docs/inside.txt'],
    );
    await shot('files-folder');

    await page.reload();
    await entry('inside.txt').waitFor();
    await breadcrumbs.getByRole('link', { name: 'Files' }).click();
    await page.waitForURL(/\/files$/);
    await contents.getByRole('link', { name: 'docs' }).waitFor();
    await page.goBack();
    await entry('inside.txt').waitFor();
    await page.goForward();
    await contents.getByRole('link', { name: 'docs' }).waitFor();

    // A name the API refuses fails its own row; the file picked with it still arrives.
    await page.getByLabel('Upload files').setInputFiles([
      { name: 'back\\slash.txt', mimeType: 'text/plain', buffer: Buffer.from('refused') },
      { name: 'fine.txt', mimeType: 'text/plain', buffer: Buffer.from('accepted') },
    ]);
    await uploadRow('back\\slash.txt')
      .getByText('Failed: Path must not contain control characters or backslashes.')
      .waitFor();
    await uploadRow('fine.txt').getByText('Done', { exact: true }).waitFor();
    await entry('fine.txt').waitFor();
    await shot('files-refused-upload');

    await contents.getByRole('button', { name: 'Delete notes.txt' }).click();
    await page.getByRole('group', { name: /Delete “notes\.txt”\?/ }).waitFor();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await entry('notes.txt').waitFor({ state: 'detached' });

    await contents.getByRole('button', { name: 'Delete docs' }).click();
    await page.getByRole('group', { name: /everything inside it/ }).waitFor();
    await shot('files-delete-folder');
    await page.getByRole('button', { name: 'Delete folder and contents' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted the folder docs and 1 file inside' }).waitFor();
    await contents.getByRole('link', { name: 'docs' }).waitFor({ state: 'detached' });

    const root = await s.request('GET', '/v1/files?prefix=', { token });
    assert.deepEqual(
      root.body.items.map((item: { path: string }) => item.path),
      ['fine.txt', 'random.bin'],
    );
    assert.equal((await s.request('GET', '/v1/files/usage', { token })).body.bytes, photo.length + 'accepted'.length);
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('an API key is shown once, works against the API, and stops working once revoked', async () => {
    const { s, page, shot, problems } = h;
    const email = 'keys.ui@example.com';
    const { accessToken: token } = await s.newUser(email);
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    await h.signIn(email);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByText('No API keys yet').waitFor();
    await shot('api-keys-empty');

    await page.getByLabel('Name (what it is for)').fill('backup script');
    await page.getByRole('radio', { name: 'Pro' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = page.getByRole('region', { name: 'Your new key “backup script”' });
    await secret.getByText('you will not see it again').waitFor();
    const key = await secret.getByLabel('Secret key').inputValue();
    assert.ok(key.length > 20, 'the secret key is shown');
    await secret.getByRole('button', { name: 'Copy' }).click();
    await secret.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), key, 'Copy copies the key');

    const keys = page.getByRole('list', { name: 'Your API keys' });
    const row = keys.getByRole('listitem').filter({ hasText: 'backup script' });
    await row.waitFor();
    const rowText = (await row.textContent()) ?? '';
    assert.match(rowText, /pro/);
    assert.match(rowText, /Never/, 'not used yet');
    const prefix = /Starts with\s*([^…\s]+)…/.exec(rowText)?.[1] ?? '';
    assert.ok(prefix.length > 0 && key.startsWith(prefix), `the listed prefix ${prefix} starts the key`);
    await shot('api-keys-created');

    const withKey = () => s.request('GET', '/v1/todos', { token, headers: { 'x-api-key': key } });
    assert.equal((await withKey()).status, 200, 'the key works');

    await secret.getByRole('button', { name: 'I have saved it' }).click();
    await secret.waitFor({ state: 'detached' });
    assert.equal((await page.content()).includes(key), false, 'the key is gone from the page');
    await page.reload();
    await row.waitFor();
    assert.equal((await page.content()).includes(key), false, 'and is not shown again');

    await keys.getByRole('button', { name: 'Revoke backup script' }).click();
    await page.getByRole('group', { name: /Revoke “backup script”\?/ }).waitFor();
    await shot('api-keys-revoke');
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByRole('status').filter({ hasText: 'Revoked backup script' }).waitFor();
    await row.getByText('Revoked', { exact: true }).first().waitFor();
    assert.equal(await keys.getByRole('button', { name: 'Revoke backup script' }).count(), 0);

    const refused = await withKey();
    assert.equal(refused.status, 403, 'the revoked key stops working');
    assert.equal(refused.body.code, 'InvalidApiKey');
    await shot('api-keys-revoked');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

// The Photos screen and the public shared gallery in Chromium, against a real Stratus that
// processes uploads as it would on AWS (renditions made in the background): photos uploaded
// together show their progress, then Processing → Ready, then load as thumbnails; an album of
// them shared by a link opens for a visitor who is not signed in, until the link is revoked or
// expires; the lightbox pages with buttons and arrow keys, saves captions with If-Match (and
// recovers from a 412), downloads the original, and closes with Escape; a file that is not a
// photo says why, in the API's words, while the others go on.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { cameraJpeg, smallPng } from '../support/images.ts';
import { browserHarness, chromiumMissing } from './support.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', '..', '.artifacts', 'screenshots');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every state text each upload row shows, in order, per file name. */
const WATCH_UPLOAD_ROWS = `(() => {
  const report = () => {
    const list = document.querySelector('ul[aria-label="Uploads"]');
    for (const row of list ? list.children : []) {
      const name = row.querySelector('progress')?.getAttribute('aria-label');
      if (name) window.recordUploadRow(name, row.lastElementChild?.textContent ?? '');
    }
  };
  new MutationObserver(report).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

/** What the test reads of an <img> in the page (the test code is type-checked without the DOM). */
interface ShownImage {
  src: string;
  currentSrc: string;
  naturalWidth: number;
  complete: boolean;
}

/** Waits until `images` are `count` pictures, each loaded (naturalWidth > 0) from a URL matching `from`. */
async function imagesLoaded(images: Locator, count: number, from = /\/s(150|300|600)\.jpg/): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const shown = await images.evaluateAll((nodes) =>
      (nodes as unknown as ShownImage[]).map((node) => ({
        src: node.currentSrc || node.src,
        width: node.naturalWidth,
        complete: node.complete,
      })),
    );
    const loaded = shown.filter((image) => image.complete && image.width > 0 && from.test(image.src));
    if (shown.length === count && loaded.length === count) return loaded.map((image) => image.src);
    if (Date.now() > deadline) throw new Error(`expected ${count} loaded pictures, saw ${JSON.stringify(shown)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The thumbnails of a grid: `count` square renditions, loaded. */
const thumbnailsLoaded = (list: Locator, count: number) => imagesLoaded(list.getByRole('img'), count);

async function openPhotos(page: Page) {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Photos' }).click();
  await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
}

describe('the Photos screen and shared galleries in Chromium, on a phone-sized screen', {
  skip: chromiumMissing ?? false,
}, () => {
  const h = browserHarness();

  test('two photos uploaded at once become thumbnails, go into an album, and its share link shows them to a visitor who is not signed in', async () => {
    const { s, page, shot, problems } = h;
    const email = 'photos.ui@example.com';
    const { accessToken: token } = await s.newUser(email, undefined, 'Pat Photographer');
    await h.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
    await h.signIn(email);
    await openPhotos(page);
    await page.getByText('No photos yet').waitFor();
    await shot('photos-empty');

    const seen = new Map<string, string[]>();
    await page.exposeFunction('recordUploadRow', (name: string, state: string) => {
      const states = seen.get(name) ?? [];
      if (states.at(-1) !== state) states.push(state);
      seen.set(name, states);
    });
    await page.evaluate(WATCH_UPLOAD_ROWS);

    await page.getByLabel('Upload photos').setInputFiles([
      { name: 'beach.jpg', mimeType: 'image/jpeg', buffer: await cameraJpeg() },
      { name: 'poster.png', mimeType: 'image/png', buffer: await smallPng() },
    ]);
    const uploads = page.getByRole('list', { name: 'Uploads' });
    const uploadRow = (name: string) => uploads.getByRole('listitem').filter({ hasText: name });
    await page.getByRole('progressbar', { name: 'beach.jpg' }).waitFor();
    await page.getByRole('progressbar', { name: 'poster.png' }).waitFor();
    for (const name of ['beach.jpg', 'poster.png']) {
      await uploadRow(name).getByText('Ready', { exact: true }).waitFor({ timeout: 15_000 });
    }
    for (const name of ['beach.jpg', 'poster.png']) {
      const states = seen.get(name) ?? [];
      const processing = states.indexOf('Processing…');
      assert.ok(processing >= 0, `${name} showed Processing…: ${states.join(' → ')}`);
      assert.equal(states.at(-1), 'Ready', `${name} ends Ready: ${states.join(' → ')}`);
    }

    const grid = page.getByRole('list', { name: 'Your photos' });
    const sources = await thumbnailsLoaded(grid, 2);
    const listed = await s.request('GET', '/v1/photos', { token });
    const renditionUrls = listed.body.items.flatMap((photo: { renditions: { url: string }[] }) =>
      photo.renditions.map((rendition) => rendition.url),
    );
    for (const source of sources) assert.ok(renditionUrls.includes(source), `${source} is a rendition URL`);
    await shot('photos-uploaded');

    // An album, then both photos put in it from the lightbox.
    await page.getByRole('navigation', { name: 'Photos sections' }).getByRole('link', { name: 'Albums' }).click();
    await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
    await page.getByText('No albums yet').waitFor();
    await page.getByLabel('New album title').fill('Summer trip');
    await page.getByRole('button', { name: 'Create album' }).click();
    await page.getByRole('status').filter({ hasText: 'Created the album “Summer trip”' }).waitFor();
    const albums = page.getByRole('list', { name: 'Your albums' });
    await albums.getByRole('link', { name: /Summer trip\s*0 photos/ }).waitFor();

    await page.getByRole('navigation', { name: 'Photos sections' }).getByRole('link', { name: 'All photos' }).click();
    await grid.getByRole('button').first().click();
    const lightbox = page.getByRole('dialog', { name: 'Photo 1 of 2' });
    await lightbox.waitFor();
    await lightbox.getByLabel('Album').selectOption({ label: 'Summer trip' });
    await lightbox.getByRole('button', { name: 'Add to album' }).click();
    await lightbox.getByRole('status').filter({ hasText: 'Added to “Summer trip”' }).waitFor();
    await shot('photos-lightbox-added');
    await page.getByRole('button', { name: 'Next' }).click();
    const second = page.getByRole('dialog', { name: 'Photo 2 of 2' });
    await second.waitFor();
    assert.equal(await second.getByRole('status').filter({ hasText: 'Added' }).count(), 0, 'a fresh status line');
    await second.getByRole('button', { name: 'Add to album' }).click();
    await second.getByRole('status').filter({ hasText: 'Added to “Summer trip”' }).waitFor();
    await second.getByRole('button', { name: 'Close' }).click();
    await second.waitFor({ state: 'detached' });

    const [album] = (await s.request('GET', '/v1/albums', { token })).body.items;
    assert.equal(album.title, 'Summer trip');
    assert.equal(album.photoCount, 2, 'both photos are in the album');

    await page.getByRole('navigation', { name: 'Photos sections' }).getByRole('link', { name: 'Albums' }).click();
    const card = albums.getByRole('link', { name: /Summer trip\s*2 photos/ });
    await card.waitFor();
    await imagesLoaded(card.locator('img'), 1); // the cover, decorative (alt="") beside the title
    await shot('photos-albums');
    await card.click();
    await page.getByRole('heading', { name: 'Summer trip', level: 1 }).waitFor();
    await thumbnailsLoaded(page.getByRole('list', { name: 'Photos in Summer trip' }), 2);
    await shot('photos-album');

    // Share the album: a link that never expires, copied.
    await page.getByRole('button', { name: 'Share album' }).click();
    const share = page.getByRole('dialog', { name: 'Share “Summer trip”' });
    await share.waitFor();
    assert.equal(await share.getByRole('radio', { name: 'Never' }).isChecked(), true, 'no expiry by default');
    await share.getByRole('button', { name: 'Create link' }).click();
    const linkField = share.getByLabel('Your new link');
    await linkField.waitFor();
    const link = await linkField.inputValue();
    assert.match(link, new RegExp(`^${s.url}/s/[A-Za-z0-9_-]{43}$`));
    await share.getByRole('button', { name: 'Copy' }).click();
    await share.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), link, 'Copy copies the link');
    const links = share.getByRole('list', { name: 'Share links' });
    await links.getByRole('listitem').filter({ hasText: 'Never expires' }).waitFor();
    await shot('photos-share');

    // A visitor, in a browser profile that never signed in.
    const browser = h.context.browser();
    assert.ok(browser);
    const visitorContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 360, height: 740 } });
    const visitorProblems: string[] = [];
    try {
      const visitor = await visitorContext.newPage();
      visitor.on('console', (message) => {
        if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
          visitorProblems.push(`console: ${message.text()}`);
        }
      });
      visitor.on('pageerror', (error) => visitorProblems.push(`page error: ${error.message}`));
      await visitor.goto(link);
      await visitor.getByRole('heading', { name: 'Summer trip', level: 1 }).waitFor();
      await visitor.getByText('Shared by Pat Photographer').waitFor();
      const shared = visitor.getByRole('list', { name: 'Photos in Summer trip' });
      await thumbnailsLoaded(shared, 2);
      assert.equal(await visitor.evaluate('localStorage.length'), 0, 'the visitor is not signed in');
      await visitor.screenshot({ path: join(SCREENSHOTS, 'photos-shared-gallery.png'), fullPage: true });

      await shared.getByRole('button').nth(1).click();
      const viewer = visitor.getByRole('dialog', { name: 'Photo 2 of 2' });
      await viewer.waitFor();
      for (const owner of ['Delete', 'Download original', 'Save caption', 'Share', 'Add to album']) {
        assert.equal(await viewer.getByRole('button', { name: owner }).count(), 0, `no ${owner} for a visitor`);
      }
      await visitor.keyboard.press('ArrowLeft');
      await visitor.getByRole('dialog', { name: 'Photo 1 of 2' }).waitFor();
      await visitor.screenshot({ path: join(SCREENSHOTS, 'photos-shared-lightbox.png') });
      await visitor.keyboard.press('Escape');
      await visitor.getByRole('dialog').waitFor({ state: 'detached' });

      // Revoked: the page says so at once.
      await links.getByRole('button', { name: /^Revoke the link ending/ }).click();
      await share.getByRole('button', { name: 'Yes, revoke' }).click();
      await share.getByText('No links yet.').waitFor();
      await visitor.reload();
      await visitor.getByRole('heading', { name: 'Link not found' }).waitFor();
      await visitor.getByText('This link does not exist or was turned off').waitFor();
      await visitor.screenshot({ path: join(SCREENSHOTS, 'photos-shared-revoked.png'), fullPage: true });

      await share.getByRole('button', { name: 'Close' }).click();
      await share.waitFor({ state: 'detached' });

      // Rename, choose the cover, take a photo out, then delete the album: the photos stay.
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.getByLabel('Album title').fill('Summer 2024');
      await page.getByRole('button', { name: 'Save title' }).click();
      await page.getByRole('heading', { name: 'Summer 2024', level: 1 }).waitFor();
      const inAlbum = page.getByRole('list', { name: 'Photos in Summer 2024' });
      await inAlbum.getByRole('button').nth(1).click();
      const albumViewer = page.getByRole('dialog', { name: 'Photo 2 of 2' });
      await albumViewer.getByRole('button', { name: 'Make album cover' }).click();
      await albumViewer.getByText('This photo is the album’s cover.').waitFor();
      const covered = (await s.request('GET', `/v1/albums/${album.id}`, { token })).body;
      const [newer, older] = (await s.request('GET', `/v1/albums/${album.id}/photos`, { token })).body.items;
      assert.equal(covered.coverPhotoId, older.id, 'the chosen photo is the cover');
      await albumViewer.getByRole('button', { name: 'Remove from album' }).click();
      await page.getByRole('dialog', { name: 'Photo 1 of 1' }).waitFor();
      await page
        .getByRole('status')
        .filter({ hasText: 'Removed from the album: the photo is still in All photos' })
        .waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await thumbnailsLoaded(inAlbum, 1);
      const left = (await s.request('GET', `/v1/albums/${album.id}`, { token })).body;
      assert.deepEqual([left.photoCount, left.coverPhotoId], [1, newer.id], 'one photo left, and it is the cover');

      await page.getByRole('button', { name: 'Delete album' }).click();
      const question = page.getByRole('group', { name: 'Delete the album “Summer 2024”?' });
      await question.getByText('The photos in it stay in your library').waitFor();
      await shot('photos-album-delete');
      await question.getByRole('button', { name: 'Yes, delete album' }).click();
      await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Deleted the album “Summer 2024”' }).waitFor();
      await page.getByText('No albums yet').waitFor();
      assert.equal((await s.request('GET', '/v1/photos', { token })).body.items.length, 2, 'the photos stay');

      // One photo shared by a link made to last an hour: shown large, then expired two hours later.
      const expiring = await s.request('POST', '/v1/shares', {
        token,
        body: { kind: 'photo', id: newer.id, expiresAt: new Date(s.clock.now() + 3600_000).toISOString() },
      });
      assert.equal(expiring.status, 201);
      await visitor.goto(expiring.body.url);
      await visitor.getByRole('heading', { name: 'A shared photo', level: 1 }).waitFor();
      await visitor.getByText('Shared by Pat Photographer').waitFor();
      await visitor.getByText(/Link works until/).waitFor();
      await imagesLoaded(visitor.getByRole('main').getByRole('img'), 1, /\/l1200\.webp/);
      await visitor.screenshot({ path: join(SCREENSHOTS, 'photos-shared-photo.png'), fullPage: true });
      s.clock.advance(2 * 3600_000);
      await visitor.reload();
      await visitor.getByRole('heading', { name: 'Link expired' }).waitFor();
      await visitor.getByText('This link has expired').waitFor();
      await visitor.screenshot({ path: join(SCREENSHOTS, 'photos-shared-expired.png'), fullPage: true });
    } finally {
      await visitorContext.close();
    }
    assert.deepEqual(visitorProblems, [], 'no console errors for the visitor');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('the lightbox pages with buttons and arrow keys, saves a caption with If-Match, downloads the original and closes with Escape; a file that is not a photo says why', async () => {
    const { s, page, shot, problems } = h;
    const email = 'lightbox.ui@example.com';
    const { accessToken: token } = await s.newUser(email);
    await h.signIn(email);
    await openPhotos(page);

    const beach = await cameraJpeg({ colour: '#3388cc' });
    await page.getByLabel('Upload photos').setInputFiles([
      { name: 'beach.jpg', mimeType: 'image/jpeg', buffer: beach },
      { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('just some text, not a picture\n') },
      { name: 'animation.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') },
      { name: 'poster.png', mimeType: 'image/png', buffer: await smallPng() },
    ]);
    const uploads = page.getByRole('list', { name: 'Uploads' });
    const uploadRow = (name: string) => uploads.getByRole('listitem').filter({ hasText: name });
    // Refused before any byte is sent, in the API's words; the others go on.
    await uploadRow('animation.gif')
      .getByText(/Failed: Photos may be image\/jpeg.*image\/gif is not a photo type/)
      .waitFor();
    // Accepted, sent, then refused by processing, which reads the bytes.
    await uploadRow('notes.jpg')
      .getByText('Failed: The file is not an image Stratus can read (JPEG, PNG, WebP or AVIF)')
      .waitFor({ timeout: 15_000 });
    for (const name of ['beach.jpg', 'poster.png']) {
      await uploadRow(name).getByText('Ready', { exact: true }).waitFor({ timeout: 15_000 });
    }
    const grid = page.getByRole('list', { name: 'Your photos' });
    const failed = grid.getByRole('listitem').filter({ hasText: 'notes.jpg could not be used' });
    await failed.getByText('The file is not an image Stratus can read').waitFor();
    await thumbnailsLoaded(grid, 2);
    await shot('photos-refused');

    await failed.getByRole('button', { name: 'Delete notes.jpg' }).click();
    await failed.getByRole('button', { name: 'Yes, delete' }).click();
    await failed.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Deleted notes.jpg' }).waitFor();
    const remaining = (await s.request('GET', '/v1/photos', { token })).body.items;
    assert.deepEqual(remaining.map((photo: { filename: string }) => photo.filename).sort(), [
      'beach.jpg',
      'poster.png',
    ]);
    await page.getByRole('button', { name: 'Clear finished uploads' }).click();
    await uploads.waitFor({ state: 'detached' });

    // The beach photo's tile is named after the day its camera took it (EXIF), until it has a caption.
    const beachPhoto = remaining.find((photo: { filename: string }) => photo.filename === 'beach.jpg');
    await grid.getByRole('button', { name: /^Photo from .*2024/ }).click();
    const dialog = page.getByRole('dialog');
    const heading = dialog.getByRole('heading', { name: /^Photo \d of 2$/ });
    const here = Number(/Photo (\d)/.exec((await heading.textContent()) ?? '')?.[1]);
    const other = 3 - here;
    assert.equal(
      await page.evaluate('document.activeElement?.getAttribute("aria-label")'),
      'Close',
      'focus starts on Close',
    );
    await dialog.getByText('beach.jpg').waitFor();
    const picture = dialog.locator('picture');
    assert.equal(await picture.locator('source').getAttribute('type'), 'image/webp');
    await imagesLoaded(picture.getByRole('img'), 1, /\/l1200\.webp/);

    // A caption saved with If-Match; one changed elsewhere meanwhile is reloaded, not overwritten.
    const caption = dialog.getByLabel('Caption', { exact: true });
    await caption.fill('Beach, day one');
    await dialog.getByRole('button', { name: 'Save caption' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Caption saved' }).waitFor();
    let stored = (await s.request('GET', `/v1/photos/${beachPhoto.id}`, { token })).body;
    assert.equal(stored.caption, 'Beach, day one');
    const elsewhere = await s.request('PATCH', `/v1/photos/${beachPhoto.id}`, {
      token,
      body: { caption: 'Edited on the phone' },
      headers: { 'if-match': `"${stored.version}"` },
    });
    assert.equal(elsewhere.status, 200);
    await caption.fill('Beach, the first morning');
    await dialog.getByRole('button', { name: 'Save caption' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'changed elsewhere' }).waitFor();
    assert.equal(await caption.inputValue(), 'Beach, the first morning', 'what was typed is kept');
    await shot('photos-caption-conflict');
    await dialog.getByRole('button', { name: 'Save caption' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Caption saved' }).waitFor();
    stored = (await s.request('GET', `/v1/photos/${beachPhoto.id}`, { token })).body;
    assert.equal(stored.caption, 'Beach, the first morning');
    assert.equal(
      await picture.getByRole('img').getAttribute('alt'),
      'Beach, the first morning',
      'the caption is the alt text',
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download original' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'beach.jpg');
    assert.equal(sha256(await readFile(await download.path())), sha256(beach), 'the original, byte for byte');
    await shot('photos-lightbox');

    // Sharing from the lightbox opens a dialog on top; Escape closes that one only.
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    const sharePhoto = page.getByRole('dialog', { name: 'Share this photo' });
    await sharePhoto.getByText('No links yet.').waitFor();
    await page.keyboard.press('Escape');
    await sharePhoto.waitFor({ state: 'detached' });
    await dialog.getByRole('heading', { name: `Photo ${here} of 2` }).waitFor();

    // Paging: buttons, then arrow keys (outside the caption field).
    const [toOther, back] = here === 1 ? ['Next', 'Previous'] : ['Previous', 'Next'];
    const [keyToOther, keyBack] = here === 1 ? ['ArrowRight', 'ArrowLeft'] : ['ArrowLeft', 'ArrowRight'];
    await dialog.getByRole('button', { name: toOther }).click();
    await dialog.getByRole('heading', { name: `Photo ${other} of 2` }).waitFor();
    assert.equal(
      await dialog.getByLabel('Caption', { exact: true }).inputValue(),
      '',
      'the other photo has no caption',
    );
    await dialog.getByRole('button', { name: back }).click();
    await dialog.getByRole('heading', { name: `Photo ${here} of 2` }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press(keyToOther);
    await dialog.getByRole('heading', { name: `Photo ${other} of 2` }).waitFor();
    await page.keyboard.press(keyBack);
    await dialog.getByRole('heading', { name: `Photo ${here} of 2` }).waitFor();
    // Arrow keys in the caption move the cursor, not the photo.
    await caption.focus();
    await page.keyboard.press(keyToOther);
    await page.waitForTimeout(300);
    assert.equal(await dialog.getByRole('heading', { name: `Photo ${here} of 2` }).count(), 1, 'still the same photo');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      await page.evaluate('document.activeElement?.querySelector("img")?.getAttribute("alt")'),
      'Beach, the first morning',
      'focus goes back to the tile that opened the lightbox',
    );
    assert.equal(
      await grid.getByRole('button', { name: 'Beach, the first morning' }).count(),
      1,
      'the tile has the caption as its name',
    );

    // Deleting from the lightbox asks first, then shows the photo that is left.
    await grid.getByRole('button', { name: 'Beach, the first morning' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    const question = dialog.getByRole('group', { name: /^Delete this photo\?/ });
    await question.waitFor();
    await shot('photos-lightbox-delete');
    await question.getByRole('button', { name: 'Yes, delete' }).click();
    await dialog.getByRole('heading', { name: 'Photo 1 of 1' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Photo deleted' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await thumbnailsLoaded(grid, 1);
    const after = (await s.request('GET', '/v1/photos', { token })).body.items;
    assert.deepEqual(
      after.map((photo: { filename: string }) => photo.filename),
      ['poster.png'],
    );

    // A photo dropped on the library is uploaded like a picked one.
    const dropped = (await smallPng(200, 300)).toString('base64');
    const dataTransfer = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob(${JSON.stringify(dropped)}), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
      return transfer;
    })()`);
    const library = page.getByRole('region', { name: 'Photo library' });
    await library.dispatchEvent('dragover', { dataTransfer });
    await library.dispatchEvent('drop', { dataTransfer });
    await uploadRow('dropped.png').getByText('Ready', { exact: true }).waitFor({ timeout: 15_000 });
    await thumbnailsLoaded(grid, 2);
    assert.deepEqual(problems, [], 'no console errors');
  });
});

// The profile picture on the Account screen in Chromium, against a real Stratus that processes
// the upload in the background as it would on AWS: a chosen photo is uploaded with a progress
// bar, shows "Processing…", then appears as the picture the profile points at; it stays after a
// reload, shows on the public page, and a confirmed removal brings the initial back. A file that
// only claims to be a JPEG is refused by processing, and the screen says why in the API's words;
// a HEIC photo is refused before upload, with the API's advice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { cameraJpeg } from '../support/images.ts';
import { browserHarness, chromiumMissing } from './support.ts';

/** What the test reads of an <img> in the page (the test code is type-checked without the DOM). */
interface ShownImage {
  src: string;
  naturalWidth: number;
  complete: boolean;
}

/** Waits until the image has loaded (naturalWidth > 0) and answers its src. */
async function loadedSrc(image: Locator): Promise<string> {
  await image.waitFor();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const shown = await image.evaluate((node) => {
      const { src, naturalWidth, complete } = node as unknown as ShownImage;
      return { src, naturalWidth, complete };
    });
    if (shown.complete && shown.naturalWidth > 0) return shown.src;
    if (Date.now() > deadline) throw new Error(`the picture did not load: ${JSON.stringify(shown)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether the element has the keyboard focus. */
const hasFocus = (element: Locator) =>
  element.evaluate((node) => {
    const shown = node as unknown as { ownerDocument: { activeElement: unknown } };
    return shown.ownerDocument.activeElement === shown;
  });

/** Records every text the picture's status line shows, to prove the steps a user sees. */
async function watchStatus(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.exposeFunction('recordAvatarStatus', (text: string) => {
    if (text && seen.at(-1) !== text) seen.push(text);
  });
  await page.evaluate(`(() => {
    const report = () => {
      const group = [...document.querySelectorAll('fieldset')].find(
        (fieldset) => fieldset.querySelector('legend')?.textContent === 'Profile picture',
      );
      const status = group?.querySelector('[role="status"]');
      if (status) window.recordAvatarStatus(status.textContent ?? '');
    };
    new MutationObserver(report).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  return seen;
}

async function openAccount(page: Page) {
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
}

describe('the profile picture in Chromium, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  test('a chosen photo becomes the profile picture, stays after a reload, shows on the public page, and is removed', async () => {
    const { s, page, shot, problems } = h;
    const email = 'avatar.ui@example.com';
    const { accessToken: token } = await s.newUser(email, undefined, 'Robin Avatar');
    const named = await s.request('PATCH', '/v1/me', { token, body: { username: 'robin' } });
    assert.equal(named.status, 200, JSON.stringify(named.body));
    await h.signIn(email);
    await openAccount(page);

    const placeholder = page.getByRole('img', { name: 'No profile picture' });
    await placeholder.waitFor();
    assert.equal(await placeholder.textContent(), 'R', 'the placeholder shows the initial of the name');
    assert.equal(await page.getByRole('button', { name: 'Remove picture' }).count(), 0, 'nothing to remove yet');
    await shot('avatar-none');

    const statuses = await watchStatus(page);
    const picker = page.getByLabel('Change picture');
    assert.equal(await picker.getAttribute('accept'), 'image/jpeg,image/png,image/webp,image/avif');
    await picker.setInputFiles({
      name: 'me.jpg',
      mimeType: 'image/jpeg',
      buffer: await cameraJpeg({ width: 1600, height: 1200 }),
    });
    // Polling starts a second after the upload, so "Processing…" shows for at least that long.
    await page.getByRole('group', { name: 'Profile picture' }).getByText('Processing…').waitFor();
    await shot('avatar-processing');
    const picture = page.getByRole('img', { name: 'Your profile picture' });
    const src = await loadedSrc(picture);
    await page.getByText('Your new picture is in place').waitFor();
    await shot('avatar-ready');
    assert.ok(
      statuses.some((text) => text.startsWith('Uploading…')),
      `the upload showed its progress: ${statuses}`,
    );
    assert.ok(statuses.includes('Processing…'), `then it was processing: ${statuses}`);
    assert.equal(await placeholder.count(), 0, 'the placeholder is gone');
    const me = await s.request('GET', '/v1/me', { token });
    assert.equal(src, me.body.attributes.profile_picture_url, "the picture is the profile's public URL");
    assert.match(src, /\/s300\.jpg$/);
    const box = await picture.boundingBox();
    assert.deepEqual([box?.width, box?.height], [96, 96], 'shown at 96 px');

    await page.reload();
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    assert.equal(await loadedSrc(page.getByRole('img', { name: 'Your profile picture' })), src, 'still there');

    // The public page shows the picture, decoratively (its alt is empty: the name is beside it).
    await page.goto(`${s.url}/u/robin`);
    await page.getByRole('heading', { name: 'Robin Avatar' }).waitFor();
    assert.equal(await loadedSrc(page.locator(`header img[src="${src}"]`)), src);
    await shot('avatar-public-site');

    await page.goBack();
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove picture' }).click();
    const question = page.getByRole('group', { name: /Remove your profile picture\?/ });
    await question.waitFor();
    await shot('avatar-remove-confirm');
    await question.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('img', { name: 'Your profile picture' }).waitFor();
    assert.ok(
      await hasFocus(page.getByRole('button', { name: 'Remove picture' })),
      'focus is back on the button that asked',
    );
    await page.getByRole('button', { name: 'Remove picture' }).click();
    await question.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('img', { name: 'No profile picture' }).waitFor();
    await page.getByText('Your picture is removed').waitFor();
    assert.ok(await hasFocus(page.getByLabel('Change picture')), 'focus moves to the picker, not to the page start');
    assert.equal(await page.getByRole('img', { name: 'Your profile picture' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Remove picture' }).count(), 0);
    await shot('avatar-removed');
    const after = await s.request('GET', '/v1/me', { token });
    assert.equal(after.body.attributes.profile_picture_url, undefined, 'the profile has no picture any more');
    assert.equal((await s.fetch(src)).status, 404, 'the public picture is deleted');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a file that is not really a JPEG is refused by processing, and a HEIC photo before upload, each saying why', async () => {
    const { s, page, shot, problems } = h;
    const email = 'avatar.refused@example.com';
    const { accessToken: token } = await s.newUser(email, undefined, 'Sam Refused');
    await h.signIn(email);
    await openAccount(page);
    await page.getByRole('img', { name: 'No profile picture' }).waitFor();

    const picker = page.getByLabel('Change picture');
    await picker.setInputFiles({ name: 'x.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a picture') });
    const alert = page.getByRole('group', { name: 'Profile picture' }).getByRole('alert');
    await alert
      .filter({ hasText: 'This picture could not be used. The file is not an image Stratus can read' })
      .waitFor();
    await page.getByRole('img', { name: 'No profile picture' }).waitFor();
    await shot('avatar-refused');

    await picker.setInputFiles({ name: 'IMG_0001.heic', mimeType: 'image/heic', buffer: Buffer.from('heic') });
    await alert.filter({ hasText: 'HEIC photos cannot be read here' }).waitFor();
    await shot('avatar-heic');
    const avatar = await s.request('GET', '/v1/me/avatar', { token });
    assert.equal(avatar.body.status, 'failed', 'the refused upload was the last one the API kept');
    const me = await s.request('GET', '/v1/me', { token });
    assert.equal(me.body.attributes.profile_picture_url, undefined, 'the profile still has no picture');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

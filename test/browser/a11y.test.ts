import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cameraJpeg } from '../support/images.ts';
import { seriousViolations } from './axe.ts';
import { browserHarness, chromiumMissing } from './support.ts';

describe('every screen passes axe’s WCAG 2.1 AA checks at 360 px', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness({ bypassCSP: true });

  test('the signed-out screens: sign in, sign up, confirm, forgot password', async () => {
    for (const path of ['/signin', '/signup', '/confirm?email=a%40example.com', '/forgot-password']) {
      await h.page.goto(`${h.s.url}${path}`);
      await h.page.getByRole('heading', { level: 1 }).waitFor();
      assert.deepEqual(await seriousViolations(h.page), [], path);
    }
    // The checker itself can fail: a planted input without a label is found.
    await h.page.evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend', '<input id="planted">')`);
    assert.match((await seriousViolations(h.page)).join('\n'), /#planted/);
  });

  test('the signed-in screens and a public site', async () => {
    const { s, page } = h;
    const { accessToken: token } = await s.newUser('axe@example.com');
    await s.request('PATCH', '/v1/me', { token, body: { username: 'axe' } });
    await s.request('POST', '/v1/todos', {
      token,
      body: { title: 'Check contrast', tags: ['a11y'], dueDate: '2030-01-01' },
    });
    await s.request('POST', '/v1/notes', {
      token,
      body: { title: 'Hello', body: '# Hi\n\n- one', visibility: 'public' },
    });
    await h.signIn('axe@example.com');
    for (const [path, heading] of [
      ['/', 'To-dos'],
      ['/notes', 'Notes'],
      ['/bookmarks', 'Bookmarks'],
      ['/files', 'Files'],
      ['/account', 'Account'],
      ['/api-keys', 'API keys'],
      ['/u/axe', 'Test User'],
    ] as const) {
      await page.goto(`${s.url}${path}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`);
      assert.deepEqual(await seriousViolations(page), [], path);
    }
  });

  test('the Photos screens, the lightbox, the share dialog and a shared gallery', async () => {
    const { s, page } = h;
    const { accessToken: token } = await s.newUser('axe.photos@example.com');
    const body = await cameraJpeg();
    const started = await s.request('POST', '/v1/photos/uploads', {
      token,
      body: { filename: 'a.jpg', contentType: 'image/jpeg', size: body.length },
    });
    const { photo, upload } = started.body;
    await s.fetch(upload.url, { method: upload.method, headers: upload.headers, body });
    for (let tries = 0; tries < 100; tries++) {
      if ((await s.request('GET', `/v1/photos/${photo.id}`, { token })).body.status === 'ready') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const album = (await s.request('POST', '/v1/albums', { token, body: { title: 'Trip' } })).body;
    await s.request('PUT', `/v1/albums/${album.id}/photos/${photo.id}`, { token });
    const link = (await s.request('POST', '/v1/shares', { token, body: { kind: 'album', id: album.id } })).body;
    await h.signIn('axe.photos@example.com');
    for (const [path, heading] of [
      ['/photos', 'Photos'],
      ['/photos?view=albums', 'Albums'],
      [`/photos?album=${album.id}`, 'Trip'],
      [`/s/${link.token}`, 'Trip'],
      ['/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Link not found'],
    ] as const) {
      await page.goto(`${s.url}${path}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`);
      assert.deepEqual(await seriousViolations(page), [], path);
    }
    // The lightbox (owner's, with its actions) and the share dialog on top of it.
    await page.goto(`${s.url}/photos?album=${album.id}`);
    await page.getByRole('list', { name: 'Photos in Trip' }).getByRole('button').first().click();
    const lightbox = page.getByRole('dialog', { name: 'Photo 1 of 1' });
    await lightbox.getByRole('button', { name: 'Remove from album' }).waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the lightbox');
    await lightbox.getByRole('button', { name: 'Share', exact: true }).click();
    await page.getByRole('dialog', { name: 'Share this photo' }).getByText('No links yet.').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the share dialog');
  });
});

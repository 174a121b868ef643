// Notes, bookmarks and the public site in Chromium on a phone-sized screen: Markdown renders, the
// hostile HTML a note may carry never runs (here or on the public site), a stale edit is caught,
// a duplicate bookmark is refused in the API's words, and a missing site says so.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { browserHarness, chromiumMissing, PASSWORD } from './support.ts';

/** Markdown a reader should see, and three ways a note could try to run script in its readers. */
const HOSTILE_NOTE = [
  '# Groceries',
  '',
  '- Oat milk',
  '- Bread',
  '',
  '<script>window.__pwned=1</script>',
  '',
  '<img src=x onerror="window.__pwned=1">',
  '',
  '[click](javascript:window.__pwned=1)',
].join('\n');

describe('notes, bookmarks and public sites in Chromium', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  /**
   * What must hold wherever the hostile note is shown: its HTML appears as the text it is, no
   * element of the page has a script, an on* attribute or a javascript: URL, and nothing ran.
   */
  async function assertInert(where: Locator) {
    await where.getByText('<script>window.__pwned=1</script>').waitFor();
    assert.equal(await where.locator('script').count(), 0, 'no script element');
    assert.doesNotMatch(await where.innerHTML(), /<script/i, 'no script tag in the markup');
    assert.equal(await where.locator('[onerror]').count(), 0, 'no onerror attribute');
    assert.equal(await where.locator('[href^="javascript:" i], [src^="javascript:" i]').count(), 0, 'no script URL');
    const handlers = await h.page.evaluate(
      "Array.from(document.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes)).filter((a) => a.name.startsWith('on')).length",
    );
    assert.equal(handlers, 0, 'no event handler attribute anywhere on the page');
    await h.page.waitForFunction('Array.from(document.images).every((image) => image.complete)');
    assert.equal(await h.page.evaluate('window.__pwned'), undefined, 'nothing in the note ran');
  }

  test('a public note shows its Markdown, its hostile HTML never runs, and signed-out visitors read it on the site without the private note', async () => {
    const { s, page, shot, problems } = h;
    const email = 'ada@example.com';
    const { accessToken: token } = await s.newUser(email, PASSWORD, 'Ada Lovelace');
    assert.equal((await s.request('PATCH', '/v1/me', { token, body: { username: 'ada-notes' } })).status, 200);
    const secret = await s.request('POST', '/v1/notes', {
      token,
      body: { title: 'Private plans', body: 'Not public' },
    });
    assert.equal(secret.status, 201);

    await h.signIn(email);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Notes' }).click();
    await page.getByRole('link', { name: 'Private plans' }).waitFor();
    await shot('notes');

    await page.getByRole('link', { name: 'New note' }).click();
    const form = page.getByRole('form', { name: 'New note' });
    await form.getByLabel('Title').fill('Shopping list');
    await form.getByLabel('Body').fill(HOSTILE_NOTE);
    await form.getByLabel('Tags').fill('Home, errands');
    await form.getByRole('radio', { name: /^Public/ }).check();
    await form.getByLabel('Show preview').check();
    await form.getByRole('region', { name: 'Preview' }).getByRole('heading', { name: 'Groceries' }).waitFor();
    await shot('note-editor');
    await form.getByRole('button', { name: 'Save note' }).click();

    const note = page.getByRole('article', { name: 'Shopping list' });
    await note.getByRole('heading', { name: 'Groceries' }).waitFor();
    await note.getByRole('listitem').filter({ hasText: 'Oat milk' }).waitFor();
    await note.getByRole('listitem').filter({ hasText: 'Bread' }).waitFor();
    await note.getByText('click', { exact: true }).click(); // the javascript: link, left without its URL
    await assertInert(note);
    await shot('note');

    // The owner follows the link to their site, where the new note is already shown.
    await note.getByRole('link', { name: '/u/ada-notes' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
    await page.getByRole('article', { name: 'Shopping list' }).waitFor();

    // Signed out, a visitor reads the same site.
    await page.goto(`${s.url}/notes`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${s.url}/u/ada-notes`);
    const published = page.getByRole('article', { name: 'Shopping list' });
    await published.getByRole('heading', { name: 'Groceries' }).waitFor();
    await published.getByRole('listitem').filter({ hasText: 'Oat milk' }).waitFor();
    assert.equal(await page.getByText('Private plans').count(), 0, 'the private note is not on the site');
    assert.equal(await page.title(), 'Ada Lovelace');
    await assertInert(published);
    await shot('public-site');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('an edit is saved; an edit of a note changed elsewhere meanwhile is refused, reloaded and keeps the unsaved text; delete asks first', async () => {
    const { s, page, shot, problems } = h;
    const email = 'grace@example.com';
    const { accessToken: token } = await s.newUser(email);
    const created = await s.request('POST', '/v1/notes', { token, body: { title: 'Draft', body: 'First words' } });
    const id: string = created.body.id;

    await h.signIn(email);
    await page.goto(`${s.url}/notes`);
    await page.getByRole('link', { name: 'Draft' }).click();
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Title').fill('Draft, revised');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Draft, revised', level: 1 }).waitFor();

    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Body').waitFor();
    const current = await s.request('GET', `/v1/notes/${id}`, { token });
    const elsewhere = await s.request('PATCH', `/v1/notes/${id}`, {
      token,
      headers: { 'if-match': `"${current.body.version}"` },
      body: { body: 'Changed on the phone' },
    });
    assert.equal(elsewhere.status, 200);
    await page.getByLabel('Body').fill('Changed on the laptop');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'changed elsewhere' }).waitFor();
    assert.equal(await page.getByLabel('Body').inputValue(), 'Changed on the phone', 'the latest version is loaded');
    assert.equal(await page.getByLabel('Your unsaved text').inputValue(), 'Changed on the laptop');
    await shot('note-conflict');

    await page.getByLabel('Body').fill('Phone and laptop, merged');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Phone and laptop, merged').waitFor();

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete note' }).click();
    await page.getByText('No notes yet').waitFor();
    assert.equal((await s.request('GET', `/v1/notes/${id}`, { token })).status, 404, 'the note is gone');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('the note list shows pinned notes first and the rest a page at a time with "Show more"', async () => {
    const { s, page, problems } = h;
    const email = 'edsger@example.com';
    const { accessToken: token } = await s.newUser(email);
    await s.request('POST', '/v1/notes', { token, body: { title: 'Pinned note', pinned: true } });
    for (let n = 1; n <= 21; n++) await s.request('POST', '/v1/notes', { token, body: { title: `Note ${n}` } });

    await h.signIn(email);
    await page.goto(`${s.url}/notes`);
    const titles = page.getByRole('list', { name: 'Notes' }).getByRole('link');
    await page.getByRole('button', { name: 'Show more' }).waitFor();
    assert.equal(await titles.count(), 20, 'one page of 20');
    assert.equal(await titles.first().textContent(), 'Pinned note', 'pinned first');
    assert.equal(await titles.nth(1).textContent(), 'Note 21', 'then newest first');
    await page.getByRole('button', { name: 'Show more' }).click();
    await page.getByRole('link', { name: 'Note 1', exact: true }).waitFor();
    assert.equal(await titles.count(), 22, 'the next page is added below');
    assert.equal(await page.getByRole('button', { name: 'Show more' }).count(), 0, 'no more pages');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a bookmark is added, the same URL again is refused with the reason shown, and it is filtered by tag, edited and deleted', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tim@example.com';
    const { accessToken: token } = await s.newUser(email);
    await s.request('POST', '/v1/bookmarks', {
      token,
      body: { url: 'https://example.org/other', title: 'Other page' },
    });

    await h.signIn(email);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Bookmarks' }).click();
    await page.getByRole('link', { name: 'Other page' }).waitFor();

    await page.getByRole('button', { name: 'Add a bookmark' }).click();
    let form = page.getByRole('form', { name: 'Add a bookmark' });
    await form.getByLabel('URL').fill('example.com/article');
    await form.getByLabel('Title').fill('A good article');
    await form.getByLabel('Description').fill('Worth a second read');
    await form.getByLabel('Tags').fill('Reading, web');
    await form.getByRole('button', { name: 'Add bookmark' }).click();
    const added = page.getByRole('link', { name: 'A good article' });
    await added.waitFor();
    assert.equal(await added.getAttribute('href'), 'https://example.com/article', 'a URL without scheme gets https');

    await page.getByRole('button', { name: 'Add a bookmark' }).click();
    form = page.getByRole('form', { name: 'Add a bookmark' });
    await form.getByLabel('URL').fill('https://EXAMPLE.com/article#intro');
    await form.getByLabel('Title').fill('Same again');
    await form.getByRole('button', { name: 'Add bookmark' }).click();
    await form.getByRole('alert').filter({ hasText: 'You already bookmarked https://example.com/article' }).waitFor();
    await shot('bookmark-duplicate');
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Show only reading' }).click();
    await page.getByText('Showing bookmarks tagged').waitFor();
    await page.getByRole('link', { name: 'Other page' }).waitFor({ state: 'detached' });
    await added.waitFor();
    await page.getByRole('button', { name: 'Show all' }).click();
    await page.getByRole('link', { name: 'Other page' }).waitFor();

    await page.getByRole('button', { name: 'Edit A good article' }).click();
    form = page.getByRole('form', { name: 'Edit A good article' });
    await form.getByLabel('Title').fill('A great article');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('link', { name: 'A great article' }).waitFor();
    await shot('bookmarks');

    await page.getByRole('button', { name: 'Delete A great article' }).click();
    await page.getByRole('button', { name: 'Delete bookmark' }).click();
    await page.getByRole('link', { name: 'A great article' }).waitFor({ state: 'detached' });
    const left = await s.request('GET', '/v1/bookmarks', { token });
    assert.deepEqual(
      left.body.items.map((b: { title: string }) => b.title),
      ['Other page'],
      'the server holds the rest',
    );
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a site that does not exist says "No site here" and links home', async () => {
    const { s, page, shot, problems } = h;
    await page.goto(`${s.url}/u/nobody-here`);
    await page.getByRole('heading', { name: 'No site here' }).waitFor();
    await shot('site-missing');
    await page.getByRole('link', { name: 'Go to Stratus' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });
});

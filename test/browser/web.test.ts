import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestStratus } from '../support/stratus.ts';
import { browserHarness, chromiumMissing, PASSWORD } from './support.ts';

describe('the web app in Chromium, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  test('a new user signs up, confirms with the mailed code, signs in, keeps to-dos and signs out', async () => {
    const { s, page, shot, problems } = h;
    const email = 'grace@example.com';
    const password = PASSWORD;
    await page.goto(s.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('sign-in');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Grace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel(/^Password/).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /password/i })
      .waitFor();
    await shot('sign-up-refused');
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Confirm your email' }).waitFor();
    await page.getByLabel('Code').fill(await s.mailedCode(email));
    await shot('confirm');
    await page.getByRole('button', { name: 'Confirm' }).click();

    await page.getByText('Your account is confirmed: sign in').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), email, 'the email is filled in');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'To-dos' }).waitFor();
    await page.getByText('Nothing here yet').waitFor();
    const newTodo = page.getByLabel('New to-do');
    for (const title of ['Buy oat milk', 'Call the bank', 'Water the plants']) {
      await newTodo.fill(title);
      await newTodo.press('Enter');
      await page.getByRole('listitem').filter({ hasText: title }).waitFor();
    }
    const items = page.getByRole('list', { name: 'To-dos' }).getByRole('listitem');
    assert.deepEqual(await items.allInnerTexts().then((texts) => texts.map((t) => t.split('\n')[0]?.trim())), [
      'Water the plants',
      'Call the bank',
      'Buy oat milk',
    ]);

    await page.getByRole('checkbox', { name: 'Call the bank' }).check();
    await page.getByRole('listitem').filter({ hasText: 'Call the bank' }).and(page.locator('.done')).waitFor();
    await page.getByRole('button', { name: 'Delete Buy oat milk' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted' }).waitFor();
    await shot('to-dos');

    // What the server holds: the tick and the delete (after its undo window) went through.
    await page.getByRole('status').waitFor({ state: 'detached', timeout: 10_000 });
    await page.reload();
    await page.getByRole('listitem').filter({ hasText: 'Water the plants' }).waitFor();
    assert.equal(await items.count(), 2, 'the deleted to-do stays deleted; a reload keeps the session');
    assert.equal(await page.getByRole('checkbox', { name: 'Call the bank' }).isChecked(), true);

    await page.getByRole('radio', { name: 'Done' }).check();
    await page.getByRole('listitem').filter({ hasText: 'Water the plants' }).waitFor({ state: 'detached' });
    assert.equal(await items.count(), 1, 'the Done filter shows only done to-dos');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('an undone delete keeps the to-do', async () => {
    const { s, page, problems } = h;
    await s.newUser('linus@example.com');
    await h.signIn('linus@example.com');
    const newTodo = page.getByLabel('New to-do');
    await newTodo.fill('Keep me');
    await newTodo.press('Enter');
    await page.getByRole('button', { name: 'Delete Keep me' }).click();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('listitem').filter({ hasText: 'Keep me' }).waitFor();
    await page.waitForTimeout(5_500);
    await page.reload();
    await page.getByRole('listitem').filter({ hasText: 'Keep me' }).waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a to-do is edited with a due date and tags, and the list filters by a tag', async () => {
    const { s, page, problems, shot } = h;
    await s.newUser('ada@example.com');
    await h.signIn('ada@example.com');
    const newTodo = page.getByLabel('New to-do');
    for (const title of ['Plan the trip', 'Book the train']) {
      await newTodo.fill(title);
      await newTodo.press('Enter');
      await page.getByRole('button', { name: title, exact: true }).waitFor();
    }
    await page.getByRole('button', { name: 'Book the train', exact: true }).click();
    const editor = page.getByRole('form', { name: 'Edit Book the train' });
    await editor.getByLabel('Title').fill('Book the night train');
    await editor.getByLabel('Due date').fill('2020-01-31');
    await editor.getByLabel(/^Tags/).fill('Travel, urgent');
    await shot('to-do-editor');
    await editor.getByRole('button', { name: 'Save' }).click();
    const item = page.getByRole('listitem').filter({ hasText: 'Book the night train' });
    await item.getByText('Overdue: 2020-01-31').waitFor();
    await item.getByRole('button', { name: 'Show only travel' }).waitFor();

    await item.getByRole('button', { name: 'Show only travel' }).click();
    await page.getByRole('button', { name: 'Plan the trip', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Stop showing only #travel' }).waitFor();
    await shot('to-dos-by-tag');

    const stored = await s.request('GET', '/v1/todos?tag=travel', { token: await tokenOf(s, 'ada@example.com') });
    assert.deepEqual(
      stored.body.items.map((t: { title: string; dueDate: string; tags: string[] }) => [t.title, t.dueDate, t.tags]),
      [['Book the night train', '2020-01-31', ['travel', 'urgent']]],
      'the change reached the server',
    );

    await page.getByRole('button', { name: 'Book the night train', exact: true }).click();
    await page.getByLabel('Title').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal(
      await page
        .getByLabel('Title')
        .evaluate((input) => (input as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing),
      true,
      'an empty title is stopped before it is sent',
    );
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Book the night train', exact: true }).waitFor();
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('more to-dos load as the list scrolls to its end', async () => {
    const { s, page, problems } = h;
    const { accessToken: token } = await s.newUser('many@example.com');
    for (let n = 1; n <= 120; n++) {
      const body = { title: `Task ${String(n).padStart(3, '0')}` };
      // The per-user rate limit (20/s) answers 429 past its burst; its clock is the test's to move.
      while ((await s.request('POST', '/v1/todos', { token, body })).status === 429) s.clock.advance(1000);
    }
    s.clock.advance(5_000); // a full bucket again for the browser's own requests
    await h.signIn('many@example.com');
    const items = page.getByRole('list', { name: 'To-dos' }).getByRole('listitem');
    await page.getByRole('button', { name: 'Task 120', exact: true }).waitFor();
    assert.equal(await items.count(), 50, 'the first page');
    await page.getByRole('button', { name: 'Task 071', exact: true }).scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: 'Task 070', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Task 021', exact: true }).scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: 'Task 001', exact: true }).waitFor();
    assert.equal(await items.count(), 120, 'every to-do, once');
    assert.equal(await page.getByRole('button', { name: 'Show more' }).count(), 0, 'nothing left to load');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('offline, the to-do list opens from the last sync; a to-do added offline is sent once when the connection returns', async () => {
    const { s, page, context, problems, shot } = h;
    await s.newUser('tim@example.com');
    await h.signIn('tim@example.com');
    const newTodo = page.getByLabel('New to-do');
    await newTodo.fill('Pay the rent');
    await newTodo.press('Enter');
    await page.getByRole('button', { name: 'Pay the rent', exact: true }).waitFor();
    // The service worker has kept the app's files once it controls the page.
    await page.waitForFunction(
      () => (globalThis as unknown as BrowserGlobals).navigator.serviceWorker.controller !== null,
    );

    await context.setOffline(true);
    await page.reload();
    await page.getByText('You are offline').waitFor();
    await page.getByRole('button', { name: 'Pay the rent', exact: true }).waitFor();
    await page.getByText('Offline', { exact: true }).waitFor();
    await newTodo.fill('Buy stamps');
    await newTodo.press('Enter');
    const queued = page.getByRole('listitem').filter({ hasText: 'Buy stamps' });
    await queued.getByText('Waiting for the connection').waitFor();
    await shot('to-dos-offline');
    await page.reload();
    await queued.getByText('Waiting for the connection').waitFor(); // the queue outlives a reload

    await context.setOffline(false);
    await queued.getByText('Waiting for the connection').waitFor({ state: 'detached' });
    await page.getByText('You are offline').waitFor({ state: 'detached' });
    const stored = await s.request('GET', '/v1/todos', { token: await tokenOf(s, 'tim@example.com') });
    assert.deepEqual(
      stored.body.items.map((t: { title: string }) => t.title),
      ['Buy stamps', 'Pay the rent'],
      'the to-do added offline reached the server, once',
    );
    await page.reload();
    await page.getByRole('button', { name: 'Buy stamps', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Buy stamps', exact: true }).count(), 1);
    assert.deepEqual(problems, [], 'no console errors');
  });
});

/** A fresh access token for a user the test created, to check what the server holds. */
async function tokenOf(s: TestStratus, email: string): Promise<string> {
  const signIn = await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } });
  return signIn.body.accessToken;
}

/** The part of the page's globals the tests read (this file is type-checked for Node, not the DOM). */
interface BrowserGlobals {
  navigator: { serviceWorker: { controller: object | null } };
}

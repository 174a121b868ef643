import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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
});

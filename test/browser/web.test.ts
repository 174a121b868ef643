import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { TestStratus } from '../support/stratus.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
/** Screenshots of each screen, for people to look at; not committed (.gitignore). */
const SCREENSHOTS = join(import.meta.dirname, '..', '..', '.artifacts', 'screenshots');

const missing = existsSync(CHROMIUM)
  ? undefined
  : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): the browser tests were skipped`;
if (missing) console.warn(`\n${missing}\n`);

describe('the web app in Chromium, on a phone-sized screen', { skip: missing ?? false }, () => {
  let s: TestStratus;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    // `npm test` builds the app first (pretest); this covers running this file alone.
    const build = spawnSync(process.execPath, ['scripts/ensure-web.mjs'], { stdio: 'inherit' });
    assert.equal(build.status, 0, 'the web app builds');
    mkdirSync(SCREENSHOTS, { recursive: true });
    s = await TestStratus.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  beforeEach(async () => {
    // A fresh browser profile per test: nobody is signed in.
    const context = await browser.newContext({
      ignoreHTTPSErrors: true, // the test server's self-signed certificate
      viewport: { width: 360, height: 740 },
    });
    page = await context.newPage();
    problems.length = 0;
    page.on('console', (message) => {
      // Chromium logs every 4xx answer to fetch; the API's refusals of bad input are expected here.
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });
  afterEach(async () => {
    await page.context().close();
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  test('a new user signs up, confirms with the mailed code, signs in, keeps to-dos and signs out', async () => {
    const email = 'grace@example.com';
    const password = 'a long and unusual passphrase';
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
    await s.newUser('linus@example.com');
    await page.goto(`${s.url}/signin`);
    await page.getByLabel('Email').fill('linus@example.com');
    await page.getByLabel('Password').fill('a long and unusual passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
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

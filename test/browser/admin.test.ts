import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Locator } from 'playwright-core';
import { OBJECT_EVENTS_TOPIC } from '../../src/adapters/local/disk-object-store.ts';
import { seriousViolations } from './axe.ts';
import { type BrowserHarness, browserHarness, chromiumMissing, PASSWORD } from './support.ts';

const ADMIN = 'olive.operator@example.com';
const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/**
 * Makes an admin the way an operator does, with `npm run admin -- grant`, in another process on
 * the test's data folder (asynchronously: a blocking spawn would freeze the server it talks to).
 */
async function makeAdmin(h: BrowserHarness, email: string): Promise<void> {
  await h.s.newUser(email, PASSWORD, 'Olive Operator');
  await run(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'grant', email], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: h.s.dataDir, LOG_LEVEL: 'silent' },
  });
}

/** What an element says, hidden words (a button's whose-it-is) included. */
const textOf = async (element: Locator) => (await element.textContent()) ?? '';

/** Waits until nothing on the page is loading. */
const settled = (h: BrowserHarness) => h.page.waitForFunction(`!document.querySelector('[aria-busy="true"]')`);

/** Nothing is wider than the phone: the page never scrolls sideways. */
async function fitsThePhone(h: BrowserHarness, what: string) {
  const width = await h.page.evaluate('document.documentElement.scrollWidth');
  assert.ok((width as number) <= 360, `${what} fits 360 px (${width})`);
}

/** Opens a console section by its link, and waits for its heading and its data. */
async function openSection(h: BrowserHarness, link: string, heading = link) {
  await h.page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: link }).click();
  await h.page.getByRole('heading', { level: 2, name: heading }).waitFor();
  await settled(h);
}

describe('the operator console at /admin, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();
  before(() => makeAdmin(h, ADMIN));

  test('a plain user gets no Admin link, and /admin says the console is for administrators', async () => {
    const { s, page, shot, problems } = h;
    await s.newUser('plain@example.com');
    await h.signIn('plain@example.com');
    const sections = page.getByRole('navigation', { name: 'Sections' });
    await sections.getByRole('link', { name: 'To-dos' }).waitFor();
    assert.equal(await sections.getByRole('link', { name: 'Admin' }).count(), 0, 'no Admin link');

    await page.goto(`${s.url}/admin`);
    await page.getByRole('alert').filter({ hasText: 'The operator console is for administrators.' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Console sections' }).count(), 0, 'no console pages');
    assert.equal(await page.getByRole('list', { name: 'Users' }).count(), 0, 'no user list');
    await shot('admin-not-an-admin');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('an admin finds a user, disables them (their session ends), enables them, and the audit log shows both with the admin’s email', async () => {
    const { s, page, shot, problems } = h;
    const target = await s.newUser('tara.get@example.com', PASSWORD, 'Tara Get');
    await h.signIn(ADMIN);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { level: 1, name: 'Operator console' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Users' }).waitFor();
    await settled(h);

    await page.getByLabel('Email prefix or part of the name').fill('tara');
    await page.getByRole('button', { name: 'Search' }).click();
    const users = page.getByRole('list', { name: 'Users' });
    const row = users.getByRole('listitem').filter({ hasText: 'tara.get@example.com' });
    await row.waitFor();
    await settled(h);
    assert.equal(await users.getByRole('listitem').count(), 1, 'only the user searched for');
    assert.match(await textOf(row), /Enabled/);
    await shot('admin-users');

    s.clock.advance(1000); // sessions end for tokens issued before the disabling second
    await row.getByRole('button', { name: 'Disable tara.get@example.com' }).click();
    await page.getByRole('status').filter({ hasText: 'Disabled tara.get@example.com' }).waitFor();
    await row.getByRole('button', { name: 'Enable tara.get@example.com' }).waitFor();
    assert.match(await textOf(row), /Disabled/);
    await shot('admin-user-disabled');
    assert.equal((await s.request('GET', '/v1/me', { token: target.accessToken })).status, 401, 'their session ended');
    const refused = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'tara.get@example.com', password: PASSWORD },
    });
    assert.equal(refused.status, 401, 'and they cannot sign in');

    await row.getByRole('button', { name: 'Enable tara.get@example.com' }).click();
    await page.getByRole('status').filter({ hasText: 'Enabled tara.get@example.com' }).waitFor();
    await row.getByRole('button', { name: 'Disable tara.get@example.com' }).waitFor();
    const back = await s.request('POST', '/v1/auth/signin', {
      body: { email: 'tara.get@example.com', password: PASSWORD },
    });
    assert.equal(back.status, 200, 'enabled, they sign in again');

    // The API's refusal, in its words, on the admin's own row.
    await page.getByLabel('Email prefix or part of the name').fill('olive');
    await page.getByRole('button', { name: 'Search' }).click();
    const own = users.getByRole('listitem').filter({ hasText: ADMIN });
    await own.waitFor();
    assert.match(await textOf(own), /Admin/, 'shown as an admin');
    await own.getByRole('button', { name: `Disable ${ADMIN}` }).click();
    await own.getByRole('alert').filter({ hasText: 'You cannot disable your own account here' }).waitFor();
    await shot('admin-own-account-refused');

    await openSection(h, 'Audit log');
    const entries = page.getByRole('list', { name: 'Audit entries, newest first' }).getByRole('listitem');
    const [newest, older] = [await textOf(entries.nth(0)), await textOf(entries.nth(1))];
    assert.match(newest, /user\.enable/);
    assert.match(newest, new RegExp(ADMIN.replace(/\./g, '\\.')));
    assert.match(older, /user\.disable/);
    assert.match(older, new RegExp(ADMIN.replace(/\./g, '\\.')));
    assert.match(newest, /127\.0\.0\.1/, 'from where');
    assert.ok(
      (await entries.filter({ hasText: 'admin.grant' }).count()) >= 1,
      'the grant from the command line is there too',
    );
    assert.equal(await page.getByText('The audit log was changed outside the console').count(), 0, 'chain intact');
    await fitsThePhone(h, 'the audit log');
    await shot('admin-audit');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('the data page labels a user’s items by app; metrics show the routes table and named charts; the queue and outbox render', async () => {
    const { s, page, shot, problems } = h;
    const owner = await s.newUser('owner@example.com');
    await s.request('POST', '/v1/todos', { token: owner.accessToken, body: { title: 'Buy oat milk' } });
    await h.signIn(ADMIN);
    await page.goto(`${s.url}/admin/users`);
    await page.getByLabel('Email prefix or part of the name').fill('owner');
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('list', { name: 'Users' })
      .getByRole('listitem')
      .filter({ hasText: 'owner@example.com' })
      .getByRole('link', { name: 'Browse data owner@example.com' })
      .click();

    await page.getByRole('heading', { level: 2, name: 'Data' }).waitFor();
    await settled(h);
    assert.match(await page.getByLabel('Partition key').inputValue(), /^USER#/);
    const items = page.getByRole('list', { name: 'Items' });
    const todo = items.getByRole('listitem').filter({ hasText: 'Buy oat milk' });
    await todo.getByText('todos', { exact: true }).waitFor();
    await items.getByText('accounts', { exact: true }).first().waitFor();
    await fitsThePhone(h, 'the data page');
    await shot('admin-data');

    await openSection(h, 'Metrics');
    const table = page.getByRole('table', { name: /Requests per route/ });
    await table.getByRole('row', { name: /GET \/v1\/admin\/users/ }).waitFor();
    for (const name of [
      'Requests per minute, busiest routes',
      'p99 latency per minute, busiest routes',
      'Queue depth over the last hour',
      'Stream lag over the last hour',
    ]) {
      const chart = page.getByRole('img', { name });
      assert.equal(await chart.evaluate((element) => element.tagName), 'svg', `${name} is an SVG`);
    }
    const dots = await page
      .getByRole('img', { name: 'Requests per minute, busiest routes' })
      .evaluate((svg) => svg.querySelectorAll('circle').length);
    assert.ok(dots > 0, 'the requests chart draws the minutes measured');
    await fitsThePhone(h, 'the metrics page');
    await shot('admin-metrics');
    // On a wide screen the sections become a side list and the charts sit two by two.
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot('admin-metrics-wide');
    await page.setViewportSize({ width: 360, height: 740 });

    await openSection(h, 'Queue');
    await page.getByText('Deliveries waiting').waitFor();
    await page.getByRole('heading', { level: 3, name: 'Stream lag per consumer' }).waitFor();
    await fitsThePhone(h, 'the queue page');
    await shot('admin-queue');

    await openSection(h, 'Outbox');
    const messages = page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
    await messages.filter({ hasText: 'owner@example.com' }).filter({ hasText: 'confirmation code' }).first().waitFor();
    await page.getByLabel('Recipient (email address or phone number)').fill('owner@example.com');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Only messages to').waitFor();
    await settled(h);
    const shown = await messages.allInnerTexts();
    assert.ok(shown.length >= 1, 'the confirmation mail');
    assert.ok(
      shown.every((text) => text.includes('owner@example.com')),
      'only mail to the recipient',
    );
    await fitsThePhone(h, 'the outbox');
    await shot('admin-outbox');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a dead letter is shown with its handler and error, replayed, and dropped after a confirmation', async () => {
    const { s, page, shot, problems } = h;
    // A malformed object event: the object handlers fail on it every time, so it ends as dead letters.
    await s.runtime.queue.enqueue(OBJECT_EVENTS_TOPIC, { poisoned: true });
    const poisoned = () => s.runtime.queue.deadLetters().filter((d) => JSON.stringify(d.payload).includes('poisoned'));
    for (let i = 0; i < 20 && poisoned().length === 0; i++) {
      s.clock.advance(3_600_000); // retries are hours apart on the test clock
      await s.runtime.queue.drain();
    }
    const [first] = poisoned();
    assert.ok(first, 'a dead letter to look at');
    await h.signIn(ADMIN); // after the clock moved: a fresh session
    await page.goto(`${s.url}/admin/queue`);
    await settled(h);
    const letters = page.getByRole('list', { name: 'Queue dead letters' }).getByRole('listitem');
    const letter = letters.filter({ hasText: first.handler }).first();
    await letter.waitFor();
    assert.match(await textOf(letter), new RegExp(OBJECT_EVENTS_TOPIC));
    await letter.getByText('Payload').click();
    await letter.getByText('"poisoned": true').waitFor();
    await shot('admin-queue-dead-letter');

    await page.getByRole('button', { name: `Replay dead letter ${first.id}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Replayed dead letter ${first.id}` })
      .waitFor();
    await page.getByRole('button', { name: `Replay dead letter ${first.id}` }).waitFor({ state: 'detached' });
    assert.equal(
      poisoned().some((d) => d.id === first.id),
      false,
      'back in the queue',
    );

    // Every object handler failed on it: the others' dead letters are still there.
    const second = poisoned()[0];
    assert.ok(second, 'another dead letter, to drop');
    await page.getByRole('button', { name: `Drop dead letter ${second.id}` }).click();
    await page.getByRole('group', { name: new RegExp(`Drop dead letter ${second.id} for good`) }).waitFor();
    await shot('admin-queue-drop-confirm');
    await page.getByRole('button', { name: 'Drop', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Dropped dead letter ${second.id}` })
      .waitFor();
    assert.equal(
      poisoned().some((d) => d.id === second.id),
      false,
      'gone for good',
    );
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('deleting a user asks for their email to be typed, then removes them', async () => {
    const { s, page, shot, problems } = h;
    await s.newUser('leaving@example.com');
    await h.signIn(ADMIN);
    await page.goto(`${s.url}/admin/users`);
    await page.getByLabel('Email prefix or part of the name').fill('leaving');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('list', { name: 'Users' }).getByRole('listitem').filter({ hasText: 'leaving@' });
    await row.getByRole('button', { name: 'Delete leaving@example.com' }).click();
    const question = page.getByRole('group', { name: /Delete leaving@example\.com and everything they own/ });
    const typed = question.getByLabel('Type their email to confirm');
    await typed.fill('leaving@example.org');
    await question.getByRole('button', { name: 'Delete account' }).click();
    await question.getByRole('alert').filter({ hasText: 'Type leaving@example.com exactly' }).waitFor();
    await shot('admin-delete-confirm');
    assert.equal(
      (await s.request('POST', '/v1/auth/signin', { body: { email: 'leaving@example.com', password: PASSWORD } }))
        .status,
      200,
      'not deleted yet',
    );

    await typed.fill('leaving@example.com');
    await question.getByRole('button', { name: 'Delete account' }).click();
    await page.getByRole('status').filter({ hasText: 'Deleted leaving@example.com' }).waitFor();
    await row.waitFor({ state: 'detached' });
    assert.notEqual(
      (await s.request('POST', '/v1/auth/signin', { body: { email: 'leaving@example.com', password: PASSWORD } }))
        .status,
      200,
      'the account is gone',
    );
    assert.deepEqual(problems, [], 'no console errors');
  });

  // Last in this suite: it breaks the chain for good on this server.
  test('an audit entry changed behind the console’s back shows a banner naming the entry', async () => {
    const { s, page, shot, problems } = h;
    const stored = await s.runtime.sqliteTable.get({ PK: 'AUDIT', SK: `ENTRY#${'1'.padStart(12, '0')}` });
    assert.ok(stored, 'the first entry (the grant)');
    await s.runtime.sqliteTable.put({ ...stored, action: 'nothing.to.see' });
    await h.signIn(ADMIN);
    await page.goto(`${s.url}/admin/audit`);
    await page.getByRole('heading', { level: 2, name: 'Audit log' }).waitFor();
    // The first entry is the oldest: page back until it is read.
    const more = page.getByRole('button', { name: 'Show more' });
    await settled(h);
    while (await more.count()) {
      await more.click();
      await settled(h);
    }
    await page
      .getByRole('alert')
      .filter({ hasText: 'The audit log was changed outside the console at entry 1' })
      .waitFor();
    await shot('admin-audit-broken');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

describe('the operator console passes axe’s WCAG 2.1 AA checks at 360 px', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness({ bypassCSP: true });
  before(() => makeAdmin(h, ADMIN));

  test('every console page, the delete confirmation, and the page a non-admin sees', async () => {
    const { s, page, problems } = h;
    const plain = await s.newUser('axe.plain@example.com');
    await s.request('POST', '/v1/todos', { token: plain.accessToken, body: { title: 'Check contrast' } });
    const sub = (await s.request('GET', '/v1/me', { token: plain.accessToken })).body.sub as string;
    await h.signIn(ADMIN);
    for (const [path, heading] of [
      ['/admin', 'Users'],
      [`/admin/data?partition=${encodeURIComponent(`USER#${sub}`)}`, 'Data'],
      ['/admin/queue', 'Queue'],
      ['/admin/outbox', 'Outbox'],
      ['/admin/metrics', 'Metrics'],
      ['/admin/audit', 'Audit log'],
    ] as const) {
      await page.goto(`${s.url}${path}`);
      await page.getByRole('heading', { level: 2, name: heading }).waitFor();
      await settled(h);
      assert.deepEqual(await seriousViolations(page), [], path);
    }
    // The numbers behind a chart, and the typed confirmation before a delete.
    await page.goto(`${s.url}/admin/metrics`);
    await settled(h);
    await page.getByText('Show the numbers').first().click();
    assert.deepEqual(await seriousViolations(page), [], 'a chart’s numbers');
    await page.goto(`${s.url}/admin/users`);
    await settled(h);
    await page.getByRole('button', { name: 'Delete axe.plain@example.com' }).click();
    await page.getByLabel('Type their email to confirm').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the delete confirmation');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await h.signIn('axe.plain@example.com');
    await page.goto(`${s.url}/admin`);
    await page.getByText('The operator console is for administrators.').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'the page a non-admin sees');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

// The Tasks screen in Chromium at 360 px, against a real Stratus: a task made in the editor with a
// due time in another zone, tags, a list, a checklist and reminders is stored as the instant
// that wall-clock time names and listed in its own zone; the list's filters and sort are the
// API's; board cards move by their buttons and by dragging (and a stale move is refused and
// reloaded); the API's refusals (a reminder already past, a time daylight saving skips, a stale
// save) appear in its words; an attachment shows its progress, turns ready and downloads byte
// for byte; a task is deleted only once confirmed.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { seriousViolations } from './axe.ts';
import { browserHarness, chromiumMissing } from './support.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Upload bandwidth while a progress bar is watched: 2 MB takes about 2 s. */
const SLOW_UPLOAD_BYTES_PER_SECOND = 1024 * 1024;

/** Every `<progress>` value the page shows, and every upload row's state text, per file name. */
const WATCH_UPLOADS = `(() => {
  const report = () => {
    for (const bar of document.querySelectorAll('progress')) {
      const name = bar.getAttribute('aria-label');
      window.recordUpload(name, Math.round((bar.value / bar.max) * 100), bar.parentElement?.lastElementChild?.textContent ?? '');
    }
  };
  new MutationObserver(report).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['value'],
  });
})()`;

type Token = string;

async function createTask(h: ReturnType<typeof browserHarness>, token: Token, body: Record<string, unknown>) {
  const reply = await h.s.request('POST', '/v1/tasks', { token, body });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body as { id: string; version: number; title: string };
}

async function openTasks(page: Page) {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
}

/** The titles the list shows, top to bottom, once it has finished loading. */
async function shownTitles(page: Page): Promise<string[]> {
  const list = page.getByRole('list', { name: 'Tasks' });
  await page.locator('ul[aria-label="Tasks"][aria-busy="false"]').waitFor();
  return list.locator(':scope > li').getByRole('link').allTextContents();
}

/** Waits until the list shows exactly `titles`, in order (the list reloads as filters change). */
async function expectTitles(page: Page, titles: string[]) {
  const deadline = Date.now() + 5_000;
  let shown: string[] = [];
  while (Date.now() < deadline) {
    shown = await shownTitles(page);
    if (JSON.stringify(shown) === JSON.stringify(titles)) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(shown, titles);
}

describe('the Tasks screen in Chromium, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  test('a task made in the editor with a due time in another zone, tags, list, checklist and reminders is listed with its due time in that zone', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tasks.create@example.com';
    const { accessToken: token } = await s.newUser(email);
    await h.signIn(email);
    await openTasks(page);
    await page.getByText('No tasks yet').waitFor();

    await page.getByRole('link', { name: 'New task' }).click();
    await page.getByRole('heading', { name: 'New task', level: 1 }).waitFor();
    const deviceZone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.equal(await page.getByLabel('Time zone').inputValue(), deviceZone, 'the zone starts as the device’s');

    const form = page.getByRole('form', { name: 'New task' });
    await form.getByLabel('Title').fill('File the tax return');
    await form.getByLabel('Description').fill('Before the accountant’s deadline');
    await form.getByLabel('Priority').selectOption({ label: 'High' });
    await form.getByLabel('Due date', { exact: true }).fill('2030-01-15');
    assert.equal(await form.getByLabel('Due time', { exact: true }).inputValue(), '09:00', 'a date alone offers 9:00');
    await form.getByLabel('Due time', { exact: true }).fill('09:30');
    await form.getByLabel('Time zone').selectOption('Asia/Tokyo');
    await form.getByLabel('Tags').fill('Money, home');
    await form.getByLabel('List', { exact: true }).fill('Paperwork');
    await form.getByLabel('New checklist item').fill('Find the receipts');
    await form.getByLabel('New checklist item').press('Enter');
    await form.getByLabel('New checklist item').fill('Fill in the form');
    await form.getByRole('button', { name: 'Add item' }).click();
    await form.getByRole('checkbox', { name: 'Find the receipts' }).check();
    await form.getByLabel('Remind me').selectOption({ label: 'Before the due time' });
    await form.getByLabel('How long before').fill('1');
    await form.getByLabel('Unit').selectOption({ label: 'Hours' });
    await form.getByRole('button', { name: 'Add reminder' }).click();
    await form.getByLabel('Remind me').selectOption({ label: 'At the due time' });
    await form.getByRole('button', { name: 'Add reminder' }).click();
    const reminders = form.getByRole('list', { name: 'Reminders' });
    await reminders.getByText('1 hour before the due time').waitFor();
    await page.getByRole('link', { name: 'notification settings' }).waitFor();
    await shot('task-editor-new');

    await form.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-z]{26}$/);
    await page.getByRole('status').filter({ hasText: 'Created “File the tax return”' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop() as string;

    // Stored as the instant 09:30 in Tokyo names, the reminders worked out from it.
    const stored = (await s.request('GET', `/v1/tasks/${id}`, { token })).body;
    assert.equal(stored.dueAt, '2030-01-15T00:30:00.000Z');
    assert.equal(stored.timeZone, 'Asia/Tokyo');
    assert.equal(stored.priority, 'high');
    assert.equal(stored.list, 'Paperwork');
    assert.deepEqual(stored.tags, ['money', 'home']);
    assert.deepEqual(stored.checklist, [
      { text: 'Find the receipts', done: true },
      { text: 'Fill in the form', done: false },
    ]);
    assert.deepEqual(
      stored.reminders.map((r: { fireAt: string }) => r.fireAt),
      ['2030-01-14T23:30:00.000Z', '2030-01-15T00:30:00.000Z'],
    );

    // Read back as the same wall-clock time in its zone, with when each reminder goes.
    const edit = page.getByRole('form', { name: 'Edit File the tax return' });
    assert.equal(await edit.getByLabel('Due date', { exact: true }).inputValue(), '2030-01-15');
    assert.equal(await edit.getByLabel('Due time', { exact: true }).inputValue(), '09:30');
    assert.equal(await edit.getByLabel('Time zone').inputValue(), 'Asia/Tokyo');
    await edit
      .getByRole('list', { name: 'Reminders' })
      .getByText(/Jan 15, 2030, 8:30\sAM \(Asia\/Tokyo\)/)
      .waitFor();
    await shot('task-editor');

    await page.getByRole('link', { name: 'All tasks' }).click();
    const row = page
      .getByRole('list', { name: 'Tasks' })
      .getByRole('listitem')
      .filter({ hasText: 'File the tax return' });
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /Due Jan 15, 2030, 9:30\sAM/, `the due time is Tokyo’s: ${text}`);
    if (deviceZone !== 'Asia/Tokyo') assert.match(text, /\(Asia\/Tokyo\)/, 'the zone is named');
    assert.match(text, /High/);
    assert.match(text, /Paperwork/);
    assert.match(text, /1 of 2 checklist items done/);
    await row.getByRole('button', { name: 'Show only money' }).waitFor();
    await shot('tasks-list');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('filters and sort are the API’s, kept in the address; a task is ticked done and one quick-added', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tasks.filters@example.com';
    const { accessToken: token } = await s.newUser(email);
    const tulips = await createTask(h, token, {
      title: 'Plant tulips',
      priority: 'low',
      dueAt: '2030-03-01T10:00',
      timeZone: 'Europe/Berlin',
      list: 'Home',
      tags: ['garden'],
    });
    await createTask(h, token, {
      title: 'Quarterly report',
      priority: 'urgent',
      dueAt: '2030-02-01T09:00Z',
      list: 'Work',
    });
    await createTask(h, token, { title: 'Fix the fence', status: 'in_progress', tags: ['garden'] });
    await createTask(h, token, {
      title: 'Renew passport',
      priority: 'high',
      dueAt: '2020-01-01T09:00',
      timeZone: 'America/New_York',
    });

    await h.signIn(email);
    await openTasks(page);
    await expectTitles(page, ['Renew passport', 'Fix the fence', 'Quarterly report', 'Plant tulips']);
    const overdueRow = page.getByRole('listitem').filter({ hasText: 'Renew passport' });
    assert.match((await overdueRow.textContent()) ?? '', /Overdue: due Jan 1, 2020, 9:00\sAM/);

    const sort = page.getByLabel('Sort', { exact: true });
    await sort.selectOption({ label: 'Due soonest' });
    await page.waitForURL(/\/tasks\?sort=due$/);
    await expectTitles(page, ['Renew passport', 'Quarterly report', 'Plant tulips', 'Fix the fence']);
    await sort.selectOption({ label: 'Most urgent' });
    await expectTitles(page, ['Quarterly report', 'Renew passport', 'Fix the fence', 'Plant tulips']);

    await page.getByRole('button', { name: /^Filters/ }).click();
    await page.getByLabel('Priority').selectOption({ label: 'Urgent' });
    await page.waitForURL(/priority=urgent/);
    await expectTitles(page, ['Quarterly report']);
    await page.getByRole('button', { name: 'Remove filter Priority: Urgent' }).click();
    await expectTitles(page, ['Quarterly report', 'Renew passport', 'Fix the fence', 'Plant tulips']);

    await page.getByLabel('Tag', { exact: true }).fill('garden');
    await page.waitForURL(/tag=garden/);
    await expectTitles(page, ['Fix the fence', 'Plant tulips']);
    await page.getByLabel('Status', { exact: true }).selectOption({ label: 'In progress' });
    await expectTitles(page, ['Fix the fence']);
    await shot('tasks-filtered');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expectTitles(page, ['Quarterly report', 'Renew passport', 'Fix the fence', 'Plant tulips']);

    await page.getByLabel('List', { exact: true }).fill('home');
    await page.getByLabel('List', { exact: true }).press('Enter');
    await expectTitles(page, ['Plant tulips']);
    await page.getByRole('button', { name: 'Remove filter List: home' }).click();

    await page.getByRole('checkbox', { name: 'Only overdue' }).check();
    await page.waitForURL(/overdue=true/);
    await expectTitles(page, ['Renew passport']);
    // The filtered view survives a reload: it is in the address.
    await page.reload();
    await expectTitles(page, ['Renew passport']);
    await page.getByRole('button', { name: 'Remove filter Overdue' }).click();
    await expectTitles(page, ['Quarterly report', 'Renew passport', 'Fix the fence', 'Plant tulips']);

    // Ticked done: the API has it done.
    await page.getByRole('checkbox', { name: 'Done: Plant tulips' }).check();
    await page.getByRole('status').filter({ hasText: 'Marked “Plant tulips” done.' }).waitFor();
    assert.equal((await s.request('GET', `/v1/tasks/${tulips.id}`, { token })).body.status, 'done');

    await sort.selectOption({ label: 'Newest first' });
    await page.getByLabel('New task').fill('Buy stamps');
    await page.getByLabel('New task').press('Enter');
    await page.getByRole('status').filter({ hasText: 'Added “Buy stamps”.' }).waitFor();
    assert.equal((await shownTitles(page))[0], 'Buy stamps');
    const all = (await s.request('GET', '/v1/tasks', { token })).body.items;
    assert.equal(all[0].title, 'Buy stamps');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a board card moves to Done by its Move button and to In progress by dragging; a stale move is refused and reloaded', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tasks.board@example.com';
    const { accessToken: token } = await s.newUser(email);
    const report = await createTask(h, token, {
      title: 'Write the report',
      priority: 'high',
      dueAt: '2030-05-01T09:00Z',
    });
    const bank = await createTask(h, token, { title: 'Call the bank', checklist: [{ text: 'Find the number' }] });
    const plants = await createTask(h, token, { title: 'Water the plants', priority: 'low' });

    await h.signIn(email);
    await openTasks(page);
    await page.getByRole('navigation', { name: 'Task views' }).getByRole('link', { name: 'Board' }).click();
    await page.waitForURL(/\/tasks\/board$/);
    const column = (name: string) => page.getByRole('region', { name: new RegExp(`^${name} `) });
    const todo = column('To do');
    await todo.getByRole('link', { name: 'Write the report' }).waitFor();
    await shot('tasks-board');

    // By the keyboard and touch alternative.
    await page.getByRole('button', { name: 'Move “Write the report” to Done' }).click();
    await column('Done').getByRole('link', { name: 'Write the report' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Moved “Write the report” to Done.' }).waitFor();
    assert.equal((await s.request('GET', `/v1/tasks/${report.id}`, { token })).body.status, 'done');
    const focused = (await page.evaluate('document.activeElement?.textContent ?? ""')) as string;
    assert.match(focused, /Write the report/, 'focus follows the card to its new column');

    // By dragging.
    const card = todo.getByRole('listitem').filter({ hasText: 'Call the bank' });
    await card.dragTo(column('In progress'));
    await column('In progress').getByRole('link', { name: 'Call the bank' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Moved “Call the bank” to In progress.' }).waitFor();
    assert.equal((await s.request('GET', `/v1/tasks/${bank.id}`, { token })).body.status, 'in_progress');
    await shot('tasks-board-moved');

    // Changed elsewhere after the board was read: the move is refused, and the board reloads.
    const renamed = await s.request('PATCH', `/v1/tasks/${plants.id}`, {
      token,
      headers: { 'if-match': `"${plants.version}"` },
      body: { title: 'Water the plants and the lawn' },
    });
    assert.equal(renamed.status, 200);
    await page.getByRole('button', { name: 'Move “Water the plants” to Done' }).click();
    await page.getByRole('alert').filter({ hasText: 'was changed elsewhere, so it was not moved' }).waitFor();
    await todo.getByRole('link', { name: 'Water the plants and the lawn' }).waitFor();
    assert.equal((await s.request('GET', `/v1/tasks/${plants.id}`, { token })).body.status, 'todo');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('the editor shows the API’s refusals: a reminder already past, a time daylight saving skips, a stale save', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tasks.refusals@example.com';
    const { accessToken: token } = await s.newUser(email);
    const task = await createTask(h, token, {
      title: 'Book flights',
      dueAt: '2030-06-01T12:00',
      timeZone: 'Europe/Berlin',
    });
    await h.signIn(email);
    await page.goto(`${s.url}/tasks/${task.id}`);
    const form = page.getByRole('form', { name: 'Edit Book flights' });
    await form.getByLabel('Title').waitFor();

    await form.getByLabel('Remind me').selectOption({ label: 'At a date and time' });
    await form.getByLabel('Reminder date').fill('2020-01-01');
    await form.getByLabel('Reminder time').fill('10:00');
    await form.getByRole('button', { name: 'Add reminder' }).click();
    await form.getByRole('button', { name: 'Save' }).click();
    const alert = form.getByRole('alert').filter({ hasText: /\S/ });
    await alert.filter({ hasText: 'which has passed: choose a later time' }).waitFor();
    assert.match((await alert.textContent()) ?? '', /Wed 1 Jan 2020, 10:00 \(Europe\/Berlin\)/);
    await shot('task-editor-past-reminder');
    await form.getByRole('button', { name: /^Remove reminder: At / }).click();

    await form.getByLabel('Due date', { exact: true }).fill('2030-03-31');
    await form.getByLabel('Due time', { exact: true }).fill('02:30');
    await form.getByRole('button', { name: 'Save' }).click();
    await alert.filter({ hasText: 'does not exist in Europe/Berlin' }).waitFor();

    // Someone else changes it meanwhile: nothing is saved, and the user's edit is kept on the newest version.
    await form.getByLabel('Due time', { exact: true }).fill('03:30');
    const other = await s.request('PATCH', `/v1/tasks/${task.id}`, {
      token,
      headers: { 'if-match': `"${task.version}"` },
      body: { description: 'Window seat' },
    });
    assert.equal(other.status, 200);
    await form.getByRole('button', { name: 'Save' }).click();
    await alert.filter({ hasText: 'changed elsewhere since you opened it' }).waitFor();
    assert.equal(await form.getByLabel('Description').inputValue(), 'Window seat');
    assert.equal(await form.getByLabel('Due time', { exact: true }).inputValue(), '03:30');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = (await s.request('GET', `/v1/tasks/${task.id}`, { token })).body;
    assert.equal(saved.dueAt, '2030-03-31T01:30:00.000Z', '03:30 in Berlin, summer time');
    assert.equal(saved.description, 'Window seat');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('an attached file shows its progress, turns ready, downloads byte for byte, and can be removed', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tasks.files@example.com';
    const { accessToken: token } = await s.newUser(email);
    const task = await createTask(h, token, { title: 'Send the contract' });
    await h.signIn(email);
    await page.goto(`${s.url}/tasks/${task.id}`);
    await page.getByRole('heading', { name: 'Attachments' }).waitFor();
    await page.getByText('No files attached.').waitFor();

    const seen = new Map<string, { percents: number[]; states: string[] }>();
    await page.exposeFunction('recordUpload', (name: string, percent: number, state: string) => {
      const entry = seen.get(name) ?? { percents: [], states: [] };
      if (entry.percents.at(-1) !== percent) entry.percents.push(percent);
      if (entry.states.at(-1) !== state) entry.states.push(state);
      seen.set(name, entry);
    });
    await page.evaluate(WATCH_UPLOADS);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const throttle = (uploadThroughput: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput,
      });
    await throttle(SLOW_UPLOAD_BYTES_PER_SECOND);

    const contract = randomBytes(2 * 1024 * 1024);
    await page
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'contract.pdf', mimeType: 'application/pdf', buffer: contract }]);
    await page.getByRole('progressbar', { name: 'contract.pdf' }).waitFor();
    await shot('task-attachment-uploading');
    const uploads = page.getByRole('list', { name: 'Uploads' });
    await uploads.getByText('Ready', { exact: true }).waitFor({ timeout: 15_000 });
    await throttle(-1);

    const { percents, states } = seen.get('contract.pdf') ?? { percents: [], states: [] };
    assert.equal(percents.at(-1), 100, `the bar ends full: ${percents.join(', ')}`);
    assert.ok(
      percents.filter((p) => p > 0 && p < 100).length >= 2,
      `the upload shows its progress in steps: ${percents.join(', ')}`,
    );
    assert.equal(states.at(-1), 'Ready', `the row ends ready: ${states.join(' → ')}`);
    assert.ok(
      states.some((state) => /^\d+%$/.test(state)),
      `percentages were shown: ${states.join(' → ')}`,
    );

    const files = page.getByRole('list', { name: 'Attached files' });
    const link = files.getByRole('link', { name: 'Download contract.pdf' });
    await link.waitFor();
    await shot('task-attachment-ready');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'contract.pdf');
    assert.equal(sha256(await readFile(await download.path())), sha256(contract), 'the download is the upload');

    await files.getByRole('button', { name: 'Remove contract.pdf' }).click();
    await page.getByRole('group', { name: /Remove “contract\.pdf” from this task\?/ }).waitFor();
    await page.getByRole('button', { name: 'Yes, remove' }).click();
    await link.waitFor({ state: 'detached' });
    const left = await s.request('GET', `/v1/tasks/${task.id}/attachments`, { token });
    assert.deepEqual(left.body.items, []);
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a task is deleted only once confirmed, and the list says so', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tasks.delete@example.com';
    const { accessToken: token } = await s.newUser(email);
    const task = await createTask(h, token, { title: 'Cancel the gym', tags: ['money'] });
    await createTask(h, token, { title: 'Keep this one' });
    await h.signIn(email);
    await openTasks(page);
    await page.getByRole('link', { name: 'Cancel the gym' }).click();
    const section = page.getByRole('region', { name: 'Delete this task' });
    await page.getByRole('form', { name: 'Edit Cancel the gym' }).waitFor();
    await section.getByRole('button', { name: 'Delete task' }).click();
    await section.getByRole('group', { name: /Delete “Cancel the gym”\?/ }).waitFor();
    await shot('task-delete-confirm');
    await section.getByRole('button', { name: 'Cancel', exact: true }).click();
    assert.equal((await s.request('GET', `/v1/tasks/${task.id}`, { token })).status, 200, 'Cancel keeps it');

    await section.getByRole('button', { name: 'Delete task' }).click();
    await section.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForURL(/\/tasks$/);
    await page.getByRole('status').filter({ hasText: 'Deleted “Cancel the gym”.' }).waitFor();
    await expectTitles(page, ['Keep this one']);
    assert.equal((await s.request('GET', `/v1/tasks/${task.id}`, { token })).status, 404);
    assert.deepEqual(problems, [], 'no console errors');
  });
});

describe('the Tasks screens pass axe’s WCAG 2.1 AA checks', { skip: chromiumMissing ?? false }, () => {
  // The checker is injected into the page, which the app's CSP would refuse.
  const h = browserHarness({ bypassCSP: true });

  test('the list (filters open), the board and the editor have no serious or critical violations', async () => {
    const { s, page, shot, problems } = h;
    const email = 'tasks.axe@example.com';
    const { accessToken: token } = await s.newUser(email);
    const task = await createTask(h, token, {
      title: 'Check contrast',
      priority: 'urgent',
      dueAt: '2020-01-01T09:00',
      timeZone: 'Asia/Tokyo',
      tags: ['a11y'],
      list: 'Work',
      checklist: [{ text: 'Badges', done: true }, { text: 'Buttons' }],
    });
    await createTask(h, token, { title: 'In flight', status: 'in_progress', priority: 'high' });
    await createTask(h, token, { title: 'Finished', status: 'done', priority: 'low', reminders: [] });
    await h.signIn(email);

    await page.goto(`${s.url}/tasks?tag=a11y`);
    await page.getByRole('link', { name: 'Check contrast' }).waitFor();
    await page.getByRole('button', { name: /^Filters/ }).click();
    assert.deepEqual(await seriousViolations(page), [], 'list');

    await page.goto(`${s.url}/tasks/board`);
    await page
      .getByRole('region', { name: /^Done / })
      .getByRole('link', { name: 'Finished' })
      .waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'board');

    await page.goto(`${s.url}/tasks/${task.id}`);
    await page.getByRole('heading', { name: 'Attachments' }).waitFor();
    await page.getByText('No files attached.').waitFor();
    assert.deepEqual(await seriousViolations(page), [], 'editor');

    // Where there is room, the board's columns stand side by side.
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.goto(`${s.url}/tasks/board`);
    await page
      .getByRole('region', { name: /^Done / })
      .getByRole('link', { name: 'Finished' })
      .waitFor();
    const tops = await Promise.all(
      ['To do', 'In progress', 'Done'].map(async (name) => {
        const box = await page.getByRole('region', { name: new RegExp(`^${name} `) }).boundingBox();
        return box?.y;
      }),
    );
    assert.equal(new Set(tops).size, 1, `the columns share a row: ${tops.join(', ')}`);
    await shot('tasks-board-wide');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

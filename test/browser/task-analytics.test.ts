import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestStratus } from '../support/stratus.ts';
import { browserHarness, chromiumMissing } from './support.ts';

interface DayRow {
  day: string;
  created: number;
  completed: number;
}

async function createTask(s: TestStratus, token: string, body: Record<string, unknown>) {
  const created = await s.request('POST', '/v1/tasks', { token, body: { timeZone: 'UTC', ...body } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; version: number };
}

async function complete(s: TestStratus, token: string, task: { id: string; version: number }) {
  const done = await s.request('PATCH', `/v1/tasks/${task.id}`, {
    token,
    body: { status: 'done' },
    headers: { 'if-match': `"${task.version}"` },
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
}

/** The rows of the daily chart's table alternative (opened first). */
async function dailyTable(page: Page): Promise<DayRow[]> {
  const table = page.getByRole('table', { name: 'Tasks created and completed per day' });
  if (!(await table.isVisible())) {
    await page.getByRole('region', { name: 'Created and completed per day' }).getByText('Show the numbers').click();
  }
  const days: DayRow[] = [];
  // Body rows only: each starts with its day as a row header.
  for (const row of await table
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader') })
    .all()) {
    const [created = '', completed = ''] = await row.getByRole('cell').allTextContents();
    days.push({
      day: (await row.getByRole('rowheader').textContent()) ?? '',
      created: Number(created),
      completed: Number(completed),
    });
  }
  return days;
}

/** Waits until the daily table (opened) has `count` days. */
async function waitForDays(page: Page, count: number): Promise<DayRow[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const rows = await dailyTable(page);
    if (rows.length === count) return rows;
    assert.ok(Date.now() < deadline, `the daily table shows ${count} days (it shows ${rows.length})`);
    await page.waitForTimeout(100);
  }
}

/** The headline figures' values, in order, on one line each. */
const figureTexts = async (page: Page) =>
  (await page.getByRole('definition').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());

const total = (rows: DayRow[], key: 'created' | 'completed') => rows.reduce((sum, row) => sum + row[key], 0);

describe('task analytics in Chromium, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  test('shows the period’s figures and charts with their tables, and refetches for another period', async () => {
    const { s, page, shot, problems } = h;
    const email = 'ada.analytics@example.com';
    const { accessToken: token } = await s.newUser(email);
    const now = s.clock.now();
    const report = await createTask(s, token, { title: 'Write the report', priority: 'urgent' });
    const invoice = await createTask(s, token, { title: 'Send the invoice', priority: 'high' });
    await createTask(s, token, {
      title: 'Renew the passport',
      priority: 'medium',
      dueAt: new Date(now - 3_600_000).toISOString(),
    });
    s.clock.advance(30 * 60_000); // half an hour to complete (less than the access token's hour)
    await complete(s, token, report);
    await complete(s, token, invoice);
    await s.runtime.dispatcher.drain();
    const expected = await s.request('GET', '/v1/task-analytics', { token });
    assert.equal(expected.status, 200, JSON.stringify(expected.body));
    assert.equal(expected.body.created, 3);
    assert.equal(expected.body.completed, 2);

    await h.signIn(email);
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/task-analytics')) asked.push(new URL(request.url()).search);
    });
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.waitForURL('**/tasks/analytics');
    await page.getByRole('img', { name: 'Chart: tasks created and completed per day' }).waitFor();

    assert.deepEqual(
      await figureTexts(page),
      ['3', '2', '67% of the tasks created', '1', `${Math.round(expected.body.medianHoursToComplete * 60)} min`],
      'created, completed, completion rate, overdue now, median time to complete',
    );
    assert.deepEqual(await page.getByRole('term').allInnerTexts(), [
      'Created',
      'Completed',
      'Completion rate',
      'Overdue now',
      'Median time to complete',
    ]);

    // Each chart is drawn on a canvas, and named; its table holds the same numbers.
    for (const name of ['tasks created and completed per day', 'tasks by status', 'tasks by priority']) {
      const chart = page.getByRole('img', { name: `Chart: ${name}` });
      assert.ok((await chart.locator('canvas').count()) > 0, `${name} is drawn`);
      const box = await chart.boundingBox();
      assert.ok(box && box.width > 250 && box.width <= 360, `${name} fits the phone's width (${box?.width})`);
    }
    const days = await dailyTable(page);
    assert.equal(days.length, 30, 'the last 30 days by default');
    assert.deepEqual(asked, [''], 'one request, for the API’s default period');
    assert.equal(total(days, 'created'), 3);
    assert.equal(total(days, 'completed'), 2);

    await page.getByRole('region', { name: 'Tasks by status' }).getByText('Show the numbers').click();
    const byStatus = page.getByRole('table', { name: 'Tasks by status' });
    await byStatus.getByRole('row', { name: 'Done 2' }).waitFor();
    await byStatus.getByRole('row', { name: 'To do 1' }).waitFor();
    await byStatus.getByRole('row', { name: 'In progress 0' }).waitFor();
    await page.getByRole('region', { name: 'Tasks by priority' }).getByText('Show the numbers').click();
    const byPriority = page.getByRole('table', { name: 'Tasks by priority' });
    for (const row of ['Urgent 1', 'High 1', 'Medium 1', 'Low 0'])
      await byPriority.getByRole('row', { name: row }).waitFor();
    await shot('task-analytics');

    // Another period is another request: seven days, then two chosen dates.
    asked.length = 0;
    await page.getByRole('radio', { name: 'Last 7 days' }).check();
    const week = await waitForDays(page, 7);
    assert.equal(total(week, 'created'), 3);
    const today = expected.body.to as string;
    const weekAgo = new Date(Date.parse(`${today}T12:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(asked, [`?from=${weekAgo}&to=${today}`]);
    await shot('task-analytics-week');

    // A wider window redraws the charts at the new width (the canvas follows its box).
    const daily = page.getByRole('img', { name: 'Chart: tasks created and completed per day' });
    const canvasWidth = () =>
      daily.locator('canvas').evaluate((canvas) => (canvas as { clientWidth: number }).clientWidth);
    const narrow = await canvasWidth();
    await page.setViewportSize({ width: 900, height: 740 });
    await page.waitForFunction(([chart, before]) => (chart as { clientWidth: number } | null)?.clientWidth !== before, [
      await daily.locator('canvas').elementHandle(),
      narrow,
    ] as const);
    assert.ok((await canvasWidth()) > narrow + 200, 'the chart grew with the window');
    await shot('task-analytics-wide');
    await page.setViewportSize({ width: 360, height: 740 });

    await page.getByRole('radio', { name: 'Dates…' }).check();
    const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(yesterday);
    await page.getByLabel('To', { exact: true }).fill(today);
    await page.getByRole('button', { name: 'Show' }).click();
    await waitForDays(page, 2);
    assert.equal(asked.at(-1), `?from=${yesterday}&to=${today}`);
    await shot('task-analytics-dates');

    // A period the API refuses: its words, and no stale charts presented as the answer.
    await page.getByLabel('From').fill(today);
    await page.getByLabel('To', { exact: true }).fill(yesterday);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('alert').filter({ hasText: 'must not be after' }).waitFor();
    assert.equal(await page.getByRole('img').count(), 0, 'the charts of the last answer are gone');
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('a user without tasks sees zero figures and an empty state instead of charts', async () => {
    const { s, page, problems } = h;
    const email = 'ada.empty@example.com';
    await s.newUser(email);
    await h.signIn(email);
    await page.goto(`${s.url}/tasks/analytics`);
    await page.getByText('No tasks were created or completed in this period.').waitFor();
    assert.deepEqual(await figureTexts(page), ['0', '0', '— of the tasks created', '0', '—']);
    assert.equal(await page.getByRole('img').count(), 0, 'no empty charts');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

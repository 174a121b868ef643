import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserHarness, chromiumMissing, PASSWORD } from './support.ts';

const MINUTE = 60_000;

describe('a task’s reminder, end to end in the browser', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  test('a task made with a reminder a minute ahead is mailed and notified in the app; completing it changes the chart', async () => {
    const { s, page, shot, problems } = h;
    const email = 'reminder.flow@example.com';
    await s.newUser(email);
    await h.signIn(email);

    // The task, made in the editor, with a reminder at a time a minute or two ahead (UTC).
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('link', { name: 'New task' }).click();
    const form = page.getByRole('form', { name: 'New task' });
    await form.getByLabel('Title').fill('Pay the rent');
    await form.getByLabel('Time zone').selectOption('UTC');
    const remindAt = new Date(s.clock.now() + 2 * MINUTE).toISOString();
    await form.getByLabel('Remind me').selectOption({ label: 'At a date and time' });
    await form.getByLabel('Reminder date').fill(remindAt.slice(0, 10));
    await form.getByLabel('Reminder time').fill(remindAt.slice(11, 16));
    await form.getByRole('button', { name: 'Add reminder' }).click();
    await form.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-z]{26}$/);

    // The analytics before: one task created, none done.
    await page.goto(`${s.url}/tasks/analytics`);
    await page.getByRole('region', { name: 'Tasks by status' }).getByText('Show the numbers').click();
    const byStatus = page.getByRole('table', { name: 'Tasks by status' });
    await byStatus.getByRole('row', { name: 'Done 0' }).waitFor();
    await byStatus.getByRole('row', { name: 'To do 1' }).waitFor();

    // A minute passes: the scheduler's tick sends the reminder.
    s.clock.advance(3 * MINUTE);
    await s.runtime.dispatcher.drain();
    await s.runtime.scheduler.tick();

    await page.goto(`${s.url}/_dev/outbox?to=${encodeURIComponent(email)}`);
    await page.getByRole('article').filter({ hasText: 'Reminder: Pay the rent' }).waitFor();
    await shot('reminder-outbox');

    await page.goto(`${s.url}/tasks`);
    await page.getByRole('link', { name: 'Notifications, 1 unread' }).click();
    await page.getByRole('link', { name: 'Reminder: Pay the rent' }).waitFor();
    await shot('reminder-notification');

    // Completing the task moves it in the chart.
    await page.goto(`${s.url}/tasks`);
    await page.getByRole('checkbox', { name: 'Done: Pay the rent' }).check();
    // The list saves in the background: wait for the task to be done, then for the counters.
    const { accessToken: token } = (await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } }))
      .body;
    for (let tries = 0; ; tries++) {
      const { body } = await s.request('GET', '/v1/tasks?status=done', { token });
      if (body.items.length === 1) break;
      assert.ok(tries < 50, 'the task was completed');
      await new Promise((r) => setTimeout(r, 100));
    }
    await s.runtime.dispatcher.drain();
    await page.goto(`${s.url}/tasks/analytics`);
    await page.getByRole('region', { name: 'Tasks by status' }).getByText('Show the numbers').click();
    await byStatus.getByRole('row', { name: 'Done 1' }).waitFor();
    await byStatus.getByRole('row', { name: 'To do 0' }).waitFor();
    await shot('reminder-analytics-after');
    assert.deepEqual(problems, []);
  });
});

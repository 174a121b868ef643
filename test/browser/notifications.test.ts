import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { TestStratus } from '../support/stratus.ts';
import { browserHarness, chromiumMissing } from './support.ts';

const PHONE = '+15555550100';

/** The code in the newest text message to `to`. */
async function textedCode(s: TestStratus, to: string): Promise<string> {
  const messages = await s.runtime.outbox.list({ to });
  const code = /\b(\d{6})\b/.exec(messages[0]?.text ?? '')?.[1];
  assert.ok(code, `a code was texted to ${to}`);
  return code;
}

/** Creates a task whose reminder is due `minutes` from the server's now; returns its id. */
async function taskWithReminder(s: TestStratus, token: string, title: string, minutes: number): Promise<string> {
  const now = s.clock.now();
  const created = await s.request('POST', '/v1/tasks', {
    token,
    body: {
      title,
      dueAt: new Date(now + 10 * 60_000).toISOString(),
      timeZone: 'UTC',
      reminders: [{ at: new Date(now + minutes * 60_000).toISOString() }],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}

/** Moves the server's clock five minutes on and lets the scheduler send the reminders due. */
async function sendDueReminders(s: TestStratus): Promise<void> {
  await s.runtime.dispatcher.drain();
  s.clock.advance(5 * 60_000);
  await s.runtime.scheduler.tick();
  await s.runtime.dispatcher.drain();
}

const smsBox = (page: Page) => page.getByRole('checkbox', { name: 'SMS (text message)' });

describe('notifications in Chromium, on a phone-sized screen', { skip: chromiumMissing ?? false }, () => {
  const h = browserHarness();

  test('settings save a channel, prove a phone with the texted code, then allow SMS', async () => {
    const { s, page, shot, problems } = h;
    const email = 'ada.settings@example.com';
    const { accessToken: token } = await s.newUser(email);
    await h.signIn(email);

    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Notification settings' }).waitFor();
    assert.equal(await smsBox(page).isDisabled(), true, 'SMS waits for a verified phone');
    assert.match((await smsBox(page).getAttribute('aria-describedby')) ?? '', /.+/, 'and says why');
    await page.getByText('SMS needs a verified phone number').waitFor();
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'UTC', 'the saved zone is selected');
    await shot('notification-settings');

    // A channel off, a zone and the digest: saved with If-Match, and the API holds them.
    await page.getByRole('checkbox', { name: 'Email', exact: true }).uncheck();
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByRole('checkbox', { name: /daily|every day/i }).check();
    await page.getByLabel('At', { exact: true }).selectOption('8');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = await s.request('GET', '/v1/notifications/settings', { token });
    assert.equal(saved.body.channels.email, false);
    assert.equal(saved.body.timeZone, 'Europe/Berlin');
    assert.deepEqual(saved.body.digest, { enabled: true, hour: 8 });

    // Saved elsewhere meanwhile: the page says so and shows what is saved now.
    const elsewhere = await s.request('PATCH', '/v1/notifications/settings', {
      token,
      body: { channels: { inApp: false } },
    });
    assert.equal(elsewhere.status, 200);
    await page.getByRole('checkbox', { name: 'Email', exact: true }).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'changed elsewhere' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'In the app' }).isChecked(), false, 'the saved state');
    assert.equal(await page.getByRole('checkbox', { name: 'Email', exact: true }).isChecked(), false);

    // The phone: a malformed number is refused in the API's words.
    const phone = page.getByLabel('Phone number');
    await phone.fill('5555550100');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /E\.164/ })
      .waitFor();

    await phone.fill(PHONE);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('6-digit code').waitFor();
    const code = await textedCode(s, PHONE);

    // Asking again at once: the API's wait is shown.
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /wait \d+ s/ })
      .waitFor();

    // A wrong code: the API's message, with the tries left.
    await page.getByLabel('6-digit code').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is wrong: 4 tries left' }).waitFor();
    await shot('notification-settings-wrong-code');

    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${PHONE} is verified` })
      .waitFor();
    await page.getByText('Verified', { exact: true }).waitFor();
    assert.equal(await smsBox(page).isEnabled(), true, 'SMS can be turned on now');
    await smsBox(page).check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const withSms = await s.request('GET', '/v1/notifications/settings', { token });
    assert.equal(withSms.body.channels.sms, true);
    assert.deepEqual(withSms.body.phone, { number: PHONE, verified: true });
    await shot('notification-settings-verified');

    // Removing the phone turns SMS off again.
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('group', { name: `Remove ${PHONE}? SMS turns off.` }).waitFor();
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: 'removed' }).waitFor();
    assert.equal(await smsBox(page).isDisabled(), true);
    assert.equal(await smsBox(page).isChecked(), false);
    const removed = await s.request('GET', '/v1/notifications/settings', { token });
    assert.equal(removed.body.channels.sms, false);
    assert.equal(removed.body.phone, undefined);
    assert.deepEqual(problems, [], 'no console errors');
  });

  test('the bell counts unread reminders; the list marks late ones, opens one (marking it read), marks all read', async () => {
    const { s, page, shot, problems } = h;
    const email = 'ada.inbox@example.com';
    const { accessToken: token } = await s.newUser(email);
    // Sent five minutes on: the first reminder three minutes after its time (late), the second one.
    const firstId = await taskWithReminder(s, token, 'Water the plants', 2);
    await taskWithReminder(s, token, 'Call the bank', 4);
    await sendDueReminders(s);
    const count = await s.request('GET', '/v1/notifications/unread-count', { token });
    assert.deepEqual(count.body, { unread: 2, capped: false }, 'the reminders are in the inbox');

    await h.signIn(email);
    const bell = page.getByRole('link', { name: 'Notifications, 2 unread' });
    await bell.waitFor();
    await shot('notification-bell');
    await bell.click();

    const list = page.getByRole('list', { name: 'Notifications' });
    const rows = list.getByRole('listitem');
    await rows.filter({ hasText: 'Reminder: Water the plants' }).waitFor();
    assert.equal(await rows.count(), 2);
    assert.match((await rows.first().textContent()) ?? '', /Reminder: Call the bank/, 'newest first');
    await rows.filter({ hasText: 'Water the plants' }).getByText('Sent late').waitFor();
    assert.equal(
      await rows.filter({ hasText: 'Call the bank' }).getByText('Sent late').count(),
      0,
      'only late ones say so',
    );
    await shot('notifications');

    // Opening one follows its link and marks it read; the bell counts again.
    await page.getByRole('link', { name: 'Reminder: Water the plants' }).click();
    await page.waitForURL(`**/tasks/${firstId}`);
    await page.getByRole('link', { name: 'Notifications, 1 unread' }).waitFor();
    const unread = await s.request('GET', '/v1/notifications?unread=true', { token });
    assert.deepEqual(
      unread.body.items.map((n: { title: string }) => n.title),
      ['Reminder: Call the bank'],
    );

    await page.getByRole('link', { name: 'Notifications, 1 unread' }).click();
    await page.getByRole('radio', { name: 'Unread' }).check();
    await rows.filter({ hasText: 'Reminder: Water the plants' }).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 1, 'the Unread filter shows only unread ones');

    await page.getByRole('button', { name: 'Mark all read' }).click();
    await page.getByRole('status').filter({ hasText: 'Marked 1 read.' }).waitFor();
    await page.getByRole('link', { name: 'Notifications', exact: true }).waitFor();
    await page.getByRole('button', { name: /^Mark read/ }).waitFor({ state: 'detached' });
    const after = await s.request('GET', '/v1/notifications/unread-count', { token });
    assert.deepEqual(after.body, { unread: 0, capped: false });
    assert.deepEqual(problems, [], 'no console errors');
  });
});

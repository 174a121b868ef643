import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestClock } from '../../../test/support/clock.ts';
import { TestStratus } from '../../../test/support/stratus.ts';
import { ScheduleRunner } from '../common/schedule.ts';
import { Deliverer } from '../notifications/delivery.ts';
import { Inbox } from '../notifications/inbox.ts';
import { NotificationSettingsService } from '../notifications/settings.ts';
import { reminderWorker } from './reminders.ts';

const MINUTE = 60_000;
const PASSWORD = 'a long and unusual passphrase';

describe('reminders, digests and notifications', () => {
  let s: TestStratus;
  before(async () => {
    s = await TestStratus.start();
  });
  after(() => s.stop());

  /** A new user, and a way to call the API as them that signs in again after the clock moves. */
  async function user(email: string) {
    let token = (await s.newUser(email)).accessToken;
    const as = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      let reply = await s.request(method, path, { token, body, headers });
      if (reply.status === 401) {
        token = (await s.request('POST', '/v1/auth/signin', { body: { email, password: PASSWORD } })).body.accessToken;
        reply = await s.request(method, path, { token, body, headers });
      }
      return reply;
    };
    return { email, as };
  }
  const at = (msFromNow: number) => new Date(s.clock.now() + msFromNow).toISOString();
  /** The stream catches up (reminders are scheduled from it), then one scheduler tick. */
  const tick = async () => {
    await s.runtime.dispatcher.drain();
    await s.runtime.scheduler.tick();
  };
  const mailsTo = async (to: string, subject: RegExp) =>
    (await s.runtime.outbox.list({ to })).filter((m) => subject.test(m.subject ?? m.text));

  test('a reminder is sent once at its time by email and in-app, with a stable Message-ID', async () => {
    const u = await user('remind-once@example.com');
    const created = await u.as('POST', '/v1/tasks', {
      title: 'Call the plumber',
      dueAt: at(10 * MINUTE),
      reminders: [{ before: { amount: 5, unit: 'minutes' } }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await tick();
    assert.equal((await mailsTo(u.email, /plumber/)).length, 0, 'nothing before its time');
    s.clock.advance(5 * MINUTE);
    await tick();
    await tick(); // a second tick finds it done
    const mails = await mailsTo(u.email, /plumber/);
    assert.equal(mails.length, 1);
    const [mail] = mails;
    assert.equal(mail?.subject, 'Reminder: Call the plumber');
    assert.match(mail?.messageId ?? '', /^<reminder\.[0-9a-z]+\.\d+\.email@stratus>$/);
    assert.match(mail?.html ?? '', /<h1[^>]*>Reminder: Call the plumber<\/h1>/);
    assert.match(mail?.text ?? '', /is due/);
    const count = await u.as('GET', '/v1/notifications/unread-count');
    assert.deepEqual(count.body, { unread: 1, capped: false });
    const inbox = await u.as('GET', '/v1/notifications');
    assert.equal(inbox.body.items[0].title, 'Reminder: Call the plumber');
    assert.equal(inbox.body.items[0].link, `/tasks/${created.body.id}`);
    assert.equal(inbox.body.items[0].late, false);
    assert.equal((await u.as('POST', '/v1/notifications/read', { id: inbox.body.items[0].id })).status, 204);
    assert.equal((await u.as('GET', '/v1/notifications/unread-count')).body.unread, 0);
    assert.equal((await u.as('POST', '/v1/notifications/read', { id: '0000000000000-nope' })).status, 404);
    assert.equal((await u.as('POST', '/v1/notifications/read', { id: 'not-an-id' })).status, 400);
  });

  test('completing a task cancels its reminders; moving its due time moves them', async () => {
    const u = await user('remind-change@example.com');
    const done = await u.as('POST', '/v1/tasks', { title: 'Finish early', reminders: [{ at: at(10 * MINUTE) }] });
    const moved = await u.as('POST', '/v1/tasks', {
      title: 'Push back',
      dueAt: at(20 * MINUTE),
      reminders: [{ before: { amount: 10, unit: 'minutes' } }],
    });
    await tick();
    await u.as('PATCH', `/v1/tasks/${done.body.id}`, { status: 'done' }, { 'if-match': '"1"' });
    await u.as('PATCH', `/v1/tasks/${moved.body.id}`, { dueAt: at(60 * MINUTE) }, { 'if-match': '"1"' });
    s.clock.advance(15 * MINUTE);
    await tick();
    assert.equal((await mailsTo(u.email, /Finish early|Push back/)).length, 0);
    s.clock.advance(40 * MINUTE);
    await tick();
    const mails = await mailsTo(u.email, /Finish early|Push back/);
    assert.deepEqual(
      mails.map((m) => m.subject),
      ['Reminder: Push back'],
    );
  });

  test('overlapping ticks on two runners send each reminder exactly once', async () => {
    const u = await user('remind-overlap@example.com');
    for (let i = 0; i < 12; i++) {
      await u.as('POST', '/v1/tasks', { title: `Overlap ${i}`, reminders: [{ at: at(2 * MINUTE) }] });
    }
    await s.runtime.dispatcher.drain();
    s.clock.advance(3 * MINUTE);
    const { table } = s.runtime;
    const settings = new NotificationSettingsService(table, s.runtime.outbox, s.clock);
    const deliverer = new Deliverer(table, s.runtime.outbox, settings, new Inbox(table, s.clock), 'https://web');
    const runner = (runnerId: string) =>
      new ScheduleRunner(table, s.clock, [reminderWorker(table, deliverer, s.clock)], { runnerId, concurrency: 3 });
    const now = new Date(s.clock.now());
    await Promise.all([runner('a').run(now), runner('b').run(now), runner('c').run(now)]);
    const mails = await mailsTo(u.email, /Overlap/);
    assert.equal(mails.length, 12);
    assert.equal(new Set(mails.map((m) => m.subject)).size, 12);
    const inbox = await u.as('GET', '/v1/notifications?limit=100');
    assert.equal(inbox.body.items.length, 12);
  });

  test('a claim left by a crashed runner is taken over after its lease, without resending channels already sent', async () => {
    const u = await user('remind-crash@example.com');
    const created = await u.as('POST', '/v1/tasks', { title: 'Half sent', reminders: [{ at: at(MINUTE) }] });
    await s.runtime.dispatcher.drain();
    const fireAt = created.body.reminders[0].fireAt;
    const [item] = (
      await s.runtime.table.query({ index: 'GSI1', partition: `SCHEDULE#${fireAt.slice(0, 13)}` })
    ).items.filter((i) => i.taskId === created.body.id);
    assert.ok(item, 'the reminder is in the schedule index');
    // A runner claimed it, put it in the inbox, and died before the mail.
    await s.runtime.table.update(
      { PK: item.PK, SK: item.SK },
      { set: { claimedBy: 'dead', leaseUntil: s.clock.now() + 10 * MINUTE, version: 1, sent_inApp: 'x' } },
    );
    s.clock.advance(2 * MINUTE);
    const { table } = s.runtime;
    const settings = new NotificationSettingsService(table, s.runtime.outbox, s.clock);
    const deliverer = new Deliverer(table, s.runtime.outbox, settings, new Inbox(table, s.clock), 'https://web');
    const shared = new ScheduleRunner(table, s.clock, [reminderWorker(table, deliverer, s.clock)], {
      runnerId: 'live',
    });
    await shared.run(new Date(s.clock.now()));
    assert.equal((await mailsTo(u.email, /Half sent/)).length, 0, 'the lease holds on a shared deployment');
    s.clock.advance(10 * MINUTE);
    await shared.run(new Date(s.clock.now()));
    assert.equal((await mailsTo(u.email, /Half sent/)).length, 1, 'taken over once the lease ran out');
    const inbox = await u.as('GET', '/v1/notifications');
    assert.equal(inbox.body.items.length, 0, 'the in-app notice recorded as sent is not made again');
  });

  test('reminders due while Stratus was down are sent at restart, marked late', async () => {
    const clock = new TestClock();
    const first = await TestStratus.start({}, { clock });
    const token = (await first.newUser('remind-down@example.com')).accessToken;
    const due = new Date(clock.now() + 5 * MINUTE).toISOString();
    await first.request('POST', '/v1/tasks', { token, body: { title: 'Missed', reminders: [{ at: due }] } });
    await first.runtime.dispatcher.drain();
    await first.stop({ keepData: true });
    clock.advance(3 * 3600_000);
    const second = await TestStratus.start({}, { clock }, { dataDir: first.dataDir });
    try {
      await second.runtime.scheduler.tick(); // the start-up tick may still be running: this waits for it
      const [mail] = await second.runtime.outbox
        .list({ to: 'remind-down@example.com' })
        .then((all) => all.filter((m) => m.subject === 'Reminder: Missed'));
      assert.ok(mail, 'sent after the restart');
      assert.match(mail.text, /This reminder is late/);
    } finally {
      await second.stop();
    }
  });

  test('SMS needs a phone verified with a texted code; then reminders go by SMS too', async () => {
    const u = await user('remind-sms@example.com');
    const refused = await u.as('PATCH', '/v1/notifications/settings', { channels: { sms: true } });
    assert.equal(refused.status, 422);
    assert.match(refused.body.detail, /Verify a phone number/);
    for (const phoneNumber of ['0049301234567', '+0301234567', '+1 555 555 0100', '+1555']) {
      const bad = await u.as('POST', '/v1/notifications/phone', { phoneNumber });
      assert.equal(bad.status, 400, phoneNumber);
      assert.match(JSON.stringify(bad.body), /E\.164/);
    }
    const phone = '+15555550123';
    assert.equal((await u.as('POST', '/v1/notifications/phone', { phoneNumber: phone })).status, 202);
    const again = await u.as('POST', '/v1/notifications/phone', { phoneNumber: phone });
    assert.equal(again.status, 429, 'a second code waits a while');
    assert.ok(Number(again.headers.get('retry-after')) > 0);
    const wrong = await u.as('POST', '/v1/notifications/phone/verify', { code: '000000' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.detail, /4 tries left/);
    const [sms] = await s.runtime.outbox.list({ to: phone });
    const code = /\b(\d{6})\b/.exec(sms?.text ?? '')?.[1] as string;
    const verified = await u.as('POST', '/v1/notifications/phone/verify', { code });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.deepEqual(verified.body.phone, { number: phone, verified: true });
    const on = await u.as('PATCH', '/v1/notifications/settings', { channels: { sms: true, email: false } });
    assert.equal(on.status, 200);
    await u.as('POST', '/v1/tasks', { title: 'Text me', reminders: [{ at: at(MINUTE) }] });
    s.clock.advance(2 * MINUTE);
    await tick();
    const texts = (await s.runtime.outbox.list({ to: phone })).filter((m) => /Text me/.test(m.text));
    assert.equal(texts.length, 1);
    assert.ok(texts[0] && texts[0].text.length <= 160);
    assert.equal((await mailsTo(u.email, /Text me/)).length, 0, 'email was turned off');
  });

  test('the daily digest comes at the chosen local hour with the day’s open tasks, once a day', async () => {
    const u = await user('digest@example.com');
    const zone = 'Pacific/Auckland';
    const localHour = Number(
      new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(s.clock.now()),
    );
    const hour = (localHour + 1) % 24;
    const bad = await u.as('PATCH', '/v1/notifications/settings', { digest: { enabled: true, hour: 24 } });
    assert.equal(bad.status, 400);
    const badZone = await u.as('PATCH', '/v1/notifications/settings', { timeZone: 'Europe/Atlantis' });
    assert.equal(badZone.status, 400);
    const set = await u.as('PATCH', '/v1/notifications/settings', { timeZone: zone, digest: { enabled: true, hour } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    await u.as('POST', '/v1/tasks', { title: 'Due soon', dueAt: at(90 * MINUTE) });
    await u.as('POST', '/v1/tasks', { title: 'Long overdue', dueAt: at(-3 * 24 * 60 * MINUTE) });
    await u.as('POST', '/v1/tasks', { title: 'Next week', dueAt: at(7 * 24 * 60 * MINUTE) });
    await tick();
    assert.equal((await mailsTo(u.email, /^Today/)).length, 0, 'not before the hour');
    s.clock.advance(61 * MINUTE);
    await tick();
    await tick();
    const digests = await mailsTo(u.email, /^Today/);
    assert.equal(digests.length, 1);
    assert.match(digests[0]?.text ?? '', /Long overdue/);
    assert.doesNotMatch(digests[0]?.text ?? '', /Next week/);
    s.clock.advance(24 * 60 * MINUTE);
    await tick();
    assert.equal((await mailsTo(u.email, /^Today/)).length, 2, 'and again the next day');
  });

  test('mark all read clears the unread count', async () => {
    const u = await user('mark-all@example.com');
    for (let i = 0; i < 3; i++) await u.as('POST', '/v1/tasks', { title: `n${i}`, reminders: [{ at: at(MINUTE) }] });
    s.clock.advance(2 * MINUTE);
    await tick();
    assert.equal((await u.as('GET', '/v1/notifications/unread-count')).body.unread, 3);
    assert.deepEqual((await u.as('POST', '/v1/notifications/read-all')).body, { marked: 3 });
    assert.equal((await u.as('GET', '/v1/notifications/unread-count')).body.unread, 0);
    assert.equal((await u.as('GET', '/v1/notifications?unread=true')).body.items.length, 0);
    assert.equal((await u.as('GET', '/v1/notifications')).body.items.length, 3);
  });
});

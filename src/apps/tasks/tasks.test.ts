import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestStratus } from '../../../test/support/stratus.ts';
import type { ChangeRecord } from '../../platform/stream.ts';
import { contribution, countTaskChanges, durationBucket, medianOf } from './analytics.ts';
import type { TaskFields } from './model.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('tasks', () => {
  let s: TestStratus;
  let token: string;
  let other: string;
  before(async () => {
    s = await TestStratus.start();
    ({ accessToken: token } = await s.newUser('tasks-owner@example.com'));
    ({ accessToken: other } = await s.newUser('tasks-other@example.com'));
  });
  after(() => s.stop());

  const create = (body: unknown, headers: Record<string, string> = {}, as = token) =>
    s.request('POST', '/v1/tasks', { token: as, body, headers });
  const list = async (query: string, as = token) => {
    await s.runtime.dispatcher.drain();
    const reply = await s.request('GET', `/v1/tasks?limit=100&${query}`, { token: as });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.items as Array<{ id: string; title: string }>;
  };

  test('create reads a wall-clock due time in the task’s zone and stores the instant, with defaults', async () => {
    const created = await create({
      title: 'File the tax return',
      dueAt: '2027-01-15T09:00',
      timeZone: 'America/New_York',
      tags: ['Money', 'money'],
      list: 'Home',
      checklist: [{ text: 'Find receipts' }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.dueAt, '2027-01-15T14:00:00.000Z');
    assert.equal(created.body.timeZone, 'America/New_York');
    assert.equal(created.body.status, 'todo');
    assert.equal(created.body.priority, 'medium');
    assert.deepEqual(created.body.tags, ['money']);
    assert.deepEqual(created.body.checklist, [{ text: 'Find receipts', done: false }]);
    assert.equal(created.headers.get('etag'), '"1"');
    const offset = await create({ title: 'With an offset', dueAt: '2027-01-15T09:00:00+01:00' });
    assert.equal(offset.body.dueAt, '2027-01-15T08:00:00.000Z');
    assert.equal(offset.body.timeZone, 'UTC', 'the settings’ zone (UTC by default) when none is given');
  });

  test('a retried create with the same Idempotency-Key makes one task', async () => {
    const headers = { 'idempotency-key': 'task-create-1' };
    const first = await create({ title: 'Once' }, headers);
    const again = await create({ title: 'Once' }, headers);
    assert.equal(again.status, 201);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
  });

  test('bad time zones, impossible dates and nonexistent local times are refused, and nothing is written', async () => {
    const before = await list('');
    const cases: Array<[unknown, number, RegExp]> = [
      [{ title: 'x', dueAt: '2027-01-15T09:00', timeZone: 'Mars/Olympus' }, 400, /IANA time zone/],
      [{ title: 'x', dueAt: '15/01/2027 9am' }, 400, /ISO 8601/],
      [{ title: 'x', dueAt: '2027-02-30T09:00' }, 400, /ISO 8601/],
      [{ title: 'x', dueAt: '2027-01-15T25:00' }, 400, /ISO 8601/],
      // The clocks go from 02:00 to 03:00 in Berlin on 28 March 2027.
      [{ title: 'x', dueAt: '2027-03-28T02:30', timeZone: 'Europe/Berlin' }, 422, /does not exist in Europe\/Berlin/],
      [{ title: 'x', reminders: [{ before: { amount: 10, unit: 'minutes' } }] }, 422, /set dueAt first/],
      [{ title: 'x', reminders: [{ at: '2020-01-01T09:00' }] }, 422, /has passed/],
      [{ title: 'x', status: 'blocked' }, 400, /status/],
    ];
    for (const [body, status, message] of cases) {
      const reply = await create(body);
      assert.equal(reply.status, status, JSON.stringify(body));
      assert.match(reply.headers.get('content-type') ?? '', /problem\+json/);
      assert.match(JSON.stringify(reply.body), message, JSON.stringify(reply.body));
    }
    assert.deepEqual(await list(''), before);
  });

  test('a reminder a day before keeps the wall-clock time across a daylight-saving change', async () => {
    // Berlin moves to summer time overnight on 28 March 2027: a day before 09:00 on the 28th is 09:00 on the 27th.
    const created = await create({
      title: 'Across DST',
      dueAt: '2027-03-28T09:00',
      timeZone: 'Europe/Berlin',
      reminders: [{ before: { amount: 1, unit: 'days' } }, { before: { amount: 0, unit: 'minutes' } }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      created.body.reminders.map((r: { fireAt: string }) => r.fireAt),
      ['2027-03-27T08:00:00.000Z', '2027-03-28T07:00:00.000Z'],
    );
  });

  test('update needs If-Match, refuses a stale one, and recomputes reminders when the due time moves', async () => {
    const { body: task } = await create({
      title: 'Move me',
      dueAt: '2027-02-01T10:00',
      reminders: [{ before: { amount: 1, unit: 'hours' } }],
    });
    const path = `/v1/tasks/${task.id}`;
    assert.equal((await s.request('PATCH', path, { token, body: { title: 'x' } })).status, 428);
    const moved = await s.request('PATCH', path, {
      token,
      body: { dueAt: '2027-02-02T10:00' },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.reminders[0].fireAt, '2027-02-02T09:00:00.000Z');
    const stale = await s.request('PATCH', path, { token, body: { title: 'y' }, headers: { 'if-match': '"1"' } });
    assert.equal(stale.status, 412);
    const done = await s.request('PATCH', path, { token, body: { status: 'done' }, headers: { 'if-match': '"2"' } });
    assert.ok(done.body.completedAt, 'completing records when');
    const reopened = await s.request('PATCH', path, {
      token,
      body: { status: 'todo' },
      headers: { 'if-match': '"3"' },
    });
    assert.equal(reopened.body.completedAt, undefined);
  });

  test('another user’s task is not found for reading, changing, deleting or attaching, and is left unchanged', async () => {
    const { body: task } = await create({ title: 'Mine alone' });
    const path = `/v1/tasks/${task.id}`;
    assert.equal((await s.request('GET', path, { token: other })).status, 404);
    const patch = await s.request('PATCH', path, {
      token: other,
      body: { title: 'hijacked' },
      headers: { 'if-match': '*' },
    });
    assert.equal(patch.status, 404);
    assert.equal((await s.request('DELETE', path, { token: other })).status, 404);
    const attach = await s.request('POST', `${path}/attachments`, {
      token: other,
      body: { filename: 'a.txt', contentType: 'text/plain', size: 3 },
    });
    assert.equal(attach.status, 404);
    assert.equal((await s.request('GET', path, { token })).body.title, 'Mine alone');
    assert.deepEqual(await list('', other), []);
  });

  test('every filter and sort returns exactly the matching tasks in order, from the indexes', async () => {
    const { accessToken: t } = await s.newUser('tasks-filters@example.com');
    const now = s.clock.now();
    const specs = [
      {
        title: 'a',
        status: 'todo',
        priority: 'low',
        tags: ['x'],
        list: 'Work',
        dueAt: new Date(now - DAY).toISOString(),
      },
      {
        title: 'b',
        status: 'in_progress',
        priority: 'urgent',
        tags: ['x', 'y#z'],
        dueAt: new Date(now + DAY).toISOString(),
      },
      {
        title: 'c',
        status: 'done',
        priority: 'high',
        tags: [],
        list: 'work',
        dueAt: new Date(now - 2 * DAY).toISOString(),
      },
      { title: 'd', status: 'todo', priority: 'urgent', tags: ['y#z'], list: 'Home' },
      { title: 'e', status: 'in_progress', priority: 'medium', tags: ['x'], dueAt: new Date(now - HOUR).toISOString() },
    ];
    for (const spec of specs) assert.equal((await create(spec, {}, t)).status, 201);
    // Change one after the fact: its facet copies must follow.
    const all = await list('', t);
    const d = all.find((task) => task.title === 'd') as { id: string };
    await s.request('PATCH', `/v1/tasks/${d.id}`, {
      token: t,
      body: { tags: ['x'], list: null },
      headers: { 'if-match': '*' },
    });
    const titles = async (query: string) => (await list(query, t)).map((task) => task.title).join('');
    assert.equal(await titles(''), 'edcba', 'newest first by default');
    assert.equal(await titles('sort=due'), 'caebd', 'soonest due first, undated last');
    assert.equal(await titles('sort=priority'), 'bdcea', 'urgent first, then by due');
    assert.equal(await titles('status=todo'), 'da');
    assert.equal(await titles('status=in_progress&sort=due'), 'eb');
    assert.equal(await titles('priority=urgent&sort=due'), 'bd');
    assert.equal(await titles('tag=x&sort=due'), 'aebd');
    assert.equal(await titles(`tag=${encodeURIComponent('y#z')}`), 'b', 'a tag with # is its own facet');
    assert.equal(await titles('list=WORK&sort=due'), 'ca', 'lists match without regard to case');
    assert.equal(await titles('overdue=true&sort=due'), 'ae', 'open and past due; done ones never overdue');
    assert.equal(await titles('overdue=true&status=in_progress'), 'e');
    assert.equal(await titles('overdue=true&status=done'), '');
    const after = encodeURIComponent(new Date(now - 1.5 * DAY).toISOString());
    const beforeNow = encodeURIComponent(new Date(now).toISOString());
    assert.equal(await titles(`sort=due&dueAfter=${after}&dueBefore=${beforeNow}`), 'ae');
    assert.equal(await titles(`dueAfter=${after}`), 'eba', 'a due range with another sort is a filter');
    assert.equal(await titles('tag=x&status=todo&sort=priority'), 'da');
    // Cursor pages neither repeat nor skip.
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = await s.request('GET', `/v1/tasks?limit=2&sort=due${cursor ? `&cursor=${cursor}` : ''}`, {
        token: t,
      });
      seen.push(...page.body.items.map((task: { title: string }) => task.title));
      cursor = page.body.nextCursor ?? '';
    } while (cursor);
    assert.equal(seen.join(''), 'caebd');
    // Deleting a task takes it out of every facet.
    await s.request('DELETE', `/v1/tasks/${d.id}`, { token: t });
    assert.equal(await titles('tag=x&sort=due'), 'aeb');
    assert.equal(await titles('priority=urgent'), 'b');
  });

  test('attachments: upload with a pre-signed URL, ready on arrival, download, limits, and removal with the task', async () => {
    const { body: task } = await create({ title: 'With files' });
    const path = `/v1/tasks/${task.id}/attachments`;
    const tooBig = await s.request('POST', path, {
      token,
      body: { filename: 'huge.bin', contentType: 'application/octet-stream', size: 26 * 1024 ** 2 },
    });
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.body.detail, /at most 25 MB/);
    const started = await s.request('POST', path, {
      token,
      body: { filename: 'notes.txt', contentType: 'text/plain', size: 5 },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.attachment.status, 'pending');
    const { upload } = started.body;
    const put = await s.fetch(upload.url, { method: upload.method, headers: upload.headers, body: 'hello' });
    assert.equal(put.status, 200);
    await s.runtime.queue.drain();
    const listed = await s.request('GET', path, { token });
    assert.equal(listed.body.items[0].status, 'ready');
    const download = await s.fetch(listed.body.items[0].download.url);
    assert.equal(await download.text(), 'hello');
    // The per-task count limit.
    for (let i = 1; i < 10; i++) {
      const r = await s.request('POST', path, {
        token,
        body: { filename: `f${i}.txt`, contentType: 'text/plain', size: 1 },
      });
      assert.equal(r.status, 201);
    }
    const eleventh = await s.request('POST', path, {
      token,
      body: { filename: 'f.txt', contentType: 'text/plain', size: 1 },
    });
    assert.equal(eleventh.status, 422);
    assert.match(eleventh.body.detail, /at most 10 attachments/);
    // Deleting the task deletes its attachments and their bytes.
    await s.request('DELETE', `/v1/tasks/${task.id}`, { token });
    await s.runtime.dispatcher.drain();
    assert.equal((await s.fetch(listed.body.items[0].download.url)).status, 404);
    assert.equal((await s.request('GET', path, { token })).status, 404);
  });

  test('the analytics counters match a recount from the tasks after creates, completions, reopenings and deletions', async () => {
    const email = 'tasks-analytics@example.com';
    await s.newUser(email);
    /** Moves the clock, then signs in again (access tokens last an hour). */
    const later = async (ms: number) => {
      s.clock.advance(ms);
      const signIn = await s.request('POST', '/v1/auth/signin', {
        body: { email, password: 'a long and unusual passphrase' },
      });
      return signIn.body.accessToken as string;
    };
    let t2 = await later(0);
    const ids: string[] = [];
    const priorities = ['low', 'medium', 'high', 'urgent'];
    for (let i = 0; i < 12; i++) {
      const r = await create({ title: `t${i}`, priority: priorities[i % 4], timeZone: 'Asia/Tokyo' }, {}, t2);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
      t2 = await later(5 * HOUR);
    }
    const patch = (id: string, body: unknown) =>
      s.request('PATCH', `/v1/tasks/${id}`, { token: t2, body, headers: { 'if-match': '*' } });
    for (const id of ids.slice(0, 7)) await patch(id, { status: 'done' });
    t2 = await later(30 * HOUR);
    await patch(ids[0] as string, { status: 'todo' }); // reopened
    await patch(ids[8] as string, { status: 'in_progress' });
    await patch(ids[9] as string, { status: 'done', priority: 'urgent' });
    await s.request('DELETE', `/v1/tasks/${ids[1]}`, { token: t2 });
    await s.runtime.dispatcher.drain();
    for (const query of ['from=2025-01-01&to=2026-12-31', 'from=2026-02-01&to=2026-01-01', 'from=2026-02-30']) {
      const reply = await s.request('GET', `/v1/task-analytics?${query}`, { token: t2 });
      assert.equal(reply.status, 400, query);
    }
    const tasks = (await list('', t2)) as unknown as Array<TaskFields & { createdAt: string }>;
    // The recount: the same contribution per task, summed, compared with every day's counters.
    const expected = new Map<string, Map<string, number>>();
    for (const task of tasks) {
      for (const [day, counts] of contribution(task)) {
        const into = expected.get(day) ?? new Map<string, number>();
        for (const [name, n] of counts) into.set(name, (into.get(name) ?? 0) + n);
        expected.set(day, into);
      }
    }
    const days = [...expected.keys()].sort();
    const analytics = await s.request('GET', `/v1/task-analytics?from=${days[0]}&to=${days.at(-1)}`, { token: t2 });
    assert.equal(analytics.status, 200, JSON.stringify(analytics.body));
    const sum = (name: string) => [...expected.values()].reduce((total, m) => total + (m.get(name) ?? 0), 0);
    assert.equal(analytics.body.created, tasks.length);
    assert.equal(analytics.body.created, sum('created'));
    assert.equal(analytics.body.completed, sum('completed'));
    assert.deepEqual(analytics.body.byStatus, {
      todo: sum('status_todo'),
      in_progress: sum('status_in_progress'),
      done: sum('status_done'),
    });
    assert.equal(analytics.body.byPriority.urgent, tasks.filter((task) => task.priority === 'urgent').length);
    assert.equal(analytics.body.completionRate, sum('status_done') / tasks.length);
    for (const day of analytics.body.days) {
      assert.equal(day.created, expected.get(day.date)?.get('created') ?? 0, day.date);
      assert.equal(day.completed, expected.get(day.date)?.get('completed') ?? 0, day.date);
    }
    // The median, from exact durations, is within the histogram's ±9%.
    const durations = tasks
      .filter((task) => task.completedAt)
      .map((task) => (Date.parse(task.completedAt as string) - Date.parse(task.createdAt)) / 1000)
      .sort((a, b) => a - b);
    const mid = durations.length / 2;
    const exact =
      durations.length % 2
        ? (durations[Math.floor(mid)] as number)
        : ((durations[mid - 1] as number) + (durations[mid] as number)) / 2;
    assert.ok(Math.abs(analytics.body.medianHoursToComplete * 3600 - exact) / exact < 0.1);
    assert.equal(analytics.body.overdue, 0);
  });

  test('a change delivered twice is counted once', async () => {
    const counter = countTaskChanges(s.runtime.table, s.clock);
    const task = {
      PK: 'USER#redelivered',
      SK: 'TASK#01jd3k9v2x8q4m7n5p6r0s1t2w',
      title: 'once',
      status: 'todo',
      priority: 'high',
      timeZone: 'UTC',
      tags: [],
      checklist: [],
      reminders: [],
      version: 1,
      createdAt: '2026-05-01T10:00:00.000Z',
    };
    const record: ChangeRecord = {
      eventID: '1',
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: { PK: task.PK, SK: task.SK },
        NewImage: task,
        SequenceNumber: '1',
        ApproximateCreationDateTime: 0,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    await counter.handle([record]);
    await counter.handle([record]);
    const day = await s.runtime.table.get({ PK: task.PK, SK: 'TASKSTATS#2026-05-01' });
    assert.equal(day?.created, 1);
    assert.equal(day?.priority_high, 1);
  });

  test('the histogram median is the middle bucket, and an empty histogram has none', () => {
    assert.equal(medianOf(new Map()), null);
    const h = new Map([[durationBucket(3600), 3]]);
    const median = medianOf(h) as number;
    assert.ok(Math.abs(median - 3600) / 3600 < 0.1);
  });
});

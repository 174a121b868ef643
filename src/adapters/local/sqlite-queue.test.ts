import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TestClock } from '../../../test/support/clock.ts';
import type { QueueHandler, QueueMessage } from '../../platform/queue.ts';
import { type Database, openDatabase } from './database.ts';
import { SqliteQueue, type SqliteQueueOptions } from './sqlite-queue.ts';

const BASE = 100;

/** A handler that records each call and fails when `fail` says so. */
function recorder(
  name: string,
  fail: (payload: unknown, message: QueueMessage) => boolean = () => false,
  topic = 'jobs',
) {
  const calls: Array<{ payload: unknown; message: QueueMessage }> = [];
  const handler: QueueHandler = {
    name,
    topic,
    async handle(payload, message) {
      calls.push({ payload, message });
      if (fail(payload, message)) throw new Error(`${name} failed on ${JSON.stringify(payload)}`);
    },
  };
  return { handler, calls, payloads: () => calls.map((c) => c.payload) };
}

function openQueue(
  handlers: QueueHandler[],
  options: SqliteQueueOptions = {},
  db: Database = openDatabase(':memory:'),
  clock = new TestClock(),
) {
  const queue = new SqliteQueue(db, handlers, { baseDelayMs: BASE, maxDelayMs: 10_000, clock, ...options });
  return { db, clock, queue };
}

test('a message reaches its handler once, with its topic and attempt, and leaves the queue', async () => {
  const seen = recorder('worker');
  const { queue, db } = openQueue([seen.handler]);
  await queue.enqueue('jobs', { n: 1, tags: ['a'] });
  assert.equal(queue.depth(), 1);
  await queue.drain();
  assert.deepEqual(seen.payloads(), [{ n: 1, tags: ['a'] }]);
  assert.equal(seen.calls[0]?.message.topic, 'jobs');
  assert.equal(seen.calls[0]?.message.attempt, 1);
  assert.equal(queue.depth(), 0);
  await queue.drain();
  assert.equal(seen.calls.length, 1, 'a delivered message is not delivered again');
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM queue_messages').pluck().get(), 0);
  db.close();
});

test('only handlers of the message topic get it; a topic nobody subscribes to stores nothing', async () => {
  const jobs = recorder('jobs-worker');
  const mail = recorder('mail-worker', () => false, 'mail');
  const { queue, db } = openQueue([jobs.handler, mail.handler]);
  await queue.enqueue('mail', 'hello');
  await queue.enqueue('nobody-listens', 'lost');
  assert.equal(queue.depth(), 1);
  await queue.drain();
  assert.deepEqual(jobs.payloads(), []);
  assert.deepEqual(mail.payloads(), ['hello']);
  db.close();
});

test('a failed delivery is retried with exponential back-off, not before', async () => {
  const flaky = recorder('flaky', (_payload, message) => message.attempt < 3);
  const { queue, clock, db } = openQueue([flaky.handler]);
  await queue.enqueue('jobs', 'x');
  await queue.drain();
  assert.equal(flaky.calls.length, 1);

  clock.advance(BASE - 1);
  await queue.drain();
  assert.equal(flaky.calls.length, 1, 'the first retry waits the base delay');
  clock.advance(1);
  await queue.drain();
  assert.equal(flaky.calls.length, 2);

  clock.advance(BASE * 2 - 1);
  await queue.drain();
  assert.equal(flaky.calls.length, 2, 'the second retry waits twice as long');
  clock.advance(1);
  await queue.drain();
  assert.deepEqual(
    flaky.calls.map((c) => c.message.attempt),
    [1, 2, 3],
  );
  assert.equal(queue.depth(), 0);
  assert.deepEqual(queue.deadLetters(), []);
  db.close();
});

test('back-off is capped at maxDelayMs', async () => {
  const failing = recorder('failing', () => true);
  const { queue, clock, db } = openQueue([failing.handler], { maxDelayMs: 250, maxAttempts: 10 });
  await queue.enqueue('jobs', 'x');
  for (let i = 0; i < 5; i += 1) {
    await queue.drain();
    clock.advance(250);
  }
  assert.equal(failing.calls.length, 5, 'every retry came due after at most the cap');
  db.close();
});

test('after maxAttempts a delivery goes to the dead-letter list with its error, and leaves the depth', async () => {
  const failing = recorder('failing', () => true);
  const { queue, clock, db } = openQueue([failing.handler], { maxAttempts: 3 });
  await queue.enqueue('jobs', { id: 'poison' });
  for (let i = 0; i < 10; i += 1) {
    await queue.drain();
    clock.advance(10_000);
  }
  assert.equal(failing.calls.length, 3);
  assert.equal(queue.depth(), 0);
  const [dead, ...more] = queue.deadLetters();
  assert.equal(more.length, 0);
  assert.equal(dead?.handler, 'failing');
  assert.equal(dead?.topic, 'jobs');
  assert.deepEqual(dead?.payload, { id: 'poison' });
  assert.equal(dead?.attempts, 3);
  assert.match(dead?.error ?? '', /failing failed on/);
  db.close();
});

test('replay puts a dead letter back with fresh attempts; drop forgets it', async () => {
  let broken = true;
  const seen = recorder('fixable', () => broken);
  const { queue, clock, db } = openQueue([seen.handler], { maxAttempts: 1 });
  await queue.enqueue('jobs', 'first');
  await queue.enqueue('jobs', 'second');
  await queue.drain();
  const dead = queue.deadLetters();
  assert.deepEqual(
    dead.map((d) => d.payload),
    ['first', 'second'],
  );
  const [first, second] = dead as [(typeof dead)[0], (typeof dead)[0]];

  broken = false;
  assert.equal(queue.replay(first.id), true);
  await queue.drain();
  assert.deepEqual(seen.payloads().slice(-1), ['first']);
  assert.equal(seen.calls.at(-1)?.message.attempt, 1, 'a replay starts its attempts again');

  assert.equal(queue.drop(second.id), true);
  assert.deepEqual(queue.deadLetters(), []);
  assert.equal(queue.drop(second.id), false, 'dropping twice finds nothing');
  assert.equal(queue.replay(second.id), false, 'a dropped letter cannot be replayed');
  clock.advance(60_000);
  await queue.drain();
  assert.equal(seen.payloads().filter((p) => p === 'second').length, 1, 'the dropped message never runs again');
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM queue_messages').pluck().get(), 0);
  db.close();
});

test('replay and drop refuse a delivery that is not a dead letter', async () => {
  const failing = recorder('failing', () => true);
  const { queue, db } = openQueue([failing.handler]);
  await queue.enqueue('jobs', 'pending');
  await queue.drain();
  const id = db.prepare('SELECT id FROM queue_deliveries').pluck().get() as number;
  assert.equal(queue.drop(id), false);
  assert.equal(queue.replay(id), false);
  assert.equal(queue.depth(), 1);
  db.close();
});

test('a poison message does not hold back the messages after it', async () => {
  const picky = recorder('picky', (payload) => payload === 'poison');
  const { queue, clock, db } = openQueue([picky.handler], { maxAttempts: 2 });
  await queue.enqueue('jobs', 'poison');
  await queue.enqueue('jobs', 'a');
  await queue.enqueue('jobs', 'b');
  await queue.drain();
  assert.deepEqual(picky.payloads(), ['poison', 'a', 'b']);
  clock.advance(10_000);
  await queue.drain();
  await queue.enqueue('jobs', 'c');
  await queue.drain();
  assert.deepEqual(picky.payloads(), ['poison', 'a', 'b', 'poison', 'c']);
  assert.deepEqual(
    queue.deadLetters().map((d) => d.payload),
    ['poison'],
  );
  db.close();
});

test("one handler's failure never re-runs another handler of the same message", async () => {
  const steady = recorder('steady');
  const flaky = recorder('flaky', (_payload, message) => message.attempt === 1);
  const { queue, clock, db } = openQueue([steady.handler, flaky.handler]);
  await queue.enqueue('jobs', 'shared');
  await queue.drain();
  clock.advance(BASE);
  await queue.drain();
  assert.equal(steady.calls.length, 1);
  assert.equal(flaky.calls.length, 2);
  assert.equal(queue.depth(), 0);
  db.close();
});

test('pending deliveries survive closing and reopening the database', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-queue-'));
  const path = join(dir, 'db.sqlite');
  try {
    const before = recorder('worker', () => true);
    const one = openQueue([before.handler], {}, openDatabase(path));
    await one.queue.enqueue('jobs', 'kept');
    await one.queue.enqueue('jobs', 'never tried');
    await one.queue.stop();
    one.db.close();
    assert.equal(before.calls.length, 0);

    const after = recorder('worker');
    const two = openQueue([after.handler], {}, openDatabase(path));
    assert.equal(two.queue.depth(), 2);
    await two.queue.drain();
    assert.deepEqual(after.payloads(), ['kept', 'never tried']);
    assert.equal(two.queue.depth(), 0);
    two.db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a delivery cut off by a crash counts as an attempt and is retried after back-off on reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-queue-'));
  const path = join(dir, 'db.sqlite');
  try {
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const hanging: QueueHandler = {
      name: 'worker',
      topic: 'jobs',
      handle: () => {
        started();
        return new Promise(() => {});
      },
    };
    const one = openQueue([hanging], {}, openDatabase(path));
    await one.queue.enqueue('jobs', 'in flight');
    void one.queue.drain();
    await running;
    one.db.close(); // the process "dies" while the handler runs

    const after = recorder('worker');
    const two = openQueue([after.handler], {}, openDatabase(path), one.clock);
    two.clock.advance(BASE - 1);
    await two.queue.drain();
    assert.equal(after.calls.length, 0, 'not retried before the back-off');
    two.clock.advance(1);
    await two.queue.drain();
    assert.deepEqual(after.payloads(), ['in flight']);
    assert.equal(after.calls[0]?.message.attempt, 2);
    two.db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('deliveries for a handler no longer registered become dead letters on reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-queue-'));
  const path = join(dir, 'db.sqlite');
  try {
    const one = openQueue([recorder('retired').handler], {}, openDatabase(path));
    await one.queue.enqueue('jobs', 'orphan');
    one.db.close();

    const two = openQueue([recorder('other').handler], {}, openDatabase(path));
    two.queue.start();
    assert.equal(two.queue.depth(), 0);
    const [dead] = two.queue.deadLetters();
    assert.equal(dead?.handler, 'retired');
    assert.match(dead?.error ?? '', /No handler/);
    await two.queue.stop();
    two.db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('once started, the queue delivers by itself after an enqueue', async () => {
  let delivered!: (payload: unknown) => void;
  const arrived = new Promise<unknown>((resolve) => {
    delivered = resolve;
  });
  const db = openDatabase(':memory:');
  const queue = new SqliteQueue(db, [{ name: 'w', topic: 'jobs', handle: async (payload) => delivered(payload) }], {
    pollMs: 10_000,
  });
  queue.start();
  await queue.enqueue('jobs', 'by itself');
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('not delivered within 2 s')), 2000));
  assert.equal(await Promise.race([arrived, timeout]), 'by itself');
  await queue.stop();
  db.close();
});

test('two handlers may not share a name, and a payload must be JSON', async () => {
  const db = openDatabase(':memory:');
  assert.throws(() => new SqliteQueue(db, [recorder('same').handler, recorder('same').handler]), /Two queue handlers/);
  const queue = new SqliteQueue(db, [recorder('w').handler]);
  await assert.rejects(queue.enqueue('jobs', undefined), TypeError);
  db.close();
});

test('a handler subscribed after construction (before start) still gets the deliveries kept from before a restart', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-queue-'));
  const path = join(dir, 'db.sqlite');
  try {
    const one = openQueue([recorder('late').handler], {}, openDatabase(path));
    await one.queue.enqueue('jobs', 'kept for late');
    one.db.close();

    const late = recorder('late');
    const two = openQueue([], {}, openDatabase(path));
    two.queue.subscribe(late.handler);
    two.queue.start();
    await two.queue.drain();
    assert.deepEqual(late.payloads(), ['kept for late']);
    assert.deepEqual(two.queue.deadLetters(), []);
    assert.throws(() => two.queue.subscribe(recorder('too-late').handler), /before starting/);
    await two.queue.stop();
    two.db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TestClock } from '../../../test/support/clock.ts';
import { TokenBuckets } from './rate-limit-buckets.ts';
import { DailyQuotas, MemoryQuotaStore, type QuotaIncrement, secondsToUtcMidnight } from './rate-limit-quota.ts';

const NOON = Date.UTC(2031, 4, 20, 12);

describe('TokenBuckets', () => {
  const spec = { ratePerSecond: 10, burst: 20 };

  test('a full bucket allows a burst, then one request per refilled token', () => {
    const buckets = new TokenBuckets();
    const verdicts = Array.from({ length: 21 }, () => buckets.take('a', spec, NOON));
    assert.deepEqual(
      verdicts.map((v) => v.allowed),
      [...Array(20).fill(true), false],
    );
    assert.equal(verdicts[0]?.remaining, 19);
    assert.deepEqual(verdicts[20], {
      allowed: false,
      limit: 20,
      remaining: 0,
      resetSeconds: 2,
      retryAfterSeconds: 1,
      policy: '20;w=2',
    });
    assert.equal(buckets.take('a', spec, NOON + 99).allowed, false);
    assert.equal(buckets.take('a', spec, NOON + 100).allowed, true, 'one token after 1/rate seconds');
    assert.equal(buckets.take('a', spec, NOON + 100).allowed, false);
    assert.equal(buckets.take('b', spec, NOON).remaining, 19, 'buckets are per client');
  });

  test('never holds more than the burst, however long it was idle', () => {
    const buckets = new TokenBuckets();
    buckets.take('a', spec, NOON);
    assert.equal(buckets.take('a', spec, NOON + 3_600_000).remaining, 19);
  });

  test('takeAll takes from every bucket or from none', () => {
    const buckets = new TokenBuckets();
    const small = { ratePerSecond: 1, burst: 1 };
    assert.ok(
      buckets
        .takeAll(
          [
            { id: 'user', spec },
            { id: 'address', spec: small },
          ],
          NOON,
        )
        .every((v) => v.allowed),
    );
    const refused = buckets.takeAll(
      [
        { id: 'user', spec },
        { id: 'address', spec: small },
      ],
      NOON,
    );
    assert.deepEqual(
      refused.map((v) => v.allowed),
      [true, false],
    );
    assert.equal(buckets.take('user', spec, NOON).remaining, 18, 'the refused request took nothing from user');
  });
});

describe('DailyQuotas', () => {
  test('counts per UTC day, refuses past the limit, and starts again at midnight', async () => {
    const clock = new TestClock(NOON);
    const quotas = new DailyQuotas(new MemoryQuotaStore(), clock, { flushEveryMs: 0 });
    await quotas.load('k');
    assert.equal(quotas.count('k', 2).remaining, 1);
    assert.equal(quotas.count('k', 2).remaining, 0);
    const refused = quotas.check('k', 2);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 12 * 3600);
    assert.equal(refused.resetSeconds, 12 * 3600);
    clock.advance(12 * 3600 * 1000 - 1);
    await quotas.load('k');
    assert.equal(quotas.check('k', 2).allowed, false);
    clock.advance(1);
    await quotas.load('k');
    assert.equal(quotas.check('k', 2).remaining, 2);
  });

  test('counts are written behind to the store and read back by a new process', async () => {
    const clock = new TestClock(NOON);
    const store = new MemoryQuotaStore();
    const first = new DailyQuotas(store, clock, { flushEveryMs: 0 });
    await first.load('k');
    for (let i = 0; i < 3; i++) first.count('k', 10);
    assert.equal(await store.get('k', '2031-05-20'), 0, 'nothing is written per request');
    await first.close();
    assert.equal(await store.get('k', '2031-05-20'), 3);

    const second = new DailyQuotas(store, clock, { flushEveryMs: 0 });
    await second.load('k');
    assert.equal(second.check('k', 10).remaining, 7);
  });

  test("a day's unsaved counts are still saved after the day changes", async () => {
    const clock = new TestClock(Date.UTC(2031, 4, 20, 23, 59, 59));
    const store = new MemoryQuotaStore();
    const quotas = new DailyQuotas(store, clock, { flushEveryMs: 0 });
    await quotas.load('k');
    quotas.count('k', 10);
    clock.advance(1000);
    await quotas.load('k');
    quotas.count('k', 10);
    quotas.count('k', 10);
    await quotas.flush();
    assert.equal(await store.get('k', '2031-05-20'), 1);
    assert.equal(await store.get('k', '2031-05-21'), 2);
  });

  test('concurrent first requests read the store once; a failed flush is retried', async () => {
    const clock = new TestClock(NOON);
    let reads = 0;
    let fail = true;
    const saved: QuotaIncrement[] = [];
    const store = {
      get: async () => {
        reads++;
        return 4;
      },
      add: async (increments: QuotaIncrement[]) => {
        if (fail) throw new Error('disk full');
        saved.push(...increments);
      },
    };
    const quotas = new DailyQuotas(store, clock, { flushEveryMs: 0 });
    await Promise.all([quotas.load('k'), quotas.load('k'), quotas.load('k')]);
    assert.equal(reads, 1);
    quotas.count('k', 10);
    await assert.rejects(quotas.flush(), /disk full/);
    fail = false;
    await quotas.flush();
    assert.deepEqual(saved, [{ id: 'k', day: '2031-05-20', count: 1 }]);
  });

  test('secondsToUtcMidnight', () => {
    assert.equal(secondsToUtcMidnight(Date.UTC(2031, 0, 1, 23, 59, 59, 500)), 1);
    assert.equal(secondsToUtcMidnight(Date.UTC(2031, 0, 1)), 86400);
  });
});

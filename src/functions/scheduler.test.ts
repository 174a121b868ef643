// The scheduler function with real ScheduledJob objects and a recording stand-in for the
// runtime's logger and metrics: what a tick does needs no AWS service.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { ScheduledJob } from '../platform/schedule.ts';
import { REPORT_MARGIN_MS, type SchedulerRuntime, scheduler } from './scheduler.ts';

const event = { source: 'aws.events', 'detail-type': 'Scheduled Event' } as unknown as ScheduledEvent;
const contextWith = (remainingMs: number) =>
  ({ awsRequestId: 'tick-1', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;
const context = contextWith(60_000);

function recordingRuntime(jobs: ScheduledJob[]) {
  const errors: Array<{ message: string; job: string; error: unknown }> = [];
  const metrics: Array<{ name: string; value: number; job?: string }> = [];
  let published = 0;
  const runtime: SchedulerRuntime = {
    apps: { scheduledJobs: jobs },
    logger: {
      addContext: () => {},
      error: (message: string, extra: { job: string; error: unknown }) => errors.push({ message, ...extra }),
    } as unknown as SchedulerRuntime['logger'],
    metrics: {
      addMetric: (name: string, _unit: string, value: number) => metrics.push({ name, value }),
      publishStoredMetrics: () => {
        published += 1;
      },
      singleMetric: () => {
        let job: string | undefined;
        return {
          addDimension: (_name: string, value: string) => {
            job = value;
          },
          addMetric: (name: string, _unit: string, value: number) =>
            metrics.push({ name, value, ...(job ? { job } : {}) }),
        };
      },
    } as unknown as SchedulerRuntime['metrics'],
  };
  return { runtime, errors, metrics, published: () => published };
}

/** A job that records the time it was given. */
function recordingJob(name: string, run: (now: Date) => Promise<void> = async () => {}) {
  const ticks: Date[] = [];
  const job: ScheduledJob = {
    name,
    run: async (now) => {
      ticks.push(now);
      await run(now);
    },
  };
  return { job, ticks };
}

test('every job runs with the tick’s time, and a tick where all succeed counts zero failures', async () => {
  const reminders = recordingJob('reminders');
  const digests = recordingJob('digests');
  const { runtime, errors, metrics, published } = recordingRuntime([reminders.job, digests.job]);
  const at = new Date('2030-01-02T03:04:00Z');
  await scheduler(
    () => runtime,
    () => at,
  )(event, context);
  assert.deepEqual(reminders.ticks, [at]);
  assert.deepEqual(digests.ticks, [at]);
  assert.deepEqual(errors, []);
  assert.deepEqual(metrics, [{ name: 'scheduledJobFailures', value: 0 }]);
  assert.equal(published(), 1);
});

test('a failing job does not stop the others; it is logged and counted by name, and the tick fails after all ran', async () => {
  const boom = new Error('table unavailable');
  const failing = recordingJob('reminders', async () => {
    throw boom;
  });
  // Throws before returning a promise: still one job's failure, not the whole tick's.
  const throwsAtOnce: ScheduledJob = {
    name: 'broken',
    run: () => {
      throw new Error('not a promise');
    },
  };
  let finishedLater = false;
  const slow = recordingJob('digests', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    finishedLater = true;
  });
  const { runtime, errors, metrics, published } = recordingRuntime([failing.job, throwsAtOnce, slow.job]);
  await assert.rejects(scheduler(() => runtime)(event, context), (error: unknown) => {
    assert.ok(error instanceof AggregateError);
    assert.match(error.message, /2 of 3 scheduled jobs failed: reminders, broken/);
    assert.equal(error.errors[0], boom);
    return true;
  });
  assert.equal(finishedLater, true, 'the slow job ran to its end before the tick failed');
  assert.deepEqual(
    errors.map((e) => [e.message, e.job]),
    [
      ['scheduled job failed', 'reminders'],
      ['scheduled job failed', 'broken'],
    ],
  );
  assert.equal(errors[0]?.error, boom);
  assert.deepEqual(metrics, [
    { name: 'scheduledJobFailed', value: 1, job: 'reminders' },
    { name: 'scheduledJobFailed', value: 1, job: 'broken' },
    { name: 'scheduledJobFailures', value: 2 },
  ]);
  assert.equal(published(), 1, 'the metrics go out even when the tick fails');
});

test('a job still running near the function’s timeout is reported by name instead of timing the tick out', async () => {
  const hung: ScheduledJob = { name: 'hung', run: () => new Promise<void>(() => {}) };
  const quick = recordingJob('quick');
  const { runtime, errors } = recordingRuntime([hung, quick.job]);
  await assert.rejects(
    scheduler(() => runtime)(event, contextWith(REPORT_MARGIN_MS + 30)),
    /1 of 2 scheduled jobs failed: hung/,
  );
  assert.equal(quick.ticks.length, 1);
  assert.equal(errors[0]?.job, 'hung');
  assert.match(String(errors[0]?.error), /still running after 30 ms/);
});

test('with no jobs a tick does nothing and succeeds', async () => {
  const { runtime, metrics } = recordingRuntime([]);
  await scheduler(() => runtime)(event, context);
  assert.deepEqual(metrics, [{ name: 'scheduledJobFailures', value: 0 }]);
});

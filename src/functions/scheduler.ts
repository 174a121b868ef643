// Lambda entry point: the EventBridge schedule (once a minute, src/functions/catalog.ts), running
// every app's scheduled jobs, as the local scheduler does on one machine. The jobs run side by
// side, each on its own: one that fails or hangs does not keep the others from their tick. A
// failure is logged and counted under the job's name, and the invocation fails once all have
// run, so Lambda counts it as an error and sends the tick to the dead-letter queue (not retried:
// the next tick is a minute away, and each job picks up whatever it left undone). A job still
// running just before the function's timeout is reported as failed, so the log names it instead
// of Lambda's bare "Task timed out".
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Apps } from '../apps/index.ts';
import { runtimeFromEnvironment } from './environment.ts';
import type { AwsRuntime } from './runtime.ts';

/** What the scheduler uses of the runtime: narrow enough to be given plain objects in tests. */
export interface SchedulerRuntime {
  apps: Pick<Apps, 'scheduledJobs'>;
  logger: Pick<AwsRuntime['logger'], 'addContext' | 'error'>;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'> & {
    singleMetric(): Pick<Metrics, 'addDimension' | 'addMetric'>;
  };
}

/** Time kept back from the function's timeout to log and count the jobs still running. */
export const REPORT_MARGIN_MS = 3000;

export function scheduler(runtime: () => SchedulerRuntime, now: () => Date = () => new Date()) {
  return async (_event: ScheduledEvent, context: Context): Promise<void> => {
    const { apps, logger, metrics } = runtime();
    logger.addContext(context);
    const tick = now();
    const jobs = apps.scheduledJobs;
    const budgetMs = Math.max(0, context.getRemainingTimeInMillis() - REPORT_MARGIN_MS);
    // `then` turns a job that throws before returning its promise into a rejection like any other.
    const outcomes = await Promise.allSettled(
      jobs.map((job) =>
        withDeadline(
          Promise.resolve().then(() => job.run(tick)),
          budgetMs,
        ),
      ),
    );
    const failed: Array<{ name: string; error: unknown }> = [];
    outcomes.forEach((outcome, i) => {
      const name = jobs[i]?.name ?? `job ${i}`;
      if (outcome.status === 'fulfilled') return;
      failed.push({ name, error: outcome.reason });
      logger.error('scheduled job failed', { job: name, error: outcome.reason });
      // Its own metric, with the job as a dimension: the buffered metrics share one set of dimensions.
      const byJob = metrics.singleMetric();
      byJob.addDimension('job', name);
      byJob.addMetric('scheduledJobFailed', MetricUnit.Count, 1);
    });
    // Published on every tick, zero included, so an alarm on it sees a steady series.
    metrics.addMetric('scheduledJobFailures', MetricUnit.Count, failed.length);
    metrics.publishStoredMetrics();
    if (failed.length > 0) {
      throw new AggregateError(
        failed.map((f) => f.error),
        `${failed.length} of ${jobs.length} scheduled jobs failed: ${failed.map((f) => f.name).join(', ')}`,
      );
    }
  };
}

/** The job's own outcome, or a failure once `ms` have passed (the job itself is left to Lambda's freeze). */
function withDeadline(run: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms, at the function's timeout`)), ms);
  });
  return Promise.race([run, late]).finally(() => clearTimeout(timer));
}

export const handler = scheduler(runtimeFromEnvironment);

/**
 * Scheduled jobs: run once a minute by EventBridge on AWS and by the local scheduler on one
 * machine. Ticks may overlap or repeat (a slow tick, a retried invocation), so a job must claim
 * its work with conditional writes and be safe to run twice.
 */
export interface ScheduledJob {
  /** Stable and unique: logs and metrics name the job by it. */
  name: string;
  run(now: Date): Promise<void>;
}

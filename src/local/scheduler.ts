import type { Clock } from '../platform/clock.ts';
import type { ScheduledJob } from '../platform/schedule.ts';

export interface LocalSchedulerOptions {
  clock: Clock;
  /** Time between ticks (EventBridge's rule is once a minute; tests and demos may go faster). */
  tickMs: number;
  onError(job: string, error: unknown): void;
}

/**
 * The one-machine stand-in for EventBridge's schedule: runs every scheduled job once at start
 * (work missed while Stratus was down goes out at once) and then on each tick, aligned to the
 * clock. Ticks never overlap here; the jobs are written to survive it anyway, as on AWS.
 */
export class LocalScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly jobs: ScheduledJob[],
    private readonly options: LocalSchedulerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    void this.tick().finally(() => this.schedule());
  }

  /** Runs every job once now (tests call it to move time along); waits for a tick in progress first. */
  async tick(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.runJobs();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async runJobs(): Promise<void> {
    const now = new Date(this.options.clock.now());
    for (const job of this.jobs) {
      try {
        await job.run(now);
      } catch (error) {
        this.options.onError(job.name, error);
      }
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const { tickMs } = this.options;
    const wait = tickMs - (Date.now() % tickMs);
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule()), wait).unref();
  }
}

/**
 * The loop both local background parts run (the queue's deliveries and the table stream's
 * dispatch): passes over the work until there is none, never two at once, then a sleep until
 * the next look. A `run()` while a pass is under way asks for one more pass right after it (a
 * commit landed meanwhile) and shares the promise, instead of starting a second loop. After the
 * passes, `sleepFor()` says how long to sleep, or undefined to stay asleep (stopped).
 */
export class BackgroundWorker {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly sleepFor: () => number | undefined,
  ) {}

  /** Runs passes now, or one more after the pass under way; resolves when they are done. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Runs after `ms`, replacing any run already scheduled; the timer never keeps the process alive. */
  schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  /** Cancels the scheduled run and waits for the pass under way. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.pass();
      } while (this.again);
    } finally {
      const ms = this.sleepFor();
      if (ms !== undefined) this.schedule(ms);
    }
  }
}

import { type Clock, systemClock } from '../../platform/clock.ts';
import type { Queue, QueueHandler, QueueMessage } from '../../platform/queue.ts';
import { BackgroundWorker } from './background-worker.ts';
import type { Database } from './database.ts';

/*
 * A message is stored once; each handler subscribed to its topic gets a delivery row of its
 * own, so one handler's failures, retries and dead letter never re-run another handler.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS queue_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id INTEGER NOT NULL REFERENCES queue_messages (id) ON DELETE CASCADE,
  handler TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL,
  error TEXT,
  dead_at INTEGER,
  UNIQUE (message_id, handler)
);
CREATE INDEX IF NOT EXISTS queue_deliveries_due ON queue_deliveries (due_at, id) WHERE dead_at IS NULL;
CREATE INDEX IF NOT EXISTS queue_deliveries_message ON queue_deliveries (message_id);
`;

export interface SqliteQueueOptions {
  /** Attempts per delivery before it goes to the dead-letter list. */
  maxAttempts?: number;
  /** Back-off before attempt n+1: base * 2^(n-1), capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Safety poll, for retries coming due and messages committed by another process. */
  pollMs?: number;
  /** Deliveries read per query. */
  batchSize?: number;
  /**
   * Deliveries run at once (default 2, this machine class's cores): a slow handler (an image
   * being processed) does not hold up the rest, as Lambda runs S3 events side by side on AWS.
   */
  concurrency?: number;
  clock?: Clock;
  onError?: (handler: string, error: unknown, attempt: number, messageId: string) => void;
}

export interface QueueDeadLetter {
  /** The delivery's id: pass it to `replay` or `drop`. */
  id: number;
  messageId: string;
  handler: string;
  topic: string;
  payload: unknown;
  error: string;
  attempts: number;
  /** ISO 8601. */
  enqueuedAt: string;
  failedAt: string;
}

interface DeliveryRow {
  id: number;
  message_id: number;
  handler: string;
  attempts: number;
  topic: string;
  payload: string;
  enqueued_at: number;
}

interface DeadRow extends DeliveryRow {
  error: string | null;
  dead_at: number;
}

/**
 * A durable local queue on the one SQLite file, in the role SQS plays on AWS: at least once to
 * every subscribed handler, retries with exponential back-off, a dead-letter list that can be
 * replayed, and nothing lost across a restart.
 *
 * A delivery is claimed before its handler runs (its attempt counted and its next try pushed
 * back, like an SQS visibility timeout), so a message that crashes the process is retried
 * later and, at last, dead-lettered, instead of crashing every start.
 */
export class SqliteQueue implements Queue {
  private readonly handlers = new Map<string, QueueHandler>();
  private readonly subscribers = new Map<string, string[]>();
  private readonly options: Required<Omit<SqliteQueueOptions, 'onError'>> & Pick<SqliteQueueOptions, 'onError'>;
  private readonly statements;
  private readonly worker = new BackgroundWorker(
    () => this.deliverDue(),
    () => (this.started ? this.nextWakeIn() : undefined),
  );
  private started = false;
  private halted = false;

  constructor(
    readonly db: Database,
    handlers: QueueHandler[],
    options: SqliteQueueOptions = {},
  ) {
    db.exec(SCHEMA);
    this.options = {
      maxAttempts: 8,
      baseDelayMs: 200,
      maxDelayMs: 60_000,
      pollMs: 1000,
      batchSize: 50,
      concurrency: 2,
      clock: systemClock,
      ...options,
    };
    for (const handler of handlers) this.subscribe(handler);
    this.statements = {
      insertMessage: db.prepare<[string, string, number]>(
        'INSERT INTO queue_messages (topic, payload, enqueued_at) VALUES (?, ?, ?)',
      ),
      insertDelivery: db.prepare<[number, string, number]>(
        'INSERT INTO queue_deliveries (message_id, handler, due_at) VALUES (?, ?, ?)',
      ),
      due: db.prepare<[number, number], DeliveryRow>(
        `SELECT d.id, d.message_id, d.handler, d.attempts, m.topic, m.payload, m.enqueued_at
         FROM queue_deliveries d JOIN queue_messages m ON m.id = d.message_id
         WHERE d.dead_at IS NULL AND d.due_at <= ? ORDER BY d.due_at, d.id LIMIT ?`,
      ),
      nextDue: db.prepare<[], { due_at: number | null }>(
        'SELECT MIN(due_at) AS due_at FROM queue_deliveries WHERE dead_at IS NULL',
      ),
      claim: db.prepare<[number, number, number]>('UPDATE queue_deliveries SET attempts = ?, due_at = ? WHERE id = ?'),
      retryLater: db.prepare<[number, string, number]>(
        'UPDATE queue_deliveries SET due_at = ?, error = ? WHERE id = ?',
      ),
      kill: db.prepare<[number, string, number]>('UPDATE queue_deliveries SET dead_at = ?, error = ? WHERE id = ?'),
      deleteDelivery: db.prepare<[number]>('DELETE FROM queue_deliveries WHERE id = ?'),
      deleteDeadDelivery: db.prepare<[number]>('DELETE FROM queue_deliveries WHERE id = ? AND dead_at IS NOT NULL'),
      messageOf: db.prepare<[number], { message_id: number }>('SELECT message_id FROM queue_deliveries WHERE id = ?'),
      deleteIfDone: db.prepare<[number, number]>(
        'DELETE FROM queue_messages WHERE id = ? AND NOT EXISTS (SELECT 1 FROM queue_deliveries WHERE message_id = ?)',
      ),
      replay: db.prepare<[number, number]>(
        'UPDATE queue_deliveries SET dead_at = NULL, attempts = 0, error = NULL, due_at = ? WHERE id = ? AND dead_at IS NOT NULL',
      ),
      pending: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM queue_deliveries WHERE dead_at IS NULL'),
      dead: db.prepare<[], DeadRow>(
        `SELECT d.id, d.message_id, d.handler, d.attempts, d.error, d.dead_at, m.topic, m.payload, m.enqueued_at
         FROM queue_deliveries d JOIN queue_messages m ON m.id = d.message_id
         WHERE d.dead_at IS NOT NULL ORDER BY d.dead_at, d.id`,
      ),
    };
  }

  /**
   * Adds a handler before `start()`: the object store needs the queue, and the handlers of
   * object events need the object store, so they are subscribed once both exist.
   */
  subscribe(handler: QueueHandler): void {
    if (this.started) throw new Error('Subscribe handlers before starting the queue');
    if (this.handlers.has(handler.name)) throw new Error(`Two queue handlers are named ${handler.name}`);
    this.handlers.set(handler.name, handler);
    this.subscribers.set(handler.topic, [...(this.subscribers.get(handler.topic) ?? []), handler.name]);
  }

  /** Stores the message and wakes the queue. Nothing is stored when no handler subscribes to the topic. */
  async enqueue(topic: string, payload: unknown): Promise<void> {
    this.enqueueInTransaction(topic, payload);
    this.wake();
  }

  /**
   * Stores the message without waking the queue, so it can be part of the caller's own
   * transaction on the same database (a write and its event commit together, or not at all).
   * Call `wake()` after the commit. Returns the message id, if any handler subscribes.
   */
  enqueueInTransaction(topic: string, payload: unknown): string | undefined {
    const handlers = this.subscribers.get(topic);
    if (!handlers) return undefined;
    const json = JSON.stringify(payload);
    if (json === undefined) throw new TypeError('A queue message payload must be JSON');
    const now = this.now();
    return this.db.transaction(() => {
      const id = Number(this.statements.insertMessage.run(topic, json, now).lastInsertRowid);
      for (const handler of handlers) this.statements.insertDelivery.run(id, handler, now);
      return String(id);
    })();
  }

  start(): void {
    // Deliveries left for a handler that is no longer registered would wait for ever and hide
    // in the depth: make them visible (and replayable) as dead letters instead. Done here, not
    // in the constructor, because handlers may still be subscribed until the queue starts.
    this.db
      .prepare(
        `UPDATE queue_deliveries SET dead_at = ?, error = 'No handler of this name is registered any more'
         WHERE dead_at IS NULL AND handler NOT IN (SELECT value FROM json_each(?))`,
      )
      .run(this.now(), JSON.stringify([...this.handlers.keys()]));
    this.started = true;
    this.halted = false;
    this.worker.schedule(0);
  }

  /** Looks for due deliveries now (after an enqueue in the caller's transaction has committed). */
  wake(): void {
    if (this.started) void this.worker.run();
  }

  /** Runs deliveries until none is due at the clock's now (retries further out stay). For tests and shutdown. */
  async drain(): Promise<void> {
    while (!this.halted) {
      await this.worker.run();
      if (!this.hasDue()) return;
    }
  }

  /** Stops polling and waits for the delivery in progress. Pending deliveries stay in the database. */
  async stop(): Promise<void> {
    this.started = false;
    this.halted = true;
    await this.worker.stop();
  }

  /** Deliveries waiting to run or to be retried (not dead letters). */
  depth(): number {
    return this.statements.pending.get()?.n ?? 0;
  }

  deadLetters(): QueueDeadLetter[] {
    return this.statements.dead.all().map((row) => ({
      id: row.id,
      messageId: String(row.message_id),
      handler: row.handler,
      topic: row.topic,
      payload: JSON.parse(row.payload) as unknown,
      error: row.error ?? '',
      attempts: row.attempts,
      enqueuedAt: new Date(row.enqueued_at).toISOString(),
      failedAt: new Date(row.dead_at).toISOString(),
    }));
  }

  /** Puts a dead letter back in the queue with a fresh set of attempts. False when there is no such dead letter. */
  replay(id: number): boolean {
    const replayed = this.statements.replay.run(this.now(), id).changes > 0;
    if (replayed) this.wake();
    return replayed;
  }

  /** Forgets a dead letter for good. False when there is no such dead letter. */
  drop(id: number): boolean {
    return this.db.transaction(() => {
      const messageId = this.statements.messageOf.get(id)?.message_id;
      if (messageId === undefined || this.statements.deleteDeadDelivery.run(id).changes === 0) return false;
      this.statements.deleteIfDone.run(messageId, messageId);
      return true;
    })();
  }

  // ------------------------------------------------------------------ internals

  private now(): number {
    return this.options.clock.now();
  }

  private hasDue(): boolean {
    const next = this.statements.nextDue.get()?.due_at;
    return next !== null && next !== undefined && next <= this.now();
  }

  /** One pass: every delivery due now, a batch at a time, until none is due or the queue stops. */
  private async deliverDue(): Promise<void> {
    for (;;) {
      const due = this.statements.due.all(this.now(), this.options.batchSize);
      if (due.length === 0) return;
      for (let i = 0; i < due.length; i += this.options.concurrency) {
        if (this.halted) return;
        await Promise.all(due.slice(i, i + this.options.concurrency).map((row) => this.deliver(row)));
      }
    }
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const handler = this.handlers.get(row.handler);
    if (!handler) {
      this.statements.kill.run(this.now(), 'No handler of this name is registered any more', row.id);
      return;
    }
    if (row.attempts >= this.options.maxAttempts) {
      // Claimed for its last attempt, then never settled: the process stopped while it ran.
      this.statements.kill.run(this.now(), 'The process stopped while the handler ran it', row.id);
      return;
    }
    const attempt = row.attempts + 1;
    this.statements.claim.run(attempt, this.now() + this.backOff(attempt), row.id);
    const message: QueueMessage = {
      id: String(row.message_id),
      topic: row.topic,
      payload: JSON.parse(row.payload) as unknown,
      attempt,
      enqueuedAt: new Date(row.enqueued_at).toISOString(),
    };
    try {
      await handler.handle(message.payload, message);
    } catch (error) {
      this.options.onError?.(row.handler, error, attempt, message.id);
      if (attempt >= this.options.maxAttempts) this.statements.kill.run(this.now(), describe(error), row.id);
      else this.statements.retryLater.run(this.now() + this.backOff(attempt), describe(error), row.id);
      return;
    }
    this.db.transaction(() => {
      this.statements.deleteDelivery.run(row.id);
      this.statements.deleteIfDone.run(row.message_id, row.message_id);
    })();
  }

  private backOff(attempt: number): number {
    return Math.min(this.options.baseDelayMs * 2 ** (attempt - 1), this.options.maxDelayMs);
  }

  private nextWakeIn(): number {
    const next = this.statements.nextDue.get()?.due_at;
    if (next === null || next === undefined) return this.options.pollMs;
    return Math.max(0, Math.min(this.options.pollMs, next - this.now()));
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}

/**
 * The Queue port: fire-and-forget messages on named topics, delivered at least once to every
 * handler subscribed to the topic (SQS / EventBridge on AWS, a SQLite queue locally). Handlers
 * must be idempotent: a message can arrive twice.
 */
export interface Queue {
  /** `payload` must survive JSON (plain objects, arrays, strings, numbers, booleans, null). */
  enqueue(topic: string, payload: unknown): Promise<void>;
}

export interface QueueMessage<T = unknown> {
  id: string;
  topic: string;
  payload: T;
  /** 1 on the first delivery to this handler. */
  attempt: number;
  /** ISO 8601. */
  enqueuedAt: string;
}

export interface QueueHandler<T = unknown> {
  /** Stable and unique: deliveries are tracked under this name, across restarts. */
  name: string;
  topic: string;
  /** Throwing retries this message later (with back-off), for this handler only. */
  handle(payload: T, message: QueueMessage<T>): Promise<void>;
}

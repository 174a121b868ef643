/** Where subscriptions read live events from, on a runtime that serves them itself (one machine). */
export interface LiveSubscriptions {
  /** Events published on `topic` (see `liveTopic` in src/platform/live.ts) from now until the iteration ends. */
  subscribe(topic: string): AsyncIterable<unknown>;
}

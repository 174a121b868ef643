/**
 * The Live port on one machine: an in-process bus. The stream handlers and mutations publish on
 * it; graphql-yoga's subscriptions (over WebSocket and SSE) read from it. Everything runs in
 * one process, so nothing has to cross a network or survive a restart: a client that
 * reconnects reads what it missed with an ordinary query.
 */
import { createPubSub } from 'graphql-yoga';
import type { LiveSubscriptions } from '../../apps/social/graphql/live.ts';
import { type LiveEvent, type LivePublisher, liveTopic } from '../../platform/live.ts';

export class LocalLiveBus implements LivePublisher, LiveSubscriptions {
  private readonly pubsub = createPubSub<Record<string, [LiveEvent]>>();

  async publish(event: LiveEvent): Promise<void> {
    this.pubsub.publish(liveTopic(event), event);
  }

  subscribe(topic: string): AsyncIterable<LiveEvent> {
    return this.pubsub.subscribe(topic);
  }
}

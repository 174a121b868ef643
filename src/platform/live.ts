/**
 * The Live port: pushes to clients subscribed to the social app's GraphQL subscriptions.
 *
 * On one machine it is an in-process bus that graphql-yoga's subscriptions read (over
 * WebSocket and SSE). On AWS, AppSync delivers subscriptions itself from a mutation's result
 * (`@aws_subscribe`): the publisher calls the IAM-only mutations `publishLikeChanged` and
 * `publishFeedPost`, and `commentAdded` needs nothing, because `addComment` is itself the
 * mutation `onCommentAdded` listens to.
 */
export type LiveEvent =
  | { type: 'commentAdded'; postId: string; commentId: string }
  | { type: 'likeChanged'; postId: string; likeCount: number }
  | { type: 'feedPost'; userId: string; postId: string };

export interface LivePublisher {
  /** Best effort: a push that fails is lost (clients catch up on their next read). */
  publish(event: LiveEvent): Promise<void>;
}

/** The topic an event is delivered on: subscribers listen to one post's or one user's topic. */
export function liveTopic(event: LiveEvent): string {
  switch (event.type) {
    case 'commentAdded':
      return `commentAdded:${event.postId}`;
    case 'likeChanged':
      return `likeChanged:${event.postId}`;
    case 'feedPost':
      return `feedPost:${event.userId}`;
  }
}

import type { ItemLoader } from '../loader.ts';
import type { GraphAuth } from './auth.ts';

/** What every resolver of one request sees: who asks, and that request's batched item reads. */
export interface GraphContext {
  auth: GraphAuth;
  loader: ItemLoader;
}

/** The signed-in user's id; undefined for API keys and Stratus itself. */
export const viewerOf = (context: GraphContext): string | undefined =>
  context.auth.mode === 'user' ? context.auth.sub : undefined;

import type { AccessClaims, Caller } from '../platform/identity.ts';
import type { Item } from '../platform/table.ts';

/** What middleware puts on the Hono context for the handlers after it. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** The client's address, as the runtime (socket or API Gateway) reports it. */
    clientIp: string;
    caller: Caller;
    claims: AccessClaims;
    /** The signed-in user's profile item, read once while checking the session. */
    profile: Item;
  };
}

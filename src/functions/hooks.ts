import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoTable } from '../adapters/aws/dynamo-table.ts';
import { createProfileOnConfirmation } from '../apps/users/profile.ts';
import { type Clock, systemClock } from '../platform/clock.ts';
import type { IdentityHooks } from '../platform/identity.ts';
import type { Table } from '../platform/table.ts';

/** What Cognito's triggers run: the same hooks as the built-in issuer's. */
export function identityHooks(table: Table, clock: Clock = systemClock): IdentityHooks {
  return { postConfirmation: createProfileOnConfirmation(table, () => new Date(clock.now())) };
}

let hooks: IdentityHooks | undefined;

/**
 * The Cognito triggers' hooks, made from the environment on first use. They need the table only,
 * and must not need the pool's ids: the pool refers to its triggers, so the triggers cannot be
 * told the pool's id without a cycle. Kept apart from the HTTP runtime, so the triggers' bundles
 * carry neither the apps nor their schemas.
 */
export function hooksFromEnvironment(env: NodeJS.ProcessEnv = process.env): IdentityHooks {
  if (!hooks) {
    const missing = ['AWS_REGION', 'TABLE_NAME'].filter((name) => !env[name]);
    if (missing.length > 0) throw new Error(`Configuration: ${missing.join(', ')} must be set`);
    hooks = identityHooks(
      new DynamoTable({ client: new DynamoDBClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME as string }),
    );
  }
  return hooks;
}

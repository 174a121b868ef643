import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { DynamoTable } from '../adapters/aws/dynamo-table.ts';
import { parseEnv } from '../apps/settings.ts';
import type { IdentityHooks } from '../platform/identity.ts';
import { loadAwsConfig } from './config.ts';
import { type AwsRuntime, createAwsRuntime, identityHooks } from './runtime.ts';

let built: AwsRuntime | undefined;
let hooks: IdentityHooks | undefined;

/** The runtime of this execution environment, made from its variables on first use (the cold start). */
export function runtimeFromEnvironment(): AwsRuntime {
  built ??= createAwsRuntime(loadAwsConfig(process.env));
  return built;
}

/**
 * The Cognito triggers' hooks. They need the table only, and must not need the pool's ids: the
 * pool refers to its triggers, so the triggers cannot be told the pool's id without a cycle.
 */
export function hooksFromEnvironment(): IdentityHooks {
  if (!hooks) {
    const env = parseEnv(z.object({ AWS_REGION: z.string().min(1), TABLE_NAME: z.string().min(1) }), process.env);
    hooks = identityHooks(
      new DynamoTable({ client: new DynamoDBClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME }),
    );
  }
  return hooks;
}

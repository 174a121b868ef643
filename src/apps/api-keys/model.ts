import { z } from '@hono/zod-openapi';
import { SORTABLE_ID } from '../common/ids.ts';
import { noControlCharacters } from '../common/model.ts';

export const ApiKeyName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine(noControlCharacters, 'must not contain control characters')
  .openapi({ example: 'backup script' });

/** The create body; `plan` is one of the configured plans, so the schema is built from them. */
export function createApiKeyBody(planNames: readonly [string, ...string[]], defaultPlan: string) {
  return z
    .object({
      name: ApiKeyName,
      plan: z
        .enum(planNames, { message: `must be one of: ${planNames.join(', ')}` })
        .optional()
        .openapi({ description: `The usage plan; ${defaultPlan} when absent` }),
    })
    .strict()
    .openapi('CreateApiKey');
}

export const ApiKeyIdParam = z
  .object({
    id: z
      .string()
      .regex(SORTABLE_ID, 'must be an API key id as POST /v1/api-keys returned it')
      .openapi({ param: { name: 'id', in: 'path' }, example: '01j9z3k4m5n6p7q8r9s0t1v2w3' }),
  })
  .strict();

export const ListQuery = z.object({
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be from 1 to 100')
    .max(100, 'must be from 1 to 100')
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, example: 20 }),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'The nextCursor of the previous page' }),
});

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.string(),
    prefix: z.string().openapi({ description: 'The start of the key, to tell keys apart', example: 'stk_AbCd1234' }),
    createdAt: z.string(),
    lastUsedAt: z.string().optional().openapi({ description: 'To the minute: written at most once a minute' }),
    revokedAt: z.string().optional(),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.omit({ lastUsedAt: true, revokedAt: true })
  .extend({
    key: z.string().openapi({ description: 'The secret key: shown only in this answer, never again' }),
  })
  .openapi('CreatedApiKey');

export const ApiKeyListSchema = z
  .object({ items: z.array(ApiKeySchema), nextCursor: z.string().optional() })
  .openapi('ApiKeyList');

import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './context.ts';
import { problemResponse, validationError } from './problem.ts';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** A JSON request body the route requires. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

/** A JSON response with its description. */
export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** A problem+json response with its description. */
export const problem = (description: string) => ({
  content: { 'application/problem+json': { schema: ProblemSchema } },
  description,
});

/** The problem responses most routes can give, for the OpenAPI document. */
export const problems = {
  400: problem('The request is not valid; `errors` names the failing fields'),
  401: problem('Not signed in, or the token is invalid, expired or revoked'),
  429: problem('Too many requests or failed attempts; see Retry-After'),
} as const;

/** An OpenAPIHono whose validation failures become problem+json 400s naming the fields. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return problemResponse(c, validationError(result.error, result.target));
    },
  });
}

/**
 * The executable schema: `schema.graphql` (AppSync's dialect, also what the CDK app deploys)
 * with the declarations AppSync makes implicitly — its scalars and auth directives — added in
 * front, so graphql-js reads the very same file on one machine and in the Lambda data source.
 */
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError, GraphQLScalarType, type GraphQLSchema, Kind } from 'graphql';
import type { GraphContext } from './context.ts';

/** What AppSync declares for every schema (https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html). */
export const APPSYNC_PRELUDE = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String!]) on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_api_key on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_iam on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_oidc on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_lambda on OBJECT | FIELD_DEFINITION | INTERFACE
`;

/** Bundled Lambda code finds the file beside its bundle; on one machine, beside this module. */
export function schemaSource(): string {
  return readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');
}

/** A string scalar that checks its values the way AppSync does, with a clear message. */
function stringScalar(name: string, description: string, valid: (value: string) => boolean) {
  const check = (value: unknown): string => {
    if (typeof value !== 'string' || !valid(value)) {
      throw new GraphQLError(`${name} must be ${description}`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    // What goes out was checked on its way in (or made here): a page of posts would otherwise
    // run the date-time pattern on every post, each time it is read.
    serialize: (value) => (typeof value === 'string' ? value : check(value)),
    parseValue: check,
    parseLiteral: (ast) => check(ast.kind === Kind.STRING ? ast.value : undefined),
  });
}

const isUrl = (value: string) => URL.canParse(value) && /^https?:/.test(value);
const isDateTime = (value: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$/.test(value) &&
  !Number.isNaN(Date.parse(value));

export const scalars = {
  AWSDateTime: stringScalar(
    'AWSDateTime',
    'an ISO 8601 date and time with a zone, e.g. 2026-11-22T09:00:00Z',
    isDateTime,
  ),
  AWSURL: stringScalar('AWSURL', 'an absolute http(s) URL', isUrl),
};

export function buildSocialSchema(resolvers: Record<string, unknown>): GraphQLSchema {
  return makeExecutableSchema<GraphContext>({
    typeDefs: [APPSYNC_PRELUDE, schemaSource()],
    resolvers: { ...scalars, ...resolvers },
  });
}

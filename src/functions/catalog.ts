/**
 * The Lambda functions Stratus deploys: one per group of HTTP routes, plus the event functions.
 * The one list read by the bundler (`scripts/bundle.ts`) and the CDK app (`infra/`), so a new
 * function is added here once. Each bundle is `dist/functions/<name>/index.mjs`, exporting
 * `handler`, built from `src/functions/<name>.ts`.
 */

export interface HttpFunction {
  name: string;
  /** API Gateway resources this function serves: each path and everything below it. */
  paths: string[];
  /** Routes anyone may call (sign-up, sign-in, public sites): no Cognito authorizer on these. */
  publicPaths: string[];
}

export interface EventFunction {
  name: string;
  /**
   * Where its events come from on AWS. The CDK app picks the transport: object-created events
   * reach the function through an SQS queue by default (`-c objectEvents=direct` for S3 → Lambda).
   * A schedule is an EventBridge rule's expression: `schedule:rate(1 minute)`, `schedule:cron(0 3 * * ? *)`.
   * `appsync:resolver`: the AppSync GraphQL API's Lambda data source (its direct resolvers).
   */
  source:
    | 's3:ObjectCreated'
    | 'appsync:resolver'
    | 'dynamodb:stream'
    | 'cognito:PreSignUp'
    | 'cognito:PostConfirmation'
    | `schedule:rate(${string})`
    | `schedule:cron(${string})`;
}

export const httpFunctions: HttpFunction[] = [
  { name: 'auth', paths: ['/v1/auth', '/v1/me'], publicPaths: ['/v1/auth'] },
  { name: 'todos', paths: ['/v1/todos'], publicPaths: [] },
  { name: 'notes', paths: ['/v1/notes'], publicPaths: [] },
  { name: 'bookmarks', paths: ['/v1/bookmarks'], publicPaths: [] },
  { name: 'sites', paths: ['/v1/sites'], publicPaths: ['/v1/sites'] },
  { name: 'files', paths: ['/v1/files'], publicPaths: [] },
  {
    name: 'photos',
    paths: ['/v1/photos', '/v1/albums', '/v1/shares', '/v1/shared'],
    publicPaths: ['/v1/shared'],
  },
  { name: 'tasks', paths: ['/v1/tasks', '/v1/task-analytics'], publicPaths: [] },
  { name: 'notifications', paths: ['/v1/notifications'], publicPaths: [] },
  { name: 'api-keys', paths: ['/v1/api-keys'], publicPaths: [] },
  // The operator console's API: users (Cognito's Admin* calls), the table read-only, the audit log.
  { name: 'admin', paths: ['/v1/admin'], publicPaths: [] },
];

export const eventFunctions: EventFunction[] = [
  { name: 'object-created', source: 's3:ObjectCreated' },
  { name: 'table-stream', source: 'dynamodb:stream' },
  { name: 'cognito-pre-sign-up', source: 'cognito:PreSignUp' },
  { name: 'cognito-post-confirmation', source: 'cognito:PostConfirmation' },
  // Every app's ScheduledJobs, once a minute: jobs claim their due work, so a tick may come late or twice.
  { name: 'scheduler', source: 'schedule:rate(1 minute)' },
  // The social app's GraphQL API on AppSync: every Query and Mutation field, one invocation each.
  { name: 'graphql', source: 'appsync:resolver' },
];

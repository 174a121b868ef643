/**
 * The social app's GraphQL API on AWS: an AppSync API built from the same schema file graphql-yoga
 * serves on one machine, whose every Query and Mutation field is a direct Lambda resolver (no
 * mapping template) on the `graphql` function, which runs the same resolvers
 * (src/functions/graphql.ts). Subscriptions are AppSync's own, fired by the mutations the schema
 * names in `@aws_subscribe`; only `onFeedPost` has a resolver, to keep each user to their own feed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, Expiration, RemovalPolicy } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { appSyncSchema } from '../../src/functions/appsync-event.ts';
import type { StratusFunction } from './functions.ts';

/** The schema, in AppSync's dialect (its scalars and directives are AppSync's, not declared). */
export const SCHEMA_FILE = fileURLToPath(new URL('../../src/apps/social/graphql/schema.graphql', import.meta.url));

/** The IAM-only mutations the stream function calls to push live updates (src/adapters/aws/appsync-publisher.ts). */
export const PUBLISH_MUTATIONS = ['publishLikeChanged', 'publishFeedPost'] as const;

export interface ResolvedField {
  typeName: 'Query' | 'Mutation';
  fieldName: string;
}

/**
 * Every Query and Mutation field of the schema, read from the file: a field added to the schema
 * gets its resolver at the next synth, and a field without one would answer null on AWS alone.
 */
export function resolvedFields(sdl: string = readFileSync(SCHEMA_FILE, 'utf8')): ResolvedField[] {
  const schema = appSyncSchema(sdl);
  const fields = (typeName: ResolvedField['typeName'], type: { getFields(): object } | null | undefined) =>
    Object.keys(type?.getFields() ?? {}).map((fieldName) => ({ typeName, fieldName }));
  return [...fields('Query', schema.getQueryType()), ...fields('Mutation', schema.getMutationType())];
}

/**
 * `onFeedPost` runs when a client subscribes (not on each event): it refuses anyone but the
 * feed's owner, whatever `userId` they ask for. The subscription is for signed-in users only
 * (`@aws_cognito_user_pools`), so the caller always has a `sub`. AppSync's JavaScript runtime.
 */
export const ON_FEED_POST_RESOLVER = `import { util } from '@aws-appsync/utils';

export function request(ctx) {
  if (!ctx.identity || ctx.args.userId !== ctx.identity.sub) {
    util.unauthorized();
  }
  return { payload: null };
}

export function response(ctx) {
  return null;
}
`;

/** How long the public API key lives: AppSync's longest. */
const API_KEY_LIFETIME = Duration.days(365);

export interface GraphqlProps {
  stage: string;
  /** The stack's user pool: signed-in users, the default mode. */
  userPool: cognito.IUserPool;
  /** The `graphql` catalog function: the Lambda data source. */
  resolver: StratusFunction;
  logRetention: logs.RetentionDays;
}

export class Graphql extends Construct {
  readonly api: appsync.GraphqlApi;
  /** The API key for public, read-only fields (`@aws_api_key`). */
  readonly apiKey: appsync.CfnApiKey;
  readonly dataSource: appsync.LambdaDataSource;
  /** The API's request and field log group, created here so it has a retention period. */
  readonly logGroup: logs.LogGroup;
  /** What AppSync writes its logs as: that log group only. */
  readonly logsRole: iam.Role;
  readonly fields: ResolvedField[];

  constructor(scope: Construct, id: string, props: GraphqlProps) {
    super(scope, id);
    // AppSync's managed AWSAppSyncPushToCloudWatchLogs policy reaches every log group; this role
    // reaches the API's own one (its policy is added once the API's id, and so the group, exist).
    this.logsRole = new iam.Role(this, 'LogsRole', {
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      description: `Stratus ${props.stage} GraphQL API logs`,
    });
    this.api = new appsync.GraphqlApi(this, 'Api', {
      name: `stratus-${props.stage}`,
      definition: appsync.Definition.fromFile(SCHEMA_FILE),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: appsync.AuthorizationType.USER_POOL,
          userPoolConfig: { userPool: props.userPool },
        },
        additionalAuthorizationModes: [
          {
            authorizationType: appsync.AuthorizationType.API_KEY,
            // Rotation: the expiry is set at synth to a year ahead, so each deploy renews the same
            // key (its value stays; AppSync only moves the expiry) and a stage deployed at least
            // once a year never loses it. To replace the value, add a second key beside this one,
            // give clients the new value, then remove this one: both work meanwhile.
            apiKeyConfig: {
              name: 'Public',
              description: `Stratus ${props.stage}: public, read-only fields (@aws_api_key)`,
              expires: Expiration.after(API_KEY_LIFETIME),
            },
          },
          // Stratus's own stream function, which calls the publish mutations to push live updates.
          { authorizationType: appsync.AuthorizationType.IAM },
        ],
      },
      xrayEnabled: true,
    });
    this.apiKey = this.api.node.findChild('PublicApiKey') as appsync.CfnApiKey;
    // Set on the resource itself: the construct's `logConfig` would add a log-retention custom
    // resource (a Lambda function with wildcard rights) racing the log group made below.
    (this.api.node.defaultChild as appsync.CfnGraphQLApi).logConfig = {
      cloudWatchLogsRoleArn: this.logsRole.roleArn,
      fieldLogLevel: appsync.FieldLogLevel.ERROR,
      // Verbose content would log each request's headers (the caller's token or API key) and
      // its arguments (posts, comments); errors and request summaries are logged without it.
      excludeVerboseContent: true,
    };

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/appsync/apis/${this.api.apiId}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logsRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.dataSource = this.api.addLambdaDataSource('Resolver', props.resolver.fn, {
      description: 'Runs the social graph: every Query and Mutation field',
    });
    this.fields = resolvedFields();
    for (const { typeName, fieldName } of this.fields) {
      // No mapping templates: a direct Lambda resolver, invoked with AppSync's whole context.
      this.dataSource.createResolver(`${typeName}${pascal(fieldName)}`, { typeName, fieldName });
    }

    this.api
      .addNoneDataSource('Local', { description: 'Subscription checks, with no data source' })
      .createResolver('SubscriptionOnFeedPost', {
        typeName: 'Subscription',
        fieldName: 'onFeedPost',
        runtime: appsync.FunctionRuntime.JS_1_0_0,
        code: appsync.Code.fromInline(ON_FEED_POST_RESOLVER),
      });
  }

  /** May call the publish mutations, and only those (the stream function). */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.api.grantMutation(grantee, ...PUBLISH_MUTATIONS);
  }
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

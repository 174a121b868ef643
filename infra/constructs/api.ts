import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { UsagePlan } from '../../src/apps/api-keys/plans.ts';
import type { HttpFunction } from '../../src/functions/catalog.ts';

export interface ApiProps {
  stage: string;
  userPool: cognito.IUserPool;
  /** Each catalog HTTP function with its deployed function. */
  routes: Array<{ entry: HttpFunction; fn: lambda.IFunction }>;
  corsOrigins: string[];
  usagePlans: UsagePlan[];
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: logs.RetentionDays;
}

/** Headers browsers may send (as the one-machine CORS middleware allows). */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key', 'x-api-key'];

/** One JSON line per request: who, what, how it ended and where the time went. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  sub: '$context.authorizer.claims.sub',
  apiKeyId: '$context.identity.apiKeyId',
  requestTime: '$context.requestTimeEpoch',
  method: '$context.httpMethod',
  resource: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  xrayTraceId: '$context.xrayTraceId',
});

/** The scope every user-pool access token carries: the authorizer then takes access tokens, not id tokens. */
export const ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';

/**
 * The REST API: one stage named after the deployment stage; each catalog path and everything
 * below it (`{proxy+}`) goes to its function. Paths outside `publicPaths` need a valid access
 * token from the user pool before a function runs (the function checks it again, with
 * revocation). Body shapes are checked by the functions' zod schemas, the same ones as on one
 * machine; the gateway's validator checks the required parameters.
 */
export class Api extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly accessLogs: logs.LogGroup;
  /** The methods anyone may call (no authorizer), by the catalog's `publicPaths`. */
  readonly publicMethods: apigateway.Method[] = [];

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: `stratus-${props.stage}`,
      description: `Stratus ${props.stage} API`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      minCompressionSize: Size.kibibytes(1),
      apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
      // Execution logs need the account-wide API Gateway role; kept when the stack goes, as other APIs may use it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
      defaultCorsPreflightOptions: {
        allowOrigins: props.corsOrigins,
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        allowHeaders: ALLOWED_HEADERS,
        maxAge: Duration.minutes(10),
      },
    });

    const validator = this.restApi.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: apigateway.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });
    const signedIn: apigateway.MethodOptions = {
      authorizer,
      authorizationType: apigateway.AuthorizationType.COGNITO,
      authorizationScopes: [ACCESS_TOKEN_SCOPE],
      requestValidator: validator,
      requestParameters: { 'method.request.header.Authorization': true },
    };
    const open: apigateway.MethodOptions = {
      authorizationType: apigateway.AuthorizationType.NONE,
      requestValidator: validator,
    };

    for (const { entry, fn } of props.routes) {
      const integration = new apigateway.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false });
      for (const path of entry.paths) {
        const anyone = isPublic(path, entry.publicPaths);
        const resource = this.restApi.root.resourceForPath(path);
        for (const target of [resource, resource.addResource('{proxy+}')]) {
          const method = target.addMethod('ANY', integration, anyone ? open : signedIn);
          if (anyone) this.publicMethods.push(method);
        }
      }
    }

    for (const plan of props.usagePlans) {
      this.restApi.addUsagePlan(`${plan.name}Plan`, {
        name: `stratus-${props.stage}-${plan.name}`,
        description: `Stratus ${plan.name} plan: ${plan.ratePerSecond}/s, bursts of ${plan.burst}, ${plan.dailyQuota} a day`,
        throttle: { rateLimit: plan.ratePerSecond, burstLimit: plan.burst },
        quota: { limit: plan.dailyQuota, period: apigateway.Period.DAY },
        apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      });
    }

    addProblemResponses(this.restApi, props.corsOrigins);
  }

  /** The stage's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/prod/`. */
  get url(): string {
    return this.restApi.url;
  }
}

/** A path is public when it is, or lies below, one of the function's public paths. */
export function isPublic(path: string, publicPaths: string[]): boolean {
  return publicPaths.some((p) => path === p || path.startsWith(`${p}/`));
}

/** A gateway refusal; `status` absent keeps the status API Gateway chose (the DEFAULT_* catch-alls). */
interface GatewayProblem {
  type: apigateway.ResponseType;
  title: string;
  status?: number;
  code: string;
  /** Plain text, or a `$context` variable that already renders as a JSON string. */
  detail: string;
  headers?: Record<string, string>;
}

const gatewayProblems: GatewayProblem[] = [
  {
    type: apigateway.ResponseType.UNAUTHORIZED,
    title: 'Unauthorized',
    status: 401,
    code: 'NotAuthorized',
    detail: 'Sign in and send the access token as \\"Authorization: Bearer <token>\\"',
    headers: { 'WWW-Authenticate': "'Bearer'" },
  },
  {
    type: apigateway.ResponseType.ACCESS_DENIED,
    title: 'Forbidden',
    status: 403,
    code: 'Forbidden',
    detail: 'This token may not make this request',
  },
  // API Gateway answers a path it has no resource for with 403 "Missing Authentication Token".
  {
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    title: 'Not Found',
    status: 404,
    code: 'NotFound',
    detail: 'There is no such route',
  },
  {
    type: apigateway.ResponseType.THROTTLED,
    title: 'Too Many Requests',
    status: 429,
    code: 'TooManyRequests',
    detail: 'Too many requests: slow down',
  },
  {
    type: apigateway.ResponseType.QUOTA_EXCEEDED,
    title: 'Too Many Requests',
    status: 429,
    code: 'QuotaExceeded',
    detail: "The API key's daily quota is used up",
  },
  {
    type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
    title: 'Bad Request',
    status: 400,
    code: 'BadRequest',
    detail: '$context.error.messageString',
  },
  {
    type: apigateway.ResponseType.DEFAULT_4XX,
    title: 'Request refused',
    code: 'Refused',
    detail: '$context.error.messageString',
  },
  {
    type: apigateway.ResponseType.DEFAULT_5XX,
    title: 'Internal Server Error',
    code: 'InternalError',
    detail: 'The service failed; try again later',
  },
];

/**
 * The gateway's own refusals (no or bad token, unknown route, throttled, bad parameters) as
 * RFC 9457 problems with the codes the functions use, so a client reads one error shape.
 */
function addProblemResponses(api: apigateway.RestApi, corsOrigins: string[]): void {
  // Only a single origin can be named statically; with several, the functions' own answers carry CORS.
  const cors: Record<string, string> =
    corsOrigins.length === 1 ? { 'Access-Control-Allow-Origin': `'${corsOrigins[0]}'` } : {};
  for (const problem of gatewayProblems) {
    const detail = problem.detail.startsWith('$') ? problem.detail : `"${problem.detail}"`;
    const status = problem.status === undefined ? '' : `"status":${problem.status},`;
    const body = `{"type":"urn:stratus:problem:${problem.code}","title":"${problem.title}",${status}"detail":${detail},"code":"${problem.code}"}`;
    api.addGatewayResponse(`${problem.code}${problem.type.responseType}`, {
      type: problem.type,
      ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
      responseHeaders: { 'Content-Type': "'application/problem+json'", ...cors, ...problem.headers },
      templates: { 'application/json': body },
    });
  }
}

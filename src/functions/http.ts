import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context as LambdaContext } from 'aws-lambda';
import type { MiddlewareHandler } from 'hono';
import { getConnInfo, handle, type LambdaEvent } from 'hono/aws-lambda';
import type { RouteGroupName } from '../apps/index.ts';
import { createHttpApp } from '../http/app.ts';
import type { AppEnv } from '../http/context.ts';
import type { AwsRuntime } from './runtime.ts';

/** On API Gateway the client is the source address it saw (the socket is API Gateway's). */
const apiGatewayAddress: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('clientIp', getConnInfo(c as never).remote.address ?? 'unknown');
  await next();
};

/**
 * One HTTP function: the route group's Hono routes behind the same HTTP app as on one machine
 * (CORS, secure headers, body limit, problem+json errors), on Hono's Lambda adapter. The app is
 * built on the first invocation and reused; each invocation's metrics go out as one EMF line.
 */
export function httpFunction(group: RouteGroupName, runtime: () => AwsRuntime) {
  let serve: ReturnType<typeof handle> | undefined;
  return async (event: LambdaEvent, context: LambdaContext) => {
    const { apps, config, logger, metrics } = runtime();
    serve ??= handle(
      createHttpApp({
        appRoutes: [apps.routes[group]],
        corsOrigins: config.corsOrigins,
        clientIp: apiGatewayAddress,
        logRequest: (entry) => {
          logger.info('request', { ...entry });
          metrics.addMetric('requests', MetricUnit.Count, 1);
          metrics.addMetric('latency', MetricUnit.Milliseconds, entry.latencyMs);
          if (entry.status >= 500) metrics.addMetric('serverErrors', MetricUnit.Count, 1);
        },
        logError: (error, requestId) => logger.error('unhandled error', { error, requestId }),
      }),
    );
    logger.addContext(context);
    try {
      return await serve(event, context);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

// Lambda entry point: the table's DynamoDB stream, to the same stream handlers as on one machine.
import { dynamoStreamHandler } from '../adapters/aws/dynamo-stream.ts';
import { runtimeFromEnvironment } from './environment.ts';

let serve: ReturnType<typeof dynamoStreamHandler> | undefined;

export const handler: ReturnType<typeof dynamoStreamHandler> = (event) => {
  const { apps, logger } = runtimeFromEnvironment();
  serve ??= dynamoStreamHandler(apps.streamHandlers, {
    onError: (handlerName, error) => logger.warn('stream handler failed', { handler: handlerName, error }),
  });
  return serve(event);
};

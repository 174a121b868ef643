// Lambda entry point: S3 object-created notifications, through the object-events SQS queue.
import { s3EventHandler } from '../adapters/aws/s3-events.ts';
import { runtimeFromEnvironment } from './environment.ts';

let serve: ReturnType<typeof s3EventHandler> | undefined;

export const handler: ReturnType<typeof s3EventHandler> = (event) => {
  const { apps, logger } = runtimeFromEnvironment();
  serve ??= s3EventHandler(apps.objectHandlers, {
    onError: (error, failure) => logger.warn('object event handler failed', { error, ...failure }),
  });
  return serve(event);
};

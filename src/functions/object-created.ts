// Lambda entry point: S3 object-created notifications, through the object-events SQS queue, or
// from S3 itself when the stack is deployed with `-c objectEvents=direct`.
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { isDirectS3Event, s3DirectEventHandler, s3EventHandler } from '../adapters/aws/s3-events.ts';
import { runtimeFromEnvironment } from './environment.ts';

let handlers:
  | { queued: ReturnType<typeof s3EventHandler>; direct: ReturnType<typeof s3DirectEventHandler> }
  | undefined;

export const handler = async (event: SQSEvent | S3Event): Promise<SQSBatchResponse | undefined> => {
  if (!handlers) {
    const { apps, logger } = runtimeFromEnvironment();
    const options = {
      onError: (error: unknown, failure: object) => logger.warn('object event handler failed', { error, ...failure }),
    };
    handlers = {
      queued: s3EventHandler(apps.objectHandlers, options),
      direct: s3DirectEventHandler(apps.objectHandlers, options),
    };
  }
  if (isDirectS3Event(event)) {
    await handlers.direct(event);
    return undefined;
  }
  return handlers.queued(event);
};

import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventFunction } from '../../src/functions/catalog.ts';
import type { ObjectEventsRoute } from '../settings.ts';
import { pascal, type StratusFunction } from './functions.ts';
import { USER_OBJECTS_PREFIX } from './storage.ts';

/** A scheduled function's catalog source: `schedule:rate(5 minutes)` or `schedule:cron(0 3 * * ? *)`. */
const SCHEDULE_SOURCE = /^schedule:((rate|cron)\(.+\))$/;

export interface DeadLetterQueue {
  /** The function whose failed events it keeps. */
  name: string;
  queue: sqs.Queue;
  /** `redrive`: another queue's redrive target; `destination`: where Lambda or EventBridge sends failures. */
  via: 'redrive' | 'destination';
}

export interface EventWiringProps {
  table: dynamodb.ITable;
  userDataBucket: s3.IBucket;
  objectEvents: ObjectEventsRoute;
}

/** An encrypted, TLS-only queue that keeps what failed for 14 days. */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

/**
 * Connects each event function to what invokes it on AWS: the table's stream, the bucket's
 * object-created notifications, or an EventBridge schedule. Every path ends in a dead-letter
 * queue, so a failure is kept, counted and alarmed on instead of lost. (The Cognito triggers
 * are wired by the user pool itself.)
 */
export class EventWiring extends Construct {
  /**
   * Every dead-letter queue with the function whose failures it keeps (for the depth alarms),
   * and whether it is an SQS redrive target or a Lambda/EventBridge failure destination.
   */
  readonly deadLetterQueues: DeadLetterQueue[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EventWiringProps,
  ) {
    super(scope, id);
  }

  /** Wires one catalog event function; an unknown source stops synth rather than deploy a dead function. */
  connect(entry: EventFunction, target: StratusFunction): void {
    const source: string = entry.source;
    const schedule = SCHEDULE_SOURCE.exec(source)?.[1];
    if (source === 'dynamodb:stream') this.connectStream(target);
    else if (source === 's3:ObjectCreated') this.connectObjectCreated(target);
    else if (schedule) this.connectSchedule(target, schedule);
    else if (!source.startsWith('cognito:')) {
      throw new Error(`The CDK app does not know how to invoke "${entry.name}" (source "${source}")`);
    }
  }

  private dlq(name: string, via: DeadLetterQueue['via']): sqs.Queue {
    const queue = deadLetterQueue(this, `${pascal(name)}DeadLetters`);
    this.deadLetterQueues.push({ name, queue, via });
    return queue;
  }

  /**
   * Batches from the stream; a failed record is reported alone (partial batch response), a
   * failing batch is split in halves to find the bad record, and after the retries its
   * position goes to the dead-letter queue so the shard moves on.
   */
  private connectStream({ name, fn }: StratusFunction): void {
    fn.addEventSource(
      new sources.DynamoEventSource(this.props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.days(1),
        onFailure: new sources.SqsDlq(this.dlq(name, 'destination')),
      }),
    );
  }

  private connectObjectCreated(target: StratusFunction): void {
    // Only users' objects raise events (not the identity pool's private/ area).
    const filter = { prefix: USER_OBJECTS_PREFIX };
    if (this.props.objectEvents === 'direct') {
      // S3 invokes the function asynchronously; Lambda retries twice, then sends the event on.
      this.props.userDataBucket.addEventNotification(
        s3.EventType.OBJECT_CREATED,
        new s3n.LambdaDestination(target.fn),
        filter,
      );
      target.fn.configureAsyncInvoke({
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new destinations.SqsDestination(this.dlq(target.name, 'destination')),
      });
      return;
    }
    // S3 → SQS → Lambda: the queue absorbs bursts, a message is retried five times, then kept.
    const timeout = target.fn.timeout ?? Duration.seconds(60);
    const queue = new sqs.Queue(this, `${pascal(target.name)}Queue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's advice: six times the function's timeout, so a message is not retried while still running.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.dlq(target.name, 'redrive'), maxReceiveCount: 5 },
    });
    this.props.userDataBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(queue), filter);
    target.fn.addEventSource(
      new sources.SqsEventSource(queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
  }

  /**
   * EventBridge invokes the function asynchronously: its retries and dead-letter queue cover
   * handing the tick to Lambda; the function's own async settings cover the run. A failed run is
   * not retried (the next tick is the retry, and it would run every job again) but goes to the
   * same dead-letter queue, whose alarm reports it. A tick that waited past its lifetime is
   * dropped there too: the next one does its work.
   */
  private connectSchedule({ name, fn }: StratusFunction, expression: string): void {
    const deadLetters = this.dlq(name, 'destination');
    const maxEventAge = tickLifetime(expression);
    new events.Rule(this, `${pascal(name)}Schedule`, {
      description: `Runs ${name} on ${expression}`,
      schedule: events.Schedule.expression(expression),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge, deadLetterQueue: deadLetters })],
    });
    fn.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge,
      onFailure: new destinations.SqsDestination(deadLetters),
    });
  }
}

const SECONDS_PER = { minute: 60, hour: 3600, day: 86400 } as const;

/**
 * How long a scheduled tick is worth delivering: until the next one is due, but at least two
 * minutes (so a throttled or retried hand-over still lands) and at most an hour; a cron
 * schedule, whose gaps vary, an hour.
 */
export function tickLifetime(expression: string): Duration {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  const period = rate ? Number(rate[1]) * SECONDS_PER[rate[2] as keyof typeof SECONDS_PER] : Number.POSITIVE_INFINITY;
  return Duration.seconds(Math.min(3600, Math.max(120, period)));
}

import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pascal, type StratusFunction } from './functions.ts';

export interface MonitoringProps {
  stage: string;
  api: apigateway.RestApi;
  functions: StratusFunction[];
  deadLetterQueues: Array<{ name: string; queue: sqs.IQueue }>;
  alarmEmail?: string;
}

/** Thresholds: what a person should be woken for, not every blip. */
export const alarmThresholds = {
  /** Share of API requests answered with a 5xx, over five minutes. */
  api5xxRate: 0.01,
  /** The slowest 1 % of API requests, in milliseconds. */
  apiP99LatencyMs: 3000,
} as const;

/**
 * Alarms on what users feel (API 5xx rate, p99 latency), on capacity (any function throttled)
 * and on lost work (anything in a dead-letter queue), all to one encrypted SNS topic.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', {
      description: `Stratus ${props.stage} alarm topic`,
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarms itself, so it must be able to use the topic's key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: `Stratus ${props.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const fiveMinutes = Duration.minutes(5);
    this.add('Api5xxRate', {
      alarmDescription: `More than ${alarmThresholds.api5xxRate * 100}% of API requests failed with a 5xx`,
      // The average of 5XXError (0 or 1 per request) is the share of requests that failed.
      metric: props.api.metricServerError({ statistic: 'Average', period: fiveMinutes }),
      threshold: alarmThresholds.api5xxRate,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    this.add('ApiP99Latency', {
      alarmDescription: `The slowest 1% of API requests took over ${alarmThresholds.apiP99LatencyMs} ms`,
      metric: props.api.metricLatency({ statistic: 'p99', period: fiveMinutes }),
      threshold: alarmThresholds.apiP99LatencyMs,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });
    for (const { name, fn } of props.functions) {
      this.add(`${pascal(name)}Throttles`, {
        alarmDescription: `The ${name} function was throttled`,
        metric: fn.metricThrottles({ statistic: 'Sum', period: fiveMinutes }),
        threshold: 0,
        evaluationPeriods: 1,
      });
    }
    for (const { name, queue } of props.deadLetterQueues) {
      this.add(`${pascal(name)}DeadLetters`, {
        alarmDescription: `Events the ${name} function failed on are waiting in its dead-letter queue`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: fiveMinutes }),
        threshold: 0,
        evaluationPeriods: 1,
      });
    }
  }

  private add(id: string, props: Omit<cloudwatch.AlarmProps, 'comparisonOperator' | 'treatMissingData'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

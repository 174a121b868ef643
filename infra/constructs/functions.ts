import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type EventFunction, eventFunctions, type HttpFunction, httpFunctions } from '../../src/functions/catalog.ts';
import { SettingsError } from '../settings.ts';
import { tracingPolicy, vpcAccessPolicy } from './access.ts';

/** Node.js 22 on Graviton: the newest runtime the bundles are built and tested for, at ARM's lower price. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** What each kind of function may take: API Gateway gives up after 29 s, Cognito after 5 s. */
const shapes = {
  http: { memorySize: 1024, timeout: Duration.seconds(20) },
  event: { memorySize: 512, timeout: Duration.seconds(60) },
  trigger: { memorySize: 512, timeout: Duration.seconds(5) },
} as const;

export type FunctionKind = keyof typeof shapes;

/**
 * Functions that need more than their kind's shape. object-created decodes uploads with sharp: a
 * photo may have 100 MP (300 MB of pixels once decoded), and Lambda's CPU grows with memory, so
 * a larger function also makes the renditions sooner.
 */
export const shapeOverrides: Readonly<Record<string, { memorySize: number }>> = {
  'object-created': { memorySize: 2048 },
};

export interface StratusFunction {
  name: string;
  kind: FunctionKind;
  fn: lambda.Function;
  role: iam.Role;
}

export interface FunctionsProps {
  /** Folder with one bundle folder per function: `<dir>/<name>/index.mjs`. */
  functionsDir: string;
  stage: string;
  logRetention: logs.RetentionDays;
  /** Environment every function gets (table name, stage, ...). */
  environment: Record<string, string>;
  /** The VPC the functions join when DAX is on (DAX is reachable only from inside it). */
  network?: { vpc: ec2.IVpc; securityGroups: ec2.ISecurityGroup[] };
}

/**
 * One Lambda function per catalog entry, each with its own role (nothing beyond its log group
 * and X-Ray until a grant adds it) and its own log group with a retention period.
 */
export class StratusFunctions extends Construct {
  readonly all: StratusFunction[] = [];
  /** The one policy with X-Ray's resource-less write actions, shared by every function role. */
  readonly tracing: iam.ManagedPolicy;
  /** The network-interface rights of functions in a VPC (only with DAX). */
  readonly vpcAccess: iam.ManagedPolicy | undefined;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.tracing = tracingPolicy(this, 'Tracing');
    this.vpcAccess = props.network ? vpcAccessPolicy(this, 'VpcAccess') : undefined;
    for (const entry of httpFunctions) this.add(entry, 'http', props);
    for (const entry of eventFunctions) this.add(entry, kindOf(entry), props);
  }

  /** The function of a catalog name; throws when the catalog has no such function. */
  get(name: string): StratusFunction {
    const found = this.all.find((f) => f.name === name);
    if (!found) throw new Error(`The function catalog has no function named "${name}"`);
    return found;
  }

  /** Adds an environment variable to the functions of the given kinds. */
  setEnvironment(kinds: FunctionKind[], values: Record<string, string>): void {
    for (const { kind, fn } of this.all) {
      if (!kinds.includes(kind)) continue;
      for (const [name, value] of Object.entries(values)) fn.addEnvironment(name, value);
    }
  }

  private add(entry: HttpFunction | EventFunction, kind: FunctionKind, props: FunctionsProps): void {
    const id = pascal(entry.name);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Stratus ${props.stage} ${entry.name} function`,
      managedPolicies: this.vpcAccess ? [this.tracing, this.vpcAccess] : [this.tracing],
    });
    // The function's own log group only, instead of AWSLambdaBasicExecutionRole's logs on every group.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const fn = new lambda.Function(this, id, {
      description: `Stratus ${props.stage}: ${entry.name}`,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundleDir(props.functionsDir, entry.name)),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...shapes[kind],
      ...shapeOverrides[entry.name],
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: props.network.securityGroups,
          }
        : {}),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `stratus-${entry.name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Stratus',
      },
    });
    // X-Ray on, set on the resource itself: `tracing: ACTIVE` would also copy X-Ray's wildcard into this role.
    (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    this.all.push({ name: entry.name, kind, fn, role });
  }
}

function kindOf(entry: EventFunction): FunctionKind {
  return entry.source.startsWith('cognito:') ? 'trigger' : 'event';
}

/** The bundle folder of a function; a missing bundle stops synth with what to run. */
export function bundleDir(functionsDir: string, name: string): string {
  const dir = join(functionsDir, name);
  if (!existsSync(join(dir, 'index.mjs'))) {
    throw new SettingsError(
      `${join(dir, 'index.mjs')} is missing: run \`npm run bundle\` first (\`npm run synth\` does), or pass -c functionsDir=<folder with the bundles>`,
    );
  }
  return dir;
}

/** `api-keys` → `ApiKeys`: construct ids that read like the catalog names. */
export function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

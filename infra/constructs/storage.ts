import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  stage: string;
}

/**
 * Every per-user object key starts here (`users/<sub>/files/...`, src/apps/files/keys.ts): the
 * functions' object grants and the object-created notification are scoped to it.
 */
export const USER_OBJECTS_PREFIX = 'users/';

/** Settings every Stratus bucket shares: encrypted, private, TLS only, nothing deleted with the stack. */
const privateBucket = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

/**
 * The buckets: users' objects (files, later photos), the web app's assets, and the log bucket
 * that receives both buckets' server access logs and the distributions' logs.
 */
export class Storage extends Construct {
  readonly logBucket: s3.Bucket;
  readonly userDataBucket: s3.Bucket;
  readonly webAssetsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.logBucket = new s3.Bucket(this, 'Logs', {
      ...privateBucket,
      // CloudFront's standard logs are written with ACLs, so the bucket owner must be able to take them.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365) }],
    });

    this.userDataBucket = new s3.Bucket(this, 'UserData', {
      ...privateBucket,
      // A name known before the bucket exists, so the web app's CSP can name it without a cycle.
      bucketName: userDataBucketName(props.stage),
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'user-data/',
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Versioning guards against a bad overwrite; a deleted file's bytes go after 30 days.
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });

    this.webAssetsBucket = new s3.Bucket(this, 'WebAssets', {
      ...privateBucket,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'web-assets/',
      lifecycleRules: [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) }],
    });
  }

  /** Lets pages from these origins upload (pre-signed POST) and download (pre-signed GET) directly. */
  allowBrowserOrigins(origins: string[]): void {
    this.userDataBucket.addCorsRule({
      allowedOrigins: origins,
      allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAge: 3000,
    });
  }
}

/** `stratus-<stage>-user-data-<account>-<region>`: unique per stage, account and region. */
export function userDataBucketName(stage: string): string {
  return `stratus-${stage}-user-data-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

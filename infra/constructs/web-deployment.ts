import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SettingsError } from '../settings.ts';

export interface WebDeploymentProps {
  /** The built web app (`npm run build:web` → web/dist). */
  webDir: string;
  bucket: s3.IBucket;
  distribution: cloudfront.IDistribution;
  /** How long the deployment function's logs are kept: the stage's retention. */
  logRetention: logs.RetentionDays;
  /** The API's base URL, written into index.html: on AWS the app and the API are two origins. */
  apiUrl: string;
}

/** The page's place-holder for the API's address; empty on one machine, where both share an origin. */
export const API_URL_META = '<meta name="stratus-api" content="" />';

/**
 * Uploads the web app to its bucket on every deploy, in two parts because they are cached
 * differently: the hashed files under assets/ for a year (their names change with their
 * content, and old ones are kept so a page or service worker still open can load them); the
 * rest (index.html, sw.js, the manifest, icons) revalidated on every load and invalidated in
 * CloudFront, so a deploy shows at once.
 */
export class WebDeployment extends Construct {
  readonly assets: BucketDeployment;
  readonly shell: BucketDeployment;

  constructor(scope: Construct, id: string, props: WebDeploymentProps) {
    super(scope, id);
    const index = join(props.webDir, 'index.html');
    if (!existsSync(index)) {
      throw new SettingsError(
        `${index} is missing: run \`npm run build:web\` first (\`npm run synth\` does), or pass -c webDir=<folder with the build>`,
      );
    }
    const html = readFileSync(index, 'utf8');
    if (!html.includes(API_URL_META)) throw new SettingsError(`${index} has no ${API_URL_META} to fill in`);

    // One log group for both: they share the CDK's single deployment function.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.assets = new BucketDeployment(this, 'Assets', {
      logGroup,
      sources: [Source.asset(join(props.webDir, 'assets'))],
      destinationBucket: props.bucket,
      destinationKeyPrefix: 'assets/',
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: false,
    });
    this.shell = new BucketDeployment(this, 'Shell', {
      logGroup,
      sources: [
        Source.asset(props.webDir, { exclude: ['assets', 'assets/*', '.vite', '.vite/*', 'index.html'] }),
        Source.data('index.html', html.replace(API_URL_META, `<meta name="stratus-api" content="${props.apiUrl}" />`)),
      ],
      destinationBucket: props.bucket,
      cacheControl: [CacheControl.noCache()],
      prune: false,
      distribution: props.distribution,
      distributionPaths: ['/', '/index.html', '/sw.js', '/manifest.webmanifest'],
    });
    // The page must never name a script the bucket does not hold yet.
    this.shell.node.addDependency(this.assets);
  }
}

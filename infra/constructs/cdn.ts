import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PUBLIC_MEDIA_PATH_PATTERN } from '../../src/platform/media.ts';

export interface CdnProps {
  stage: string;
  webAssetsBucket: s3.IBucket;
  userDataBucket: s3.IBucket;
  logBucket: s3.IBucket;
  /** Hosts the web app talks to besides itself: the API and direct uploads to the user-data bucket. */
  connectSources: string[];
  /** PEM public key that media signed URLs are checked against. */
  mediaPublicKey: string;
}

/**
 * The web app's policy. Images may come from any https address (profile pictures and
 * bookmarks' icons are users' own links); scripts, styles and frames only from the app itself.
 */
export function webContentSecurityPolicy(connectSources: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob: https:",
    "media-src 'self' blob: https:",
    "font-src 'self'",
    `connect-src 'self' ${connectSources.join(' ')}`,
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/**
 * The viewer-request check of the public media behaviour. CloudFront's `*` matches `/` too, so
 * PUBLIC_MEDIA_PATH_PATTERN (`users/*\/avatars/*.jpg`) also matches private objects such as a
 * file the files app keeps at `users/<sub>/files/avatars/me.jpg`; this lets through only a
 * profile picture's rendition (src/platform/media.ts `isPublicMediaKey`), and nothing
 * percent-encoded or dotted that S3 could read as another key. Everything else is a 403, as an
 * unsigned request for private media is on the default behaviour.
 */
export const PUBLIC_MEDIA_FUNCTION_CODE = `var PUBLIC_MEDIA = /^\\/users\\/[0-9A-Za-z-]+\\/avatars\\/[0-9a-z]+\\/s[0-9]+\\.jpg$/;
function handler(event) {
  if (PUBLIC_MEDIA.test(event.request.uri)) return event.request;
  return { statusCode: 403, statusDescription: 'Forbidden' };
}
`;

/**
 * Two distributions: the web app (private assets bucket through Origin Access Control,
 * security headers, every unknown path answered with index.html for the single-page app),
 * and media (the user-data bucket, reachable only with URLs signed by the media key, except
 * profile pictures' renditions, which anyone who sees a profile may load).
 */
export class Cdn extends Construct {
  readonly web: cloudfront.Distribution;
  readonly media: cloudfront.Distribution;
  readonly mediaPublicKey: cloudfront.PublicKey;
  /**
   * The private half of the media key, in PEM, put in by the operator (the stack's
   * MediaSigningKeySecret output says how); read by the function that signs media URLs.
   */
  readonly mediaSigningKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'WebHeaders', {
      comment: `Stratus ${props.stage} web app security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: webContentSecurityPolicy(props.connectSources),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        // The XSS auditor is gone from browsers and could be abused; "0" turns it off explicitly.
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()', override: true },
        ],
      },
    });

    this.web = new cloudfront.Distribution(this, 'Web', {
      comment: `Stratus ${props.stage} web app`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(props.webAssetsBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      // S3 answers 403 for a missing key when the caller may not list: both mean "a route of the app".
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/web/',
    });

    this.mediaPublicKey = new cloudfront.PublicKey(this, 'MediaKey', {
      comment: `Stratus ${props.stage} media URL signing key`,
      encodedKey: props.mediaPublicKey,
    });
    const keyGroup = new cloudfront.KeyGroup(this, 'MediaKeyGroup', {
      comment: `Stratus ${props.stage} media signers`,
      items: [this.mediaPublicKey],
    });
    // A generated value until the operator puts the PEM in: the photos function then says it is no key.
    this.mediaSigningKey = new secretsmanager.Secret(this, 'MediaSigningKey', {
      description: `Stratus ${props.stage} media URL signing key: the PEM private key of the CloudFront public key MediaKey`,
      removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const userData = S3BucketOrigin.withOriginAccessControl(props.userDataBucket);
    const publicMediaOnly = new cloudfront.Function(this, 'PublicMediaOnly', {
      comment: `Stratus ${props.stage}: only profile pictures' renditions are public`,
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(PUBLIC_MEDIA_FUNCTION_CODE),
    });
    this.media = new cloudfront.Distribution(this, 'Media', {
      comment: `Stratus ${props.stage} media (signed URLs; profile pictures public)`,
      defaultBehavior: {
        origin: userData,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        trustedKeyGroups: [keyGroup],
        compress: true,
      },
      additionalBehaviors: {
        // Unsigned: a profile picture is shown to anyone who sees the profile, by a permanent URL.
        [PUBLIC_MEDIA_PATH_PATTERN]: {
          origin: userData,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
          compress: true,
          functionAssociations: [{ function: publicMediaOnly, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/media/',
    });
  }

  /** The web app's address, the default CORS origin. */
  get webOrigin(): string {
    return `https://${this.web.distributionDomainName}`;
  }

  get mediaUrl(): string {
    return `https://${this.media.distributionDomainName}`;
  }
}

/** The virtual-hosted address browsers post uploads to. */
export function bucketOrigin(bucketName: string): string {
  return `https://${bucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}`;
}

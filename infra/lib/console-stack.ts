import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import {
  CONSOLE_ASSET_CACHE,
  CONSOLE_HSTS_SECONDS,
  CONSOLE_INDEX_CACHE,
  consoleContentSecurityPolicy,
  consoleSecurityHeaders,
} from '#shared/http/console-security.ts';

export interface ConsoleStackProps extends StackProps {
  stage: string;
  /** The HTTP API's base URL (`https://id.execute-api…` or the custom domain); `/v1/*` goes there. */
  apiUrl: string;
  /** The media service's public URL; its call page is framed by "talk to this agent". */
  mediaUrl: string;
  /** The built console (`console/dist`); without it the stack deploys an empty bucket and says so. */
  assetsDir?: string;
}

/**
 * The web console: a private bucket read only by CloudFront (origin access control), the app at
 * `/` and the API at `/v1/*` on the same domain (no CORS), strict security headers, hashed assets
 * cached for a year and index.html revalidated on every load.
 */
export class ConsoleStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const disposable = props.stage !== 'prod';
    this.bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: disposable ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: disposable,
    });

    const mediaOrigin = originOf(props.mediaUrl);
    // CSV imports are PUT to presigned URLs of the exports bucket (`<bucket>.s3.<region>.amazonaws.com`,
    // in the platform's region, which this stack need not share): the S3 endpoints' common suffix.
    const uploadOrigin = 'https://*.amazonaws.com';
    const headers = consoleSecurityHeaders({ mediaOrigin, uploadOrigin });
    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'ai-caller console: CSP, HSTS, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy({ mediaOrigin, uploadOrigin }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(CONSOLE_HSTS_SECONDS),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: headers['permissions-policy'] as string, override: true },
        ],
      },
    });

    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      code: cloudfront.FunctionCode.fromFile({
        filePath: join(import.meta.dirname, 'console', 'spa-rewrite.js'),
      }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Client-side routes are served index.html',
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `ai-caller ${props.stage} console`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        // Honours each object's Cache-Control (set at upload): immutable assets, no-cache index.html.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
        functionAssociations: [
          { function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new origins.HttpOrigin(originHost(props.apiUrl), {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // Cookies, Authorization and the query reach the API; Host stays the API's own.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          compress: true,
        },
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    if (props.assetsDir && existsSync(join(props.assetsDir, 'index.html'))) {
      // Assets first (immutable, kept across deploys so open tabs can still load old chunks),
      // then index.html, which switches visitors to the new build.
      const assets = new deploy.BucketDeployment(this, 'DeployAssets', {
        sources: [
          deploy.Source.asset(props.assetsDir, {
            exclude: ['index.html', '.build-stamp', '.vite', '.vite/**'],
          }),
        ],
        destinationBucket: this.bucket,
        cacheControl: [deploy.CacheControl.fromString(CONSOLE_ASSET_CACHE)],
        prune: false,
      });
      const index = new deploy.BucketDeployment(this, 'DeployIndex', {
        sources: [deploy.Source.asset(props.assetsDir, { exclude: ['*', '!index.html'] })],
        destinationBucket: this.bucket,
        cacheControl: [deploy.CacheControl.fromString(CONSOLE_INDEX_CACHE)],
        prune: false,
        distribution: this.distribution,
        distributionPaths: ['/index.html'],
      });
      index.node.addDependency(assets);
    } else {
      Annotations.of(this).addWarningV2(
        'ai-caller:console-not-built',
        'console/dist has no build: the console bucket is deployed empty. Run `npm run build:console` before `cdk deploy` (`npm run deploy` does).',
      );
    }

    new CfnOutput(this, 'ConsoleUrl', {
      value: this.url,
      description: 'The web console (and the API under /v1)',
    });
  }
}

/** `https://host:port/path` → `https://host:port` (works on CloudFormation tokens too). */
function originOf(url: string): string {
  return Fn.join('', [Fn.select(0, Fn.split('//', url)), '//', originHost(url)]);
}

/** `https://host/path` → `host`. */
function originHost(url: string): string {
  return Fn.select(0, Fn.split('/', Fn.select(1, Fn.split('//', url))));
}

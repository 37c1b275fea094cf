import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConsoleStack } from './console-stack.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
/** The parts of the CloudFront resources the assertions read. */
interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  FunctionAssociations?: unknown[];
}
interface DistributionConfig {
  CacheBehaviors: Behavior[];
  DefaultCacheBehavior: Behavior;
  Origins: { Id: string; DomainName: string; CustomOriginConfig?: { OriginProtocolPolicy: string } }[];
}
interface HeadersPolicyConfig {
  SecurityHeadersConfig: {
    ContentSecurityPolicy: { ContentSecurityPolicy: string };
    StrictTransportSecurity: Record<string, unknown>;
    FrameOptions: Record<string, unknown>;
  };
}

function synth(assetsDir?: string) {
  const app = new App();
  const stack = new ConsoleStack(app, 'Console', {
    stage: 'test',
    apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
    mediaUrl: 'https://media.example.com',
    assetsDir,
  });
  return { stack, template: Template.fromStack(stack) };
}

function builtConsole(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/index-abc.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return dir;
}

describe('console stack', () => {
  const { stack, template } = synth(builtConsole());
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

  it('keeps the bucket private, encrypted, TLS-only and readable by CloudFront alone (OAC)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const policy = JSON.stringify(ofType('AWS::S3::BucketPolicy').map((p) => p.Properties.PolicyDocument));
    expect(policy).toContain('cloudfront.amazonaws.com');
    expect(policy).toContain('aws:SecureTransport');
    expect(policy).not.toMatch(/"Principal":"\*","Action":"s3:GetObject"/);
  });

  it('routes /v1/* to the HTTP API on the same domain, uncached, with every method', () => {
    const config = ofType('AWS::CloudFront::Distribution')[0]?.Properties
      .DistributionConfig as DistributionConfig;
    const api = config.CacheBehaviors.find((b) => b.PathPattern === '/v1/*') as Behavior;
    expect(api).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // AllViewerExceptHostHeader
      ViewerProtocolPolicy: 'https-only',
    });
    const apiOrigin = config.Origins.find((o) => o.Id === api.TargetOriginId);
    expect(apiOrigin?.DomainName).toBe('abc123.execute-api.eu-west-1.amazonaws.com');
    expect(apiOrigin?.CustomOriginConfig?.OriginProtocolPolicy).toBe('https-only');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
  });

  it('sends a CSP without inline scripts, HSTS and no framing on the app', () => {
    const policy = ofType('AWS::CloudFront::ResponseHeadersPolicy')[0]?.Properties
      .ResponseHeadersPolicyConfig as HeadersPolicyConfig;
    const csp = policy.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("script-src 'self'");
    // The browser PUTs CSV imports to presigned S3 URLs, and connects nowhere else.
    expect(csp).toContain("connect-src 'self' https://*.amazonaws.com;");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("frame-src 'self' https://media.example.com");
    expect(policy.SecurityHeadersConfig.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63072000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(policy.SecurityHeadersConfig.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
  });

  it('uploads hashed assets as immutable and index.html as no-cache, invalidating index.html', () => {
    const deployments = ofType('Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const byCache = Object.fromEntries(
      deployments.map((d) => [
        String((d.Properties.SystemMetadata as Record<string, string>)['cache-control']),
        d.Properties,
      ]),
    );
    expect(Object.keys(byCache).sort()).toEqual(['no-cache', 'public, max-age=31536000, immutable']);
    expect(byCache['no-cache']).toHaveProperty('DistributionPaths', ['/index.html']);
    expect(byCache['public, max-age=31536000, immutable']).toMatchObject({ Prune: false });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('the SPA rewrite serves index.html for client routes and files as themselves', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(join(import.meta.dirname, 'console', 'spa-rewrite.js'), 'utf8');
    const handler = new Function(`${source}; return handler;`)() as (e: unknown) => { uri: string };
    const run = (uri: string) => handler({ request: { uri } }).uri;
    expect(run('/calls/call_123')).toBe('/index.html');
    expect(run('/')).toBe('/index.html');
    expect(run('/assets/index-abc.js')).toBe('/assets/index-abc.js');
    expect(run('/favicon.svg')).toBe('/favicon.svg');
  });

  it('synthesizes without a build, deploying nothing and saying how to build', () => {
    const bare = synth(join(tmpdir(), 'no-such-console-dist'));
    bare.template.resourceCountIs('Custom::CDKBucketDeployment', 0);
    bare.template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const warnings = Annotations.fromStack(bare.stack).findWarning(
      '*',
      Match.stringLikeRegexp('npm run build:console'),
    );
    expect(warnings).toHaveLength(1);
  });
});

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDeploymentConfig } from './config.ts';
import { walkModuleGraph } from './handler-access.ts';
import { drainTiming, MediaStack } from './media-stack.ts';
import { StatefulStack } from './stateful-stack.ts';
import {
  buildTestPlatform,
  FULL_CONTEXT,
  repoRoot,
  SYNTH_TIMEOUT_MS,
} from '../../test/infra/test-platform-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };

let template: Template;
let media: MediaStack;
let imageDir: string;

beforeAll(() => {
  const { app, stacks } = buildTestPlatform();
  media = stacks.media;
  template = Template.fromStack(media);
  imageDir = join(app.synth().directory, `asset.${media.image.assetHash}`);
}, SYNTH_TIMEOUT_MS);

const container = () => {
  const taskDefinition = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0] as Resource;
  return (taskDefinition.Properties.ContainerDefinitions as Record<string, unknown>[])[0] as {
    StopTimeout: number;
    Environment: { Name: string; Value: unknown }[];
    Secrets: { Name: string; ValueFrom: unknown }[];
    PortMappings: unknown[];
  };
};
const envValue = (name: string) => container().Environment.find((e) => e.Name === name)?.Value;

describe('drain timing', () => {
  it.each([
    // grace, deregistration delay, stopTimeout, in-process drain
    [300, 300, 120, 110],
    [60, 60, 60, 50],
    [5, 5, 5, 0],
    [0, 0, 0, 0],
  ])(
    'grace %i s → deregistration %i s, stopTimeout %i s, service drain %i s',
    (grace, dereg, stop, drain) => {
      expect(drainTiming(grace)).toEqual({
        deregistrationDelaySeconds: dereg,
        stopTimeoutSeconds: stop,
        serviceDrainSeconds: drain,
      });
    },
  );
});

describe('the Fargate service', () => {
  it('runs on ARM64 behind the load balancer with a liveness check on /health/live', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      RequiresCompatibilities: ['FARGATE'],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      TargetType: 'ip',
      HealthCheckPath: '/health/live',
      Matcher: { HttpCode: '200' },
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      HealthCheckGracePeriodSeconds: 60,
      LoadBalancers: [Match.objectLike({ ContainerPort: 8080 })],
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      }),
    });
  });

  it('drains: long deregistration delay, stopTimeout at the Fargate maximum, matching service grace', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '300' }]),
    });
    expect(container().StopTimeout).toBe(120);
    expect(envValue('DRAIN_GRACE_SECONDS')).toBe('110');
  });

  it('scales on live calls per task (the custom metric) and on CPU', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 4,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 40,
        CustomizedMetricSpecification: {
          Namespace: 'AiCaller/Media',
          MetricName: 'ActiveCalls',
          Dimensions: [
            { Name: 'Stage', Value: 'test' },
            { Name: 'service', Value: 'media' },
          ],
          Statistic: 'Average',
        },
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
    expect(envValue('METRICS_NAMESPACE')).toBe('AiCaller/Media');
  });

  it('makes no CloudWatch API calls (metrics are EMF log lines) and traces through an X-Ray daemon sidecar', () => {
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudwatch:PutMetricData');
    const containers = template.findResources('AWS::ECS::TaskDefinition');
    const defs = Object.values(containers)[0]?.Properties.ContainerDefinitions as {
      Name: string;
      Essential?: boolean;
      PortMappings?: { ContainerPort: number; Protocol: string }[];
    }[];
    const daemon = defs.find((d) => d.Name === 'XRayDaemon');
    expect(daemon?.Essential).toBe(false);
    expect(daemon?.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 2000, Protocol: 'udp' })]);
    expect(envValue('AWS_XRAY_DAEMON_ADDRESS')).toBe('127.0.0.1:2000');
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.arrayWith([
        Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([':iam::aws:policy/AWSXRayDaemonWriteAccess'])]),
        }),
      ]),
    });
  });

  it('gets provider secrets injected from the platform secret, never as plain environment', () => {
    const secrets = container().Secrets;
    expect(secrets.map((s) => s.Name).sort()).toEqual(
      ['ARI_PASSWORD', 'INTERNAL_SIGNING_KEY', 'OPENAI_API_KEY', 'TWILIO_AUTH_TOKEN'].sort(),
    );
    for (const secret of secrets) expect(JSON.stringify(secret.ValueFrom)).toContain(`:${secret.Name}::`);
    const names = container().Environment.map((e) => e.Name);
    for (const secret of secrets) expect(names).not.toContain(secret.Name);
    expect(envValue('ARI_URL')).toBe('http://10.20.0.5:8088');
    expect(envValue('PUBLIC_MEDIA_URL')).toBe('https://media.example.com');
  });

  it('opens RTP from the Asterisk network only, and reaches ARI there', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'ai-caller media tasks',
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: '10.20.0.0/16', IpProtocol: 'udp', FromPort: 40000, ToPort: 40999 }),
      ]),
    });
    // Match.arrayWith keeps order, so each egress rule is checked on its own.
    for (const rule of [
      { CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', FromPort: 8088, ToPort: 8088 },
      { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 },
    ]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'ai-caller media tasks',
        SecurityGroupEgress: Match.arrayWith([Match.objectLike(rule)]),
      });
    }
    const serviceGroup = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find(
      (g) => (g as Resource).Properties.GroupDescription === 'ai-caller media tasks',
    ) as Resource;
    const ingress = serviceGroup.Properties.SecurityGroupIngress as { CidrIp?: string }[];
    expect(ingress.every((rule) => rule.CidrIp === '10.20.0.0/16')).toBe(true);
  });

  it('lets media tasks reach each other on the media port (relayed commands), and nothing else in', () => {
    const groupId = (rule: Resource) => JSON.stringify(rule.Properties.GroupId);
    const source = (rule: Resource) => JSON.stringify(rule.Properties.SourceSecurityGroupId);
    const selfRules = (
      Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')) as Resource[]
    ).filter((rule) => rule.Properties.Description === 'Commands relayed between media tasks');
    expect(selfRules).toHaveLength(1);
    expect(selfRules[0]?.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 });
    expect(source(selfRules[0] as Resource)).toBe(groupId(selfRules[0] as Resource));
    const selfEgress = (
      Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')) as Resource[]
    ).filter((rule) => rule.Properties.Description === 'Commands relayed between media tasks');
    expect(selfEgress).toHaveLength(1);
    expect(selfEgress[0]?.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 });
  });

  it('serves TLS with the configured certificate and redirects plain HTTP', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: FULL_CONTEXT.mediaCertificateArn }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '300' }]),
    });
  });

  it(
    'serves plain HTTP without a certificate, with no Asterisk rules when no Asterisk network is set',
    () => {
      const app = new App({ context: { [BUNDLING_STACKS]: [] } });
      const config = readDeploymentConfig((key) => ({ stage: 'dev' })[key as 'stage']);
      const stateful = new StatefulStack(app, 'Stateful', { stage: 'dev' });
      const dev = Template.fromStack(
        new MediaStack(app, 'Media', { config, rootDir: repoRoot, resources: stateful }),
      );
      dev.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
      const groups = Object.values(dev.findResources('AWS::EC2::SecurityGroup')) as Resource[];
      expect(JSON.stringify(groups)).not.toContain('udp');
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('the media stack with Asterisk in per-call mode', () => {
  it(
    'injects the per-call password, configures the mode, reaches ARI over TCP and opens no RTP range',
    () => {
      const app = new App({ context: { [BUNDLING_STACKS]: [] } });
      const context: Record<string, string> = {
        stage: 'dev',
        ariUrl: 'http://10.20.0.5:8088',
        ariUsername: 'ai-caller',
        asteriskCidr: '10.20.0.0/16',
        asteriskMode: 'per_call',
        asteriskPercallUsername: 'asterisk',
      };
      const config = readDeploymentConfig((key) => context[key]);
      const stateful = new StatefulStack(app, 'Stateful', { stage: 'dev' });
      const perCall = Template.fromStack(
        new MediaStack(app, 'Media', { config, rootDir: repoRoot, resources: stateful }),
      );
      const task = Object.values(perCall.findResources('AWS::ECS::TaskDefinition'))[0] as Resource;
      const media = (task.Properties.ContainerDefinitions as Record<string, unknown>[])[0] as {
        Environment: { Name: string; Value: unknown }[];
        Secrets: { Name: string }[];
      };
      expect(media.Secrets.map((s) => s.Name)).toEqual(
        expect.arrayContaining(['ARI_PASSWORD', 'ASTERISK_PERCALL_PASSWORD']),
      );
      const env = Object.fromEntries(media.Environment.map((e) => [e.Name, e.Value]));
      expect(env).toMatchObject({ ASTERISK_MODE: 'per_call', ASTERISK_PERCALL_USERNAME: 'asterisk' });
      const groups = JSON.stringify(perCall.findResources('AWS::EC2::SecurityGroup'));
      expect(groups).not.toContain('udp');
      expect(groups).toContain('ARI to Asterisk');
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('the media image', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [relative(imageDir, path)];
    });

  it('stages the Dockerfile and the service sources, without dependencies, tests or other packages', () => {
    const staged = files(imageDir);
    expect(staged).toContain('media-service/Dockerfile');
    expect(staged).toContain('media-service/src/main.ts');
    expect(staged).toContain('package-lock.json');
    expect(staged.filter((f) => /^(node_modules|functions|infra|test|cdk\.out|\.git)\//.test(f))).toEqual([]);
    expect(staged.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
  });

  it('contains every module the service imports, and its packages are production dependencies', () => {
    const graph = walkModuleGraph(repoRoot, 'media-service/src/main.ts');
    const missing = graph.files
      .map((file) => relative(repoRoot, file))
      .filter((file) => !existsSync(join(imageDir, file)));
    expect(missing).toEqual([]);
    const { dependencies } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const notProduction = graph.packages.filter((name) => !(name in dependencies));
    expect(notProduction).toEqual([]);
  });

  it('runs as the unprivileged node user on node:22-slim with production dependencies only', () => {
    const dockerfile = readFileSync(join(imageDir, 'media-service/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:22-slim AS deps$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const lines = dockerfile.split('\n').filter((line) => line && !line.startsWith('#'));
    const userLine = lines.findIndex((line) => line.startsWith('USER node'));
    const cmdLine = lines.findIndex((line) => line.startsWith('CMD'));
    expect(userLine).toBeGreaterThan(0);
    expect(cmdLine).toBeGreaterThan(userLine);
    expect(lines[cmdLine]).toContain('media-service/src/main.ts');
  });
});

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { SecretName } from '#shared/config/secrets.ts';
import { MEDIA_METRICS, mediaDimensions } from '#shared/metrics/media-metrics.ts';
import { QUEUES, type QueueId } from '#shared/queues/definitions.ts';
import { EVENT_SUBSCRIPTIONS } from '#shared/queues/routing.ts';
import type { PlatformResources } from './api/handler-functions.ts';
import type { DeploymentConfig } from './config.ts';
import {
  type Bindable,
  bindKnowledgeBucket,
  bindRecordingsBucket,
  bindQueue,
  bindTable,
} from './constructs/bindings.ts';
import { mediaImageAsset } from './media/media-image.ts';
import { MEDIA_CONTAINER_PORT, MediaLoadBalancer } from './media/media-load-balancer.ts';
import { MediaNetwork } from './media/media-network.ts';

/** ECS refuses a container stopTimeout above 120 s on Fargate. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
/** Time the service keeps after its own drain to persist transcripts and exit before SIGKILL. */
const EXIT_MARGIN_SECONDS = 10;

/**
 * Drain timing. On scale-in or deploy ECS first deregisters the task and waits the target group's
 * deregistration delay (WebSocket calls keep flowing, no new ones arrive), THEN sends SIGTERM and
 * kills the task `stopTimeout` later. So the deregistration delay is the long window for calls
 * through the load balancer, and stopTimeout (≤ 120 s) bounds the in-process drain that follows,
 * which matters for Asterisk calls whose RTP bypasses the load balancer.
 */
export function drainTiming(drainGraceSeconds: number) {
  const stopTimeoutSeconds = Math.min(drainGraceSeconds, FARGATE_MAX_STOP_TIMEOUT_SECONDS);
  return {
    deregistrationDelaySeconds: drainGraceSeconds,
    stopTimeoutSeconds,
    serviceDrainSeconds: Math.max(stopTimeoutSeconds - EXIT_MARGIN_SECONDS, 0),
  };
}

export interface MediaStackProps extends StackProps {
  config: DeploymentConfig;
  rootDir: string;
  resources: PlatformResources;
}

/** The real-time media service on ECS Fargate behind an ALB, scaled on live calls per task. */
export class MediaStack extends Stack {
  readonly service: ecs.FargateService;
  readonly loadBalancer: MediaLoadBalancer;
  readonly publicUrl: string;
  readonly image: ecrAssets.DockerImageAsset;

  constructor(scope: Construct, id: string, props: MediaStackProps) {
    super(scope, id, props);
    const { config, resources } = props;
    const timing = drainTiming(config.drainGraceSeconds);
    const network = new MediaNetwork(this, 'Network', { config });
    this.loadBalancer = new MediaLoadBalancer(this, 'LoadBalancer', { config, vpc: network.vpc });
    this.publicUrl = this.loadBalancer.publicUrl;

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.image = mediaImageAsset(this, 'Image', props.rootDir);
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: config.mediaCpu,
      memoryLimitMiB: config.mediaMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const injected: SecretName[] = ['OPENAI_API_KEY', 'TWILIO_AUTH_TOKEN', 'INTERNAL_SIGNING_KEY'];
    if (config.ariUrl) injected.push('ARI_PASSWORD');
    if (config.asteriskMode === 'per_call') injected.push('ASTERISK_PERCALL_PASSWORD');
    const container = taskDefinition.addContainer('Media', {
      image: ecs.ContainerImage.fromDockerImageAsset(this.image),
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'media',
        logGroup: new logs.LogGroup(this, 'Logs', {
          retention: config.logRetentionDays as logs.RetentionDays,
          removalPolicy: config.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
      }),
      portMappings: [{ containerPort: MEDIA_CONTAINER_PORT, protocol: ecs.Protocol.TCP }],
      stopTimeout: Duration.seconds(timing.stopTimeoutSeconds),
      environment: {
        STAGE: config.stage,
        LOG_LEVEL: config.logLevel,
        AWS_REGION: this.region,
        MEDIA_PORT: String(MEDIA_CONTAINER_PORT),
        PUBLIC_MEDIA_URL: this.publicUrl,
        DRAIN_GRACE_SECONDS: String(timing.serviceDrainSeconds),
        MEDIA_MAX_CALLS: String(config.mediaMaxCallsPerTask),
        METRICS_NAMESPACE: MEDIA_METRICS.namespace,
        RTP_PORT_MIN: String(config.rtpPortMin),
        RTP_PORT_MAX: String(config.rtpPortMax),
        ...(config.apiDomainName ? { PUBLIC_API_URL: `https://${config.apiDomainName}` } : {}),
        ...(config.twilioAccountSid ? { TWILIO_ACCOUNT_SID: config.twilioAccountSid } : {}),
        ...(config.ariUrl ? { ARI_URL: config.ariUrl } : {}),
        ...(config.ariUsername ? { ARI_USERNAME: config.ariUsername } : {}),
        ASTERISK_MODE: config.asteriskMode,
        ...(config.asteriskMedia ? { ASTERISK_MEDIA: config.asteriskMedia } : {}),
        ...(config.asteriskPercallUsername
          ? { ASTERISK_PERCALL_USERNAME: config.asteriskPercallUsername }
          : {}),
        // The X-Ray daemon sidecar below shares the task's network namespace.
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${XRAY_DAEMON_PORT}`,
      },
      // Injected at task start (a changed value needs a new deployment). ECS refuses to start the
      // task when a listed key is absent from the secret, hence the secret setup step in docs/deploy.md.
      secrets: Object.fromEntries(
        injected.map((name) => [name, ecs.Secret.fromSecretsManager(resources.secret, name)]),
      ),
    });

    const bindable: Bindable = {
      grantPrincipal: taskDefinition.taskRole,
      addEnvironment: (name, value) => container.addEnvironment(name, value),
    };
    bindTable(bindable, resources.table);
    // Agents' search_knowledge: index versions are copied from the bucket to the task's disk.
    bindKnowledgeBucket(bindable, resources.knowledgeBucket, 'read');
    // Call recordings: spooled on the task's disk, streamed to the bucket as multipart uploads.
    if (resources.recordingsBucket) bindRecordingsBucket(bindable, resources.recordingsBucket, 'record');
    // The service publishes call lifecycle events and consumes its command queue.
    const eventQueues = new Set(Object.values(EVENT_SUBSCRIPTIONS).flat());
    for (const queueId of eventQueues)
      bindQueue(bindable, QUEUES[queueId], resources.queues[queueId], 'send');
    const commands: QueueId = 'mediaCommands';
    bindQueue(bindable, QUEUES[commands], resources.queues[commands], 'consume');
    // Metrics leave as EMF log lines (no CloudWatch API call, no grant); call segments go to the
    // X-Ray daemon sidecar over UDP, which relays them with the task role.
    taskDefinition.addContainer('XRayDaemon', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/xray/aws-xray-daemon:3.x'),
      essential: false,
      cpu: 32,
      memoryReservationMiB: 64,
      portMappings: [{ containerPort: XRAY_DAEMON_PORT, protocol: ecs.Protocol.UDP }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'xray' }),
    });
    taskDefinition.taskRole.addManagedPolicy(
      iam.ManagedPolicy.fromAwsManagedPolicyName('AWSXRayDaemonWriteAccess'),
    );

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      securityGroups: [network.serviceSecurityGroup],
      vpcSubnets: network.taskSubnets,
      assignPublicIp: config.natGateways === 0,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
    });
    this.service.attachToApplicationTargetGroup(this.loadBalancer.targetGroup);

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: config.mediaMinTasks,
      maxCapacity: config.mediaMaxTasks,
    });
    scaling.scaleToTrackCustomMetric('ActiveCallsPerTask', {
      metric: activeCallsMetric(config.stage, 'Average'),
      targetValue: config.mediaTargetCallsPerTask,
      // Scale out fast for new calls; scale in slowly, since each removed task drains its calls.
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(600),
    });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 70,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(600),
    });

    new CfnOutput(this, 'MediaUrl', {
      value: this.publicUrl,
      description: 'Media service base URL (Twilio streams, browser calls)',
    });
    new CfnOutput(this, 'MediaLoadBalancerDns', {
      value: this.loadBalancer.loadBalancer.loadBalancerDnsName,
      description: 'Point the media domain (CNAME) here',
    });
  }
}

/** The X-Ray daemon's default UDP port. */
const XRAY_DAEMON_PORT = 2000;

/** The live-call gauge the service writes: Average = per task (autoscaling), Sum = fleet total. */
export function activeCallsMetric(stage: string, statistic: 'Average' | 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: MEDIA_METRICS.namespace,
    metricName: MEDIA_METRICS.activeCalls,
    dimensionsMap: mediaDimensions(stage),
    statistic,
    period: Duration.minutes(1),
  });
}

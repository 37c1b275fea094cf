import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CONTROL_PLANE_METRICS } from '#shared/metrics/control-plane-metrics.ts';
import type { RouteDefinition } from '#shared/http/route-types.ts';
import type { QueueDefinition, QueueId } from '#shared/queues/definitions.ts';
import { type PlatformResources, routeConstructId } from './api/handler-functions.ts';
import { PlatformHttpApi } from './api/http-api.ts';
import { QueueConsumers } from './api/queue-consumers.ts';
import { ScheduledJobs } from './api/scheduled-jobs.ts';
import { SCHEDULED_JOBS } from '#shared/jobs/scheduled-jobs.ts';
import type { DeploymentConfig } from './config.ts';
import type { PlatformFunction } from './constructs/platform-function.ts';
import { createAccessAnalyzer } from './handler-access.ts';

export interface ApiStackProps extends StackProps {
  config: DeploymentConfig;
  rootDir: string;
  resources: PlatformResources;
  routes: readonly RouteDefinition[];
  queues: Readonly<Partial<Record<QueueId, QueueDefinition>>>;
  /** Where Twilio and browsers reach the media service (TwiML `<Stream>` URLs are built from it). */
  publicMediaUrl: string;
}

/**
 * The stateless control plane: the HTTP API with one function per route, the API-key authorizer
 * and the queue consumers. Routes or consumers whose handler file does not exist yet are left out
 * with a synth warning, so a teammate's half-landed feature never breaks `cdk synth`; the
 * assertion test `every route has an integration` is what fails, naming the missing files.
 */
export class ApiStack extends Stack {
  readonly httpApi: PlatformHttpApi;
  readonly consumers: QueueConsumers;
  readonly jobs: ScheduledJobs;
  readonly missingHandlers: string[];

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    const environment: Record<string, string> = {
      STAGE: config.stage,
      LOG_LEVEL: config.logLevel,
      LOG_DEBUG_SAMPLE_RATE: String(config.logDebugSampleRate),
      // Consumers write EMF records (stdout); the Tracer names the service in traces.
      METRICS_NAMESPACE: CONTROL_PLANE_METRICS.namespace,
      POWERTOOLS_SERVICE_NAME: CONTROL_PLANE_METRICS.serviceName,
      CORS_ORIGINS: config.corsOrigins.join(','),
      PUBLIC_MEDIA_URL: props.publicMediaUrl,
      ...(config.twilioAccountSid ? { TWILIO_ACCOUNT_SID: config.twilioAccountSid } : {}),
      ...(config.consoleUrl ? { CONSOLE_URL: config.consoleUrl } : {}),
    };
    const functionSettings = {
      rootDir: props.rootDir,
      resources: props.resources,
      logRetentionDays: config.logRetentionDays,
      retainLogs: config.stage === 'prod',
      functionLogLevels: config.functionLogLevels,
      emailFrom: config.emailFrom,
    };
    this.httpApi = new PlatformHttpApi(this, 'Api', {
      config,
      routes: props.routes,
      functions: functionSettings,
      environment,
    });
    this.consumers = new QueueConsumers(this, 'Consumers', {
      queues: props.queues,
      functions: { ...functionSettings, environment: { ...environment, PUBLIC_API_URL: this.httpApi.url } },
      reserveConcurrency: config.reserveConsumerConcurrency,
    });
    this.jobs = new ScheduledJobs(this, 'Jobs', {
      jobs: SCHEDULED_JOBS,
      functions: { ...functionSettings, environment },
    });

    this.missingHandlers = [
      ...this.httpApi.routes.filter((r) => r.skipped).map((r) => r.route.handler),
      ...this.consumers.consumers.filter((c) => c.skipped).map((c) => c.handler),
    ];
    for (const handler of this.missingHandlers) {
      Annotations.of(this).addWarningV2(
        'ai-caller:missing-handler',
        `Handler ${handler} does not exist yet: its route or consumer is not deployed.`,
      );
    }
    // Grants are declared; only raw SQS sends, whose queue no declaration can name, are looked for.
    const analyze = createAccessAnalyzer(props.rootDir);
    for (const fn of this.functions) {
      for (const module of analyze(fn.entry).unknownQueueSenders) {
        Annotations.of(fn).addWarningV2(
          'ai-caller:raw-queue-send',
          `${module} sends to SQS without the shared publisher; grant its queue explicitly.`,
        );
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the REST API' });
    // Provider webhooks (signature routes), ready to paste into the Twilio or Stripe console.
    for (const { route, function: fn } of this.httpApi.routes) {
      if (route.auth !== 'signature' || !fn) continue;
      new CfnOutput(this, `WebhookUrl${routeConstructId(route.method, route.path)}`, {
        value: `${this.httpApi.url}${route.path}`,
        description: `${route.method} webhook (${route.handler})`,
      });
    }
  }

  /** Every Lambda function of the control plane. */
  get functions(): PlatformFunction[] {
    return [
      ...this.httpApi.functions,
      ...this.consumers.consumers.flatMap((c) => (c.function ? [c.function] : [])),
      ...this.jobs.functions,
    ];
  }
}

import { join } from 'node:path';
import type { App, Environment } from 'aws-cdk-lib';
import { ROUTES } from '#shared/http/route-table.ts';
import type { RouteDefinition } from '#shared/http/route-types.ts';
import { QUEUES, type QueueDefinition, type QueueId } from '#shared/queues/definitions.ts';
import { ApiStack } from './api-stack.ts';
import { ConsoleStack } from './console-stack.ts';
import type { DeploymentConfig } from './config.ts';
import { MediaStack } from './media-stack.ts';
import { ObservabilityStack } from './observability-stack.ts';
import { StatefulStack } from './stateful-stack.ts';

export interface PlatformStacks {
  stateful: StatefulStack;
  media: MediaStack;
  api: ApiStack;
  observability: ObservabilityStack;
  console: ConsoleStack;
}

export interface PlatformAppProps {
  config: DeploymentConfig;
  rootDir: string;
  env?: Environment;
  /** The route table and queue definitions; tests may pass their own. */
  routes?: readonly RouteDefinition[];
  queues?: Readonly<Partial<Record<QueueId, QueueDefinition>>>;
}

/**
 * All stacks of one stage, split by lifecycle: the stateful stack (data, never replaced) and the
 * stateless ones that reference it (media service, API + functions, observability).
 */
export function addPlatformStacks(app: App, props: PlatformAppProps): PlatformStacks {
  const { config, env, rootDir } = props;
  const prefix = `AiCaller-${config.stage}`;
  const tags = { project: 'ai-caller', stage: config.stage };
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    stage: config.stage,
    tags,
    terminationProtection: config.stage === 'prod',
  });
  const resources = {
    table: stateful.table,
    queues: stateful.queues,
    deadLetterQueues: stateful.deadLetterQueues,
    secret: stateful.secret,
    knowledgeBucket: stateful.knowledgeBucket,
    sessionKeysSecret: stateful.sessionKeysSecret,
    exportsBucket: stateful.exportsBucket,
    recordingsBucket: stateful.recordingsBucket,
  };
  const media = new MediaStack(app, `${prefix}-Media`, { env, tags, config, rootDir, resources });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    tags,
    config,
    rootDir,
    resources,
    routes: props.routes ?? ROUTES,
    queues: props.queues ?? QUEUES,
    publicMediaUrl: media.publicUrl,
  });
  const observability = new ObservabilityStack(app, `${prefix}-Observability`, {
    env,
    tags,
    config,
    queues: stateful.queues,
    deadLetterQueues: stateful.deadLetterQueues,
    httpApi: api.httpApi.api,
    functions: api.functions,
    mediaService: media.service,
    mediaTargetGroup: media.loadBalancer.targetGroup,
  });
  const consoleStack = new ConsoleStack(app, `${prefix}-Console`, {
    env,
    tags,
    stage: config.stage,
    apiUrl: api.httpApi.url,
    mediaUrl: media.publicUrl,
    assetsDir: join(rootDir, 'console', 'dist'),
  });
  return { stateful, media, api, observability, console: consoleStack };
}

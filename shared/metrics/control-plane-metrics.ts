import { createMetricsEmitter, type MetricsEmitter } from '../observability/emf.ts';
import { type TelemetrySink, telemetrySinkFromEnv } from '../observability/telemetry-sink.ts';

/**
 * Metrics of the queue consumers (webhook deliveries, summaries, meter events, …) as EMF records,
 * named once for the consumers and the dashboard. One dimension set for all of them, so a widget
 * or alarm can pick a consumer and an outcome.
 */
export const CONTROL_PLANE_METRICS = {
  namespace: 'AiCaller/ControlPlane',
  serviceName: 'control-plane',
  serviceDimension: 'service',
  /** Counter: messages a consumer finished, by `Outcome` (`done`, `retry`, `dead`). */
  messagesProcessed: 'MessagesProcessed',
  /** Counter: messages a consumer moved to its dead-letter queue itself (no retry could fix them). */
  deadLettered: 'DeadLettered',
  stageDimension: 'Stage',
  consumerDimension: 'Consumer',
  outcomeDimension: 'Outcome',
} as const;

export type ConsumerOutcome = 'done' | 'retry' | 'dead';

export interface ControlPlaneMetrics {
  messageSettled(consumer: string, outcome: ConsumerOutcome): void;
  deadLettered(consumer: string): void;
}

export function createControlPlaneMetrics(
  stage: string,
  sink: TelemetrySink = telemetrySinkFromEnv(),
): ControlPlaneMetrics {
  const emitter: MetricsEmitter = createMetricsEmitter({
    namespace: CONTROL_PLANE_METRICS.namespace,
    service: CONTROL_PLANE_METRICS.serviceName,
    defaultDimensions: { [CONTROL_PLANE_METRICS.stageDimension]: stage },
    sink,
  });
  return {
    messageSettled: (consumer, outcome) =>
      emitter.emit([{ name: CONTROL_PLANE_METRICS.messagesProcessed, unit: 'Count', value: 1 }], {
        [CONTROL_PLANE_METRICS.consumerDimension]: consumer,
        [CONTROL_PLANE_METRICS.outcomeDimension]: outcome,
      }),
    deadLettered: (consumer) =>
      emitter.emit([{ name: CONTROL_PLANE_METRICS.deadLettered, unit: 'Count', value: 1 }], {
        [CONTROL_PLANE_METRICS.consumerDimension]: consumer,
      }),
  };
}

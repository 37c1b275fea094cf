import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '#shared/logging/logger.ts';

export interface MetricsTarget {
  cloudwatch: CloudWatchClient;
  /** `MEDIA_METRICS.namespace` in AWS (the IAM policy allows only that namespace). */
  namespace: string;
  stage: string;
  logger: Logger;
}

/**
 * Sends datapoints; a failure is logged and swallowed. Metrics are best-effort: a CloudWatch
 * outage must never disturb a live call.
 */
export async function putMetrics(target: MetricsTarget, data: MetricDatum[]): Promise<void> {
  if (data.length === 0) return;
  try {
    await target.cloudwatch.send(new PutMetricDataCommand({ Namespace: target.namespace, MetricData: data }));
  } catch (error) {
    target.logger.warn('metric publish failed', { namespace: target.namespace, err: error });
  }
}

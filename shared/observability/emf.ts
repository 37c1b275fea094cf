import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TelemetrySink } from './telemetry-sink.ts';

/** One metric value of a record. Units are CloudWatch's (`Count`, `Milliseconds`, …). */
export interface MetricValue {
  name: string;
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  value: number;
}

export interface MetricsEmitter {
  /**
   * Writes one Embedded Metric Format record: the values share one dimension set (the emitter's
   * defaults plus `dimensions`). No network call: CloudWatch Logs extracts the metrics from the
   * log line (stdout in Lambda and in the media task's awslogs stream).
   */
  emit(values: MetricValue[], dimensions?: Record<string, string>, options?: EmitOptions): void;
}

export interface EmitOptions {
  /**
   * Also declare the values under the defaults alone (one more dimension set in the same record),
   * so a total needs no metric math over every value of `dimensions`.
   */
  withTotal?: boolean;
}

export interface MetricsEmitterOptions {
  namespace: string;
  /** Powertools always adds a `service` dimension; dashboards and alarms name it too. */
  service: string;
  defaultDimensions?: Record<string, string>;
  sink: TelemetrySink;
}

/**
 * EMF records through Powertools Metrics (it owns the format, the dimension and value limits and
 * the validation); we only take its serialized record and hand it to our sink, so the local
 * platform and tests can read the same records without CloudWatch.
 */
export function createMetricsEmitter(options: MetricsEmitterOptions): MetricsEmitter {
  const metrics = new Metrics({
    namespace: options.namespace,
    serviceName: options.service,
    defaultDimensions: options.defaultDimensions,
  });
  return {
    emit(values, dimensions, emitOptions) {
      if (values.length === 0 || !options.sink.enabled) return;
      if (emitOptions?.withTotal) metrics.addDimensions({});
      if (dimensions) metrics.addDimensions(dimensions);
      for (const v of values) metrics.addMetric(v.name, v.unit, v.value);
      const record = metrics.serializeMetrics();
      metrics.clearMetrics();
      metrics.clearDimensions();
      options.sink.write(record);
    },
  };
}

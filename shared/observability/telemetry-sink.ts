import { appendFileSync } from 'node:fs';
import { configSource } from '../config/config-source.ts';

/** Where telemetry records (EMF metric records, trace segments) go. */
export interface TelemetrySink {
  /** False for the sink that drops everything, so callers skip building records. */
  readonly enabled: boolean;
  write(record: object): void;
}

export const DISCARD_SINK: TelemetrySink = { enabled: false, write: () => {} };

/** One JSON line per record on stdout: in AWS, CloudWatch Logs reads EMF records from there. */
export const STDOUT_SINK: TelemetrySink = {
  enabled: true,
  write: (record) => {
    process.stdout.write(`${JSON.stringify(record)}\n`);
  },
};

/**
 * Appends one JSON line per record to a file (`npm start` uses `.local/telemetry.jsonl`). The
 * write is synchronous and small: records are written at call boundaries, never per audio frame.
 */
export function fileSink(path: string): TelemetrySink {
  return {
    enabled: true,
    write: (record) => appendFileSync(path, `${JSON.stringify(record)}\n`),
  };
}

/** Records a test can read back. */
export function memorySink(): TelemetrySink & { records: object[] } {
  const records: object[] = [];
  return { enabled: true, records, write: (record) => records.push(record) };
}

/**
 * The sink a process uses: `TELEMETRY_FILE` (local platform) wins; in AWS (`METRICS_NAMESPACE`
 * set by CDK) stdout; elsewhere (tests, scripts) nothing, so test output stays quiet.
 */
export function telemetrySinkFromEnv(
  env: Record<string, string | undefined> = configSource(),
): TelemetrySink {
  if (env.TELEMETRY_FILE) return fileSink(env.TELEMETRY_FILE);
  if (env.METRICS_NAMESPACE) return STDOUT_SINK;
  return DISCARD_SINK;
}

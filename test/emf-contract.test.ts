import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCallRefusalMetrics } from '#shared/metrics/call-refusals.ts';
import { createControlPlaneMetrics } from '#shared/metrics/control-plane-metrics.ts';
import { MEDIA_METRICS } from '#shared/metrics/media-metrics.ts';
import { memorySink } from '#shared/observability/telemetry-sink.ts';
import { startMediaMetrics } from '../media-service/src/metrics/media-metrics.ts';
import type { PlatformStacks } from '../infra/lib/platform-app.ts';
import { buildTestPlatform, SYNTH_TIMEOUT_MS } from './infra/test-platform-app.ts';

/** A metric as CloudWatch identifies it: namespace, name and the exact set of dimensions. */
interface MetricRef {
  namespace: string;
  name: string;
  dimensions: Record<string, string | undefined>;
}
const key = (m: MetricRef) => `${m.namespace}|${m.name}|${Object.keys(m.dimensions).sort().join(',')}`;

interface EmfRecord {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [field: string]: unknown;
}

/** What EMF records declare: each metric under each of its dimension sets, with the record's values. */
function declared(records: object[]): Map<string, MetricRef & { unit: string }> {
  const out = new Map<string, MetricRef & { unit: string }>();
  for (const record of records as EmfRecord[]) {
    for (const directive of record._aws.CloudWatchMetrics) {
      for (const set of directive.Dimensions) {
        for (const metric of directive.Metrics) {
          const ref = {
            namespace: directive.Namespace,
            name: metric.Name,
            dimensions: Object.fromEntries(set.map((d) => [d, String(record[d])])),
            unit: metric.Unit,
          };
          out.set(key(ref), ref);
        }
      }
    }
  }
  return out;
}

let stacks: PlatformStacks;
const referenced: MetricRef[] = [];
const searched: MetricRef[] = [];

/** Collects every `AiCaller/*` metric a template reads: alarms, alarm math, scaling, dashboards. */
function collect(template: Template): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (
      typeof o.Namespace === 'string' &&
      o.Namespace.startsWith('AiCaller/') &&
      typeof o.MetricName === 'string'
    ) {
      const dims = (o.Dimensions ?? []) as { Name: string; Value: string }[];
      referenced.push({
        namespace: o.Namespace,
        name: o.MetricName,
        dimensions: Object.fromEntries(dims.map((d) => [d.Name, d.Value])),
      });
    }
    Object.values(o).forEach(visit);
  };
  visit(template.toJSON().Resources);
  // Dashboard bodies are JSON text: metric rows are ["namespace","name","dim","value",…, {options}].
  for (const dashboard of Object.values(template.findResources('AWS::CloudWatch::Dashboard'))) {
    const body = JSON.stringify(dashboard.Properties.DashboardBody).replace(/\\"/g, '"');
    for (const row of body.matchAll(/\["(AiCaller\/[A-Za-z]+)","([A-Za-z]+)"((?:,"[^"]*")*)/g)) {
      const parts = [...(row[3] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] as string);
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < parts.length; i += 2) dimensions[parts[i] as string] = parts[i + 1] as string;
      referenced.push({ namespace: row[1] as string, name: row[2] as string, dimensions });
    }
    for (const s of body.matchAll(
      /SEARCH\('\{(AiCaller\/[A-Za-z]+),([^}]+)\} MetricName=\\*"([A-Za-z]+)\\*"/g,
    )) {
      searched.push({
        namespace: s[1] as string,
        name: s[3] as string,
        dimensions: Object.fromEntries((s[2] as string).split(',').map((d) => [d, undefined])),
      });
    }
  }
}

beforeAll(() => {
  stacks = buildTestPlatform().stacks;
  collect(Template.fromStack(stacks.observability));
  collect(Template.fromStack(stacks.media));
}, SYNTH_TIMEOUT_MS);

describe('refused calls', () => {
  it('one record declares the total and the per-reason series; free text never becomes a Reason', () => {
    const sink = memorySink();
    const refusals = createCallRefusalMetrics('prod', sink);
    refusals.callRefused('draining');
    refusals.callRefused('Tenant +14155550123 said no');
    const [draining, odd] = sink.records as EmfRecord[];
    expect(draining?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'AiCaller/Media',
        Dimensions: [
          ['service', 'Stage'],
          ['service', 'Stage', 'Reason'],
        ],
        Metrics: [{ Name: 'CallsRefused', Unit: 'Count' }],
      },
    ]);
    expect(draining).toMatchObject({ service: 'media', Stage: 'prod', Reason: 'draining', CallsRefused: 1 });
    expect(odd?.Reason).toBe('other');
  });
});

describe('EMF records match what dashboards, alarms and autoscaling read', () => {
  it('every AiCaller metric read in CloudFormation is written by the code with the same dimensions', () => {
    const stage = stacks.observability.node.tryGetContext('stage') ?? referenced[0]?.dimensions.Stage;
    const media = memorySink();
    const metrics = startMediaMetrics({ stage, sink: media, liveCalls: () => 1, intervalMs: 3_600_000 });
    for (const reason of ['caller_hangup', 'model_error', 'busy', 'no_answer', 'canceled'] as const) {
      metrics.callClosed(reason, {
        firstAgentAudioMs: 800,
        responseLatenciesMs: [600, 900],
        bargeInStopMs: [],
        modelReconnects: 1,
        resumes: 1,
        resumeGapsMs: [1_400],
      });
    }
    metrics.callRefused('capacity');
    metrics.stop();
    const control = memorySink();
    const consumers = createControlPlaneMetrics(stage, control);
    consumers.messageSettled('webhooks', 'done');
    consumers.deadLettered('summaries');
    const webhook = memorySink();
    createCallRefusalMetrics(stage, webhook).callRefused('concurrent_calls');
    const written = declared([...media.records, ...control.records]);
    // The Twilio voice webhook's refusals land in the very series the media task writes.
    expect([...declared(webhook.records).keys()]).toEqual(
      [...written.keys()].filter((k) => k.includes(`|${MEDIA_METRICS.callsRefused}|`)),
    );

    expect(referenced.length).toBeGreaterThan(5);
    for (const ref of referenced) {
      const match = written.get(key(ref));
      expect(match, `${key(ref)} is read but never written`).toBeDefined();
      expect(match?.dimensions.Stage).toBe(ref.dimensions.Stage);
      expect(match?.dimensions.service).toBe(ref.dimensions.service);
    }
    expect(searched.length).toBe(3);
    for (const ref of searched) expect(written.has(key(ref)), `${key(ref)} searched`).toBe(true);
    for (const [k, ref] of written) {
      if (/Latency$/.test(ref.name)) expect(ref.unit, k).toBe('Milliseconds');
      else expect(ref.unit, k).toBe('Count');
    }
  });
});

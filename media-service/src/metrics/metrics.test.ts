import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import { MEDIA_METRICS } from '#shared/metrics/media-metrics.ts';
import { startActiveCallsMetric } from './active-calls-metric.ts';
import { startCallOutcomeMetric } from './call-outcome-metric.ts';
import { startMediaMetrics } from './media-metrics.ts';
import type { MetricsTarget } from './put-metric.ts';

interface PutMetricDataRequest {
  Namespace: string;
  MetricData: {
    MetricName: string;
    Dimensions: { Name: string; Value: string }[];
    Value: number;
    Unit: string;
    Timestamp: number;
  }[];
}

/** A CloudWatch stand-in speaking the AWS JSON 1.0 protocol the SDK uses for PutMetricData. */
class FakeCloudWatch {
  readonly requests: PutMetricDataRequest[] = [];
  failNext = 0;
  private server: Server;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor() {
    this.server = createServer(async (req, res) => {
      const body = await readBody(req);
      const target = req.headers['x-amz-target'];
      if (target !== 'GraniteServiceVersion20100801.PutMetricData') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'InvalidAction', message: `unexpected target ${target}` }));
        return;
      }
      if (this.failNext > 0) {
        this.failNext -= 1;
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'boom' }));
        this.notify();
        return;
      }
      this.requests.push(JSON.parse(body) as PutMetricDataRequest);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
      this.notify();
    });
  }

  private handled = 0;
  private notify() {
    this.handled += 1;
    this.waiters = this.waiters.filter((w) => {
      if (this.handled >= w.count) w.resolve();
      return this.handled < w.count;
    });
  }

  /** Resolves once `count` requests (successful or failed) have been answered in total. */
  handledAtLeast(count: number): Promise<void> {
    if (this.handled >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
}

let fake: FakeCloudWatch;
let target: MetricsTarget;
const warnings: string[] = [];

beforeAll(async () => {
  fake = new FakeCloudWatch();
  const endpoint = await fake.listen();
  target = {
    cloudwatch: new CloudWatchClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
    namespace: MEDIA_METRICS.namespace,
    stage: 'test',
    logger: createLogger({ level: 'warn', write: (line) => warnings.push(line) }),
  };
});
afterAll(() => fake.close());
afterEach(() => {
  vi.useRealTimers();
  fake.requests.length = 0;
  warnings.length = 0;
});

describe('startActiveCallsMetric', () => {
  it('publishes the gauge at once, on every interval, and a final reading on stop', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let live = 3;
    const stop = startActiveCallsMetric(() => live, 60_000, target);
    await fake.handledAtLeast(1);
    live = 7;
    vi.advanceTimersByTime(60_000);
    await fake.handledAtLeast(2);
    live = 0;
    await stop();
    vi.advanceTimersByTime(180_000);
    await stop();

    expect(fake.requests.map((r) => r.MetricData[0]?.Value)).toEqual([3, 7, 0]);
    const [first] = fake.requests;
    expect(first?.Namespace).toBe('AiCaller/Media');
    expect(first?.MetricData).toEqual([
      expect.objectContaining({
        MetricName: 'ActiveCalls',
        Dimensions: [{ Name: 'Stage', Value: 'test' }],
        Unit: 'Count',
      }),
    ]);
  });

  it('logs a failed publish and keeps publishing', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    fake.failNext = 1;
    const before = fake.requests.length;
    const stop = startActiveCallsMetric(() => 1, 1_000, target);
    await vi.waitFor(() => expect(warnings.some((w) => w.includes('metric publish failed'))).toBe(true));
    vi.advanceTimersByTime(1_000);
    await stop();
    expect(fake.requests.length - before).toBeGreaterThanOrEqual(1);
  });
});

describe('startCallOutcomeMetric', () => {
  it('sends one datapoint per outcome with the counts of the interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const outcomes = startCallOutcomeMetric(60_000, target);
    for (const outcome of ['completed', 'completed', 'failed', 'completed'] as const)
      outcomes.record(outcome);
    vi.advanceTimersByTime(60_000);
    await fake.handledAtLeast(1);
    outcomes.record('no_answer');
    await outcomes.stop();

    expect(fake.requests).toHaveLength(2);
    const values = (i: number) =>
      Object.fromEntries(
        (fake.requests[i]?.MetricData ?? []).map((d) => [
          d.Dimensions.find((x) => x.Name === 'Outcome')?.Value,
          d.Value,
        ]),
      );
    expect(values(0)).toEqual({ completed: 3, failed: 1 });
    expect(values(1)).toEqual({ no_answer: 1 });
    expect(fake.requests[0]?.MetricData[0]?.MetricName).toBe('CallsEnded');
    expect(fake.requests[0]?.MetricData[0]?.Dimensions).toContainEqual({ Name: 'Stage', Value: 'test' });
  });

  it('sends nothing for an interval without ended calls', async () => {
    const outcomes = startCallOutcomeMetric(60_000, target);
    await outcomes.stop();
    expect(fake.requests).toHaveLength(0);
  });
});

describe('startMediaMetrics', () => {
  it('counts closed sessions by outcome and publishes the live-call gauge, final readings on stop', async () => {
    let live = 2;
    const metrics = startMediaMetrics({ ...target, liveCalls: () => live, intervalMs: 60_000 });
    await fake.handledAtLeast(fake.requests.length + 1);
    metrics.callClosed('caller_hangup');
    metrics.callClosed('model_error');
    metrics.callClosed('agent_hangup');
    live = 0;
    await metrics.stop();

    const data = fake.requests.flatMap((r) => r.MetricData);
    const gauge = data.filter((d) => d.MetricName === 'ActiveCalls').map((d) => d.Value);
    expect(gauge).toEqual([2, 0]);
    const ended = Object.fromEntries(
      data
        .filter((d) => d.MetricName === 'CallsEnded')
        .map((d) => [d.Dimensions.find((x) => x.Name === 'Outcome')?.Value, d.Value]),
    );
    expect(ended).toEqual({ completed: 2, failed: 1 });
  });
});

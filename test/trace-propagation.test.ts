import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '#shared/logging/logger.ts';
import { createControlPlaneMetrics } from '#shared/metrics/control-plane-metrics.ts';
import { memorySink } from '#shared/observability/telemetry-sink.ts';
import { newSegmentId, newTraceId, type TraceHeader } from '#shared/observability/trace-header.ts';
import { currentTrace, runWithTrace } from '#shared/observability/trace-scope.ts';
import { QUEUES } from '#shared/queues/definitions.ts';
import { publishCallEvent } from '#shared/queues/publisher.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import { toRecord } from '../infra/local/queue-poller.ts';
import { ensureQueues } from '../infra/local/sqs-local.ts';
import { processBatch } from '../functions/consumers/batch/process-batch.ts';

const sqs = createSqsClient({ endpoint: inject('sqsEndpoint') });
let queueUrl: string;

beforeAll(async () => {
  const urls = await ensureQueues(sqs, [QUEUES.summaries], `trace${Date.now()}`);
  queueUrl = urls[QUEUES.summaries.urlEnv] as string;
});
afterAll(() => sqs.destroy());

describe('trace context across SQS', () => {
  it('reaches the consumer of a published event: its scope, its log lines and its metrics', async () => {
    const trace: TraceHeader = { root: newTraceId(), parent: newSegmentId(), sampled: true };
    await runWithTrace(trace, () =>
      publishCallEvent(
        sqs,
        { summaries: queueUrl },
        {
          type: 'call.ended',
          tenantId: 'ten_trace',
          callId: 'call_trace',
          agentId: 'agt_trace',
          status: 'completed',
          endReason: 'caller_hangup',
          durationSeconds: 12,
        },
      ),
    );
    // A message sent outside any trace carries none.
    await publishCallEvent(
      sqs,
      { summaries: queueUrl },
      {
        type: 'call.ended',
        tenantId: 'ten_trace',
        callId: 'call_untraced',
        agentId: 'agt_trace',
        status: 'completed',
        endReason: 'caller_hangup',
        durationSeconds: 3,
      },
    );

    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    expect(received.Messages).toHaveLength(2);
    const lines: string[] = [];
    const sink = memorySink();
    const seen = new Map<string, string | undefined>();
    await processBatch(
      { Records: (received.Messages ?? []).map((m) => toRecord(m, 'arn:aws:sqs:us-east-1:000000000000:q')) },
      {
        queueId: 'summaries',
        queueUrl,
        sqs,
        logger: createLogger({ level: 'info', write: (line) => lines.push(line) }),
        retryDelaySeconds: () => 0,
        metrics: createControlPlaneMetrics('test', sink),
        handle: async (event, { logger }) => {
          seen.set(event.callId, currentTrace()?.root);
          logger.info('handled');
          return { kind: 'done' };
        },
      },
    );

    expect(seen.get('call_trace')).toBe(trace.root);
    expect(seen.get('call_untraced')).toBeUndefined();
    const logged = lines.map((l) => JSON.parse(l) as { callId?: string; traceId?: string });
    expect(logged.filter((l) => l.callId === 'call_trace').map((l) => l.traceId)).toEqual([
      trace.root,
      trace.root,
    ]);
    expect(logged.filter((l) => l.callId === 'call_untraced').every((l) => l.traceId === undefined)).toBe(
      true,
    );
    expect(sink.records).toEqual([
      expect.objectContaining({ Consumer: 'summaries', Outcome: 'done', MessagesProcessed: 1 }),
      expect.objectContaining({ Consumer: 'summaries', Outcome: 'done', MessagesProcessed: 1 }),
    ]);
  });
});

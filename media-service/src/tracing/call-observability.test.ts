import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { mediaSegmentId } from '#shared/observability/call-trace.ts';
import { TRACE_MESSAGE_ATTRIBUTE } from '#shared/observability/queue-trace.ts';
import { memorySink } from '#shared/observability/telemetry-sink.ts';
import { parseTraceHeader } from '#shared/observability/trace-header.ts';
import { startMediaMetrics } from '../metrics/media-metrics.ts';
import type { CallSession } from '../session/call-session.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';
import type { SegmentDocument } from './call-segment.ts';
import { callTracing } from './call-tracing.ts';
import { sinkEmitter } from './segment-emitter.ts';

const metricsSink = memorySink();
const traceSink = memorySink();
let harness: MediaHarness;
let streamUrl: string;
let service: Awaited<ReturnType<MediaHarness['startService']>>['service'];

beforeAll(async () => {
  harness = await startMediaHarness();
  const tracing = callTracing(sinkEmitter(traceSink));
  const metrics = startMediaMetrics({
    stage: 'test',
    sink: metricsSink,
    liveCalls: () => service?.registry.snapshot().liveCalls ?? 0,
    intervalMs: 3_600_000,
  });
  ({ service, streamUrl } = await harness.startService(
    {},
    {
      onCallClosed: (closed) => {
        metrics.callClosed(closed.reason, closed.telemetry);
        tracing.callClosed(closed);
      },
    },
  ));
}, 60_000);
afterAll(() => harness?.stop());

const frames = (count: number) => Array.from({ length: count }, (_, i) => Buffer.alloc(160, i & 0xff));

describe('a call leaves metrics and a trace, and none while audio flows', () => {
  it('writes EMF records and its segment only at call end; call.ended carries the trace on', async () => {
    const { call, token } = await harness.newCall();
    expect(call.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const before = harness.realtime.connections.length;
    const client = await harness.connect(streamUrl, token, call, { autoPlay: true });
    const model = await harness.realtime.nextConfigured(before);
    await model.waitFor('response.create');
    const session = service.registry.get(call.id) as CallSession;
    const recordsAtStart = metricsSink.records.length + traceSink.records.length;

    model.speak('resp_1', 'item_a1', [Buffer.alloc(1600, 0x55)], 'Hello.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:1600');
    for (const frame of frames(250)) client.sendAudio(frame);
    await model.waitFor('input_audio_buffer.append', () => model.receivedAudio().length >= 250 * 160);
    model.speechStarted('item_c1');
    model.speechStopped('item_c1', 900);
    model.callerTranscript('item_c1', 'Hi.');
    model.speak('resp_2', 'item_a2', [Buffer.alloc(800, 0x66)], 'How can I help?');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a2:800');
    // 250 caller frames and two replies went through: not one metric or trace record meanwhile.
    expect(metricsSink.records.length + traceSink.records.length).toBe(recordsAtStart);

    // The model ends the call with a tool: the goodbye is requested, then the caller's leg closes.
    model.responseCreated('resp_3');
    model.functionCall('resp_3', 'fc_end', 'end_call', { reason: 'done' });
    model.responseDone('resp_3');
    await model.waitFor('response.create', (e) => JSON.stringify(e).toLowerCase().includes('goodbye'));
    client.stop();
    await session.closed;

    const ended = metricsSink.records.filter((r) => 'CallsEnded' in r);
    expect(ended).toEqual([
      expect.objectContaining({ service: 'media', Stage: 'test', Outcome: 'completed', CallsEnded: 1 }),
    ]);
    const latency = metricsSink.records.find((r) => 'FirstAudioLatency' in r) as Record<string, unknown>;
    expect(latency).toMatchObject({ service: 'media', Stage: 'test' });
    expect(latency.Outcome).toBeUndefined();
    expect(typeof latency.ResponseLatency).toBe('number');

    const segments = traceSink.records.map((r) => (r as { xraySegment: SegmentDocument }).xraySegment);
    expect(segments).toHaveLength(1);
    const [segment] = segments as [SegmentDocument];
    expect(segment.trace_id).toBe(call.traceId);
    expect(segment.id).toBe(mediaSegmentId(call.id));
    expect(segment.annotations).toMatchObject({
      callId: call.id,
      tenantId: call.tenantId,
      endReason: 'agent_hangup',
    });
    const subsegments = segment.subsegments ?? [];
    expect(subsegments.map((s) => s.name)).toEqual([
      'model-connect',
      'call-setup',
      'first-agent-audio',
      'response',
      'tool-call',
      'hang-up',
    ]);
    const [connect, setup, , , tool, hangUp] = subsegments;
    expect(hangUp).toMatchObject({ annotations: { reason: 'agent_hangup' } });
    expect(connect?.annotations).toEqual({ warm: expect.any(Boolean) });
    expect(setup?.start_time).toBe(segment.start_time);
    expect(setup?.end_time).toBeGreaterThanOrEqual(connect?.end_time ?? Infinity);
    expect(tool).toMatchObject({ annotations: { tool: 'end_call' } });
    expect(subsegments.filter((s) => s.error)).toEqual([]);
    for (const s of subsegments) {
      expect(s.start_time).toBeGreaterThanOrEqual(segment.start_time);
      expect(s.end_time).toBeLessThanOrEqual(segment.end_time);
    }
    expect(segment.end_time).toBeGreaterThanOrEqual(segment.start_time);

    // The consumers' copy of call.ended names the call's trace, with the media segment as parent.
    const sqs = sqsFromEnv();
    const url = queueUrlsFromEnv().webhooks as string;
    let header: string | undefined;
    for (let i = 0; i < 20 && !header; i++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 1,
        }),
      );
      for (const m of out.Messages ?? []) {
        const body = JSON.parse(m.Body ?? '{}') as { type?: string; callId?: string };
        if (body.type === 'call.ended' && body.callId === call.id) {
          header = m.MessageAttributes?.[TRACE_MESSAGE_ATTRIBUTE]?.StringValue;
        }
      }
    }
    expect(parseTraceHeader(header)).toEqual({
      root: call.traceId,
      parent: mediaSegmentId(call.id),
      sampled: true,
    });
  });
});

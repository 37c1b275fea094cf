import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCallOwner } from '#shared/data/call-owners.ts';
import { createDb } from '#shared/data/client.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { rootDir } from '../../../test/platform.ts';
import type { CallSession } from '../session/call-session.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';

let harness: MediaHarness;
let media: Awaited<ReturnType<MediaHarness['startService']>>;

const tone = (bytes: number, value = 0x7f) => Buffer.alloc(bytes, value);

beforeAll(async () => {
  harness = await startMediaHarness();
  media = await harness.startService(
    {},
    { reconnectPolicy: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50, noticeableGapMs: 60_000 } },
  );
}, 60_000);
afterAll(() => harness?.stop());

async function startCall(streamUrl = media.streamUrl) {
  const { call, token } = await harness.newCall();
  const before = harness.realtime.connections.length;
  const client = await harness.connect(streamUrl, token, call, { autoPlay: true });
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  return { call, token, client, model };
}

describe('model socket failures', () => {
  it('reconnects after a drop: instructions and prior turns replayed, the call continues, no turn lost or duplicated', async () => {
    const { call, client, model } = await startCall();
    const session = media.service.registry.get(call.id) as CallSession;
    model.speak('r1', 'item_a1', [tone(800)], 'Hello, this is the clinic.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:800');
    // Caller audio sent after the mark echo reaches the model only once the echo was handled, so
    // the greeting has played out before the caller starts to speak (no barge-in).
    client.sendAudio(tone(160, 0x11));
    await model.waitFor('input_audio_buffer.append', () => model.receivedAudio().length >= 160);
    model.speechStarted('item_c1');
    model.speechStopped('item_c1');
    model.callerTranscript('item_c1', 'I would like an appointment.');
    model.speak('r2', 'item_a2', [tone(800)], 'Sure, which day suits you?');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a2:800');

    const before = harness.realtime.connections.length;
    model.drop();
    const next = await harness.realtime.nextConfigured(before);
    const update = (await next.waitFor('session.update')) as unknown as { session: { instructions: string } };
    expect(update.session.instructions).toBe('You are a test agent.');
    await next.waitFor(
      'conversation.item.create',
      () => next.received.filter((e) => e.type === 'conversation.item.create').length >= 3,
    );
    const replayed = next.received
      .filter((e) => e.type === 'conversation.item.create')
      .map((e) => {
        const item = e.item as { role: string; content: { text: string }[] };
        return [item.role, item.content[0]?.text];
      });
    expect(replayed).toEqual([
      ['assistant', 'Hello, this is the clinic.'],
      ['user', 'I would like an appointment.'],
      ['assistant', 'Sure, which day suits you?'],
    ]);

    client.sendAudio(tone(320, 0x11));
    await next.waitFor('input_audio_buffer.append', () => next.receivedAudio().length >= 320);
    next.speechStarted('item_c2');
    next.speechStopped('item_c2');
    next.callerTranscript('item_c2', 'Tuesday please.');
    next.speak('r3', 'item_a3', [tone(800)], 'Tuesday it is.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a3:800');
    client.stop();
    await session.closed;

    const turns = await listTranscriptTurns(harness.db, call.id);
    expect(turns.map((t) => [t.seq, t.text])).toEqual([
      [1, 'Hello, this is the clinic.'],
      [2, 'I would like an appointment.'],
      [3, 'Sure, which day suits you?'],
      [4, 'Tuesday please.'],
      [5, 'Tuesday it is.'],
    ]);
    const record = await harness.callRecord(call.id);
    expect(record?.endReason).toBe('caller_hangup');
    expect(record?.telemetry?.modelReconnects).toBe(1);
  });

  it('tells the caller nothing was lost when the gap was noticeable', async () => {
    const slow = await harness.startService(
      {},
      { reconnectPolicy: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50, noticeableGapMs: 0 } },
    );
    const { call, client, model } = await startCall(slow.streamUrl);
    const session = slow.service.registry.get(call.id) as CallSession;
    const before = harness.realtime.connections.length;
    model.drop();
    const next = await harness.realtime.nextConfigured(before);
    const notice = (await next.waitFor('response.create')) as unknown as {
      response: { instructions: string };
    };
    expect(notice.response.instructions).toMatch(/nothing was lost/);
    client.stop();
    await session.closed;
  });

  it('a fatal model error (invalid key) ends the call at once with reason model_error', async () => {
    const { call, client, model } = await startCall();
    const session = media.service.registry.get(call.id) as CallSession;
    const before = harness.realtime.connections.length;
    harness.realtime.setConnectError('invalid_api_key');
    try {
      model.drop();
      expect((await client.closed).code).toBe(1000);
      await session.closed;
    } finally {
      harness.realtime.setConnectError(undefined);
    }
    // One attempt, refused as fatal: no retries against a bad key.
    expect(harness.realtime.connections.length - before).toBe(1);
    const record = await harness.callRecord(call.id);
    expect(record?.endReason).toBe('model_error');
    expect(record?.status).toBe('completed');
  });

  it('retries the first model connection when the endpoint refuses once (503)', async () => {
    harness.realtime.rejectNextUpgrade(503);
    const { call, client, model } = await startCall();
    const session = media.service.registry.get(call.id) as CallSession;
    expect(model.received[0]?.type).toBe('session.update');
    client.stop();
    await session.closed;
    expect((await harness.callRecord(call.id))?.endReason).toBe('caller_hangup');
  });

  it('ends the call as failed with model_error when the key is refused (401) at the start', async () => {
    harness.realtime.rejectNextUpgrade(401);
    const { call, token } = await harness.newCall();
    const before = harness.realtime.connections.length;
    const client = await harness.connect(media.streamUrl, token, call);
    expect((await client.closed).code).toBe(1000);
    await media.service.registry.idle();
    expect(harness.realtime.connections.length).toBe(before);
    const record = await harness.callRecord(call.id);
    expect(record?.endReason).toBe('model_error');
    // The agent never came on the line: failed (not billed), unlike a model lost mid-call.
    expect(record?.status).toBe('failed');
    const events = await harness.eventsFor(call.id, 2);
    expect(events.filter((e) => e.type === 'call.ended')).toEqual([
      expect.objectContaining({ status: 'failed', endReason: 'model_error' }),
    ]);
  });

  it('rolls over to a fresh model session before the limit, at a quiet moment, with the context', async () => {
    const short = await harness.startService({ MEDIA_MODEL_SESSION_MAX_SECONDS: '1' });
    const { call, client, model } = await startCall(short.streamUrl);
    const session = short.service.registry.get(call.id) as CallSession;
    const before = harness.realtime.connections.length;
    model.speak('r1', 'item_a1', [tone(400)], 'Hello there.');
    await client.waitFor('mark', (f) => f.mark?.name === 'item_a1:400');
    const fresh = await harness.realtime.nextConfigured(before);
    await model.closed; // the old socket is closed by the service once the new one is configured
    const replayed = await fresh.waitFor('conversation.item.create');
    expect(replayed.item).toMatchObject({
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Hello there.' }],
    });
    client.sendAudio(tone(160, 0x22));
    await fresh.waitFor('input_audio_buffer.append');
    client.stop();
    await session.closed;
    expect((await harness.callRecord(call.id))?.telemetry?.modelReconnects).toBeGreaterThanOrEqual(1);
  });
});

describe('health', () => {
  it('a DynamoDB outage degrades /health (503) while /health/live, the load balancer check, stays 200', async () => {
    const cut = await harness.startService(
      {},
      { db: createDb({ tableName: 'unreachable', endpoint: 'http://127.0.0.1:9', region: 'us-east-1' }) },
    );
    const health = await fetch(`${cut.baseUrl}/health`);
    expect(health.status).toBe(503);
    const body = await health.json();
    expect(body.status).toBe('degraded');
    expect(body.checks.dynamodb.status).not.toBe('ok');
    const liveness = await fetch(`${cut.baseUrl}/health/live`);
    expect(liveness.status).toBe(200);
    expect(await liveness.json()).toEqual({
      status: 'ok',
      calls: { liveCalls: 0, maxCalls: 200, draining: false },
    });
  });
});

describe('drain', () => {
  it('refuses new calls, lets live calls finish within the grace, stores everything', async () => {
    const own = await harness.startService();
    const live = await startCall(own.streamUrl);
    const session = own.service.registry.get(live.call.id) as CallSession;
    const drained = own.service.drain(30_000);
    const health = await fetch(`${own.baseUrl}/health`);
    expect(health.status).toBe(503);
    expect((await health.json()).calls).toEqual({ liveCalls: 1, maxCalls: 200, draining: true });
    const liveness = await fetch(`${own.baseUrl}/health/live`);
    expect(liveness.status).toBe(200); // the target stays healthy: its live calls are not failed over
    expect((await liveness.json()).status).toBe('draining');

    const late = await harness.newCall();
    const refused = await harness.connect(own.streamUrl, late.token, late.call);
    expect(await refused.closed).toEqual({ code: 1013, reason: 'draining' });

    live.model.speak('r1', 'item_a1', [tone(400)], 'Goodbye then.');
    await live.client.waitFor('mark', (f) => f.mark?.name === 'item_a1:400');
    live.client.stop();
    await drained;
    await session.closed;
    expect((await listTranscriptTurns(harness.db, live.call.id)).map((t) => t.text)).toEqual([
      'Goodbye then.',
    ]);
    expect((await harness.callRecord(live.call.id))?.endReason).toBe('caller_hangup');
  });

  it('hands calls still live over when the grace is over: Twilio reconnects them elsewhere, nothing ends them', async () => {
    const own = await harness.startService({}, { goodbyeTimeoutMs: 5_000 });
    const live = await startCall(own.streamUrl);
    await own.service.drain(50);
    expect((await live.client.closed).code).toBe(1000);
    expect((await getCallOwner(harness.db, live.call.id))?.state).toBe('handover');
    expect((await harness.callRecord(live.call.id))?.status).toBe('in_progress');
    // No goodbye: the caller is about to hear the agent again from another task.
    expect(live.model.received.filter((e) => /end the call now/.test(JSON.stringify(e)))).toEqual([]);
  });

  it('SIGTERM: the process refuses new calls, lets the live one finish, stores it, exits 0', async () => {
    const child: ChildProcess = spawn(process.execPath, ['media-service/src/main.ts'], {
      cwd: rootDir,
      env: {
        ...process.env,
        ...harness.platform.env,
        OPENAI_REALTIME_URL: harness.realtime.url,
        OPENAI_API_KEY: 'sk-test',
        TWILIO_AUTH_TOKEN: '',
        MEDIA_PORT: '0',
        MEDIA_MODEL_POOL_SIZE: '0',
        LOG_LEVEL: 'info',
        DRAIN_GRACE_SECONDS: '30',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const port = await new Promise<number>((resolve) =>
      lines.on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'media service listening') resolve(Number(entry.port));
      }),
    );
    const streamUrl = `ws://127.0.0.1:${port}/twilio/stream`;
    const live = await startCall(streamUrl);
    child.kill('SIGTERM');
    const draining = new Promise<void>((resolve) =>
      lines.on('line', (line) => {
        if ((JSON.parse(line) as { msg?: string }).msg === 'draining') resolve();
      }),
    );
    await draining;
    const late = await harness.newCall();
    const refused = await harness.connect(streamUrl, late.token, late.call);
    expect((await refused.closed).reason).toBe('draining');

    live.model.callerTranscript('item_c1', 'Thanks, bye.');
    live.client.stop();
    expect(await exited).toBe(0);
    expect((await listTranscriptTurns(harness.db, live.call.id)).map((t) => t.text)).toEqual([
      'Thanks, bye.',
    ]);
    const record = await harness.callRecord(live.call.id);
    expect(record?.status).toBe('completed');
  }, 30_000);
});

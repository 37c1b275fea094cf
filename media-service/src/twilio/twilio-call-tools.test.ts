import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '#shared/agents/agent-schema.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { createTwilioCall } from '#shared/twilio/rest-client.ts';
import { signingSecrets } from '#shared/webhooks/secret-store.ts';
import { verifyWebhook } from '#shared/webhooks/signing.ts';
import type { ClientEvent, FakeRealtimeConnection } from '../../../fakes/realtime/scripted-server.ts';
import { type FakeTwilioRest, startFakeTwilioRest } from '../../../fakes/twilio/rest-server.ts';
import type { CallSession } from '../session/call-session.ts';
import { type MediaHarness, startMediaHarness } from '../../../test/media-service/twilio-test-harness.ts';

let harness: MediaHarness;
let twilio: FakeTwilioRest;
let tools: Server;
let toolUrl: string;
let media: Awaited<ReturnType<MediaHarness['startService']>>;
const toolRequests: {
  path: string;
  body: string;
  headers: Record<string, string | undefined>;
  callId: string;
}[] = [];

const tone = (bytes: number) => Buffer.alloc(bytes, 0x7f);
const outputs = (model: FakeRealtimeConnection) =>
  model.received.filter(
    (e) => (e.item as { type?: string } | undefined)?.type === 'function_call_output',
  ) as (ClientEvent & {
    item: { call_id: string; output: string };
  })[];
/** Waits for the `n`-th client event of `type` on `model`. */
const nth = (model: FakeRealtimeConnection, type: string, n: number) =>
  model.waitFor(type, () => model.received.filter((e) => e.type === type).length >= n);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
}

beforeAll(async () => {
  harness = await startMediaHarness();
  twilio = await startFakeTwilioRest();
  tools = createServer(async (req, res) => {
    const body = await readBody(req);
    toolRequests.push({
      path: req.url ?? '',
      body,
      headers: {
        'webhook-id': req.headers['webhook-id'] as string | undefined,
        'webhook-timestamp': req.headers['webhook-timestamp'] as string | undefined,
        'webhook-signature': req.headers['webhook-signature'] as string | undefined,
      },
      callId: String(req.headers['x-ai-caller-call-id']),
    });
    if (req.url === '/slow') return; // never answers: the tool's timeout must fire
    if (req.url === '/fail') {
      res.writeHead(500).end('boom');
      return;
    }
    const delayMs = req.url === '/delayed' ? 300 : 0;
    setTimeout(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"shipped"}'),
      delayMs,
    );
  });
  tools.listen(0, '127.0.0.1');
  await once(tools, 'listening');
  toolUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;
  media = await harness.startService(
    {
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
    },
    { toolFillerAfterMs: 100, goodbyeTimeoutMs: 5_000 },
  );
}, 60_000);
afterAll(async () => {
  tools?.closeAllConnections();
  tools?.close();
  await twilio?.close();
  await harness?.stop();
});

async function startCall(agent: Agent) {
  const twilioCall = await createTwilioCall(
    { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.url },
    {
      to: '+14155550100',
      from: '+14155550199',
      url: 'https://example.test/voice',
      statusCallback: 'https://example.test/status',
    },
  );
  const { call, token } = await harness.newCall({ agentId: agent.id, callSid: twilioCall.sid });
  const before = harness.realtime.connections.length;
  const client = await harness.connect(media.streamUrl, token, call, {
    autoPlay: true,
    callSid: twilioCall.sid,
  });
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  const session = media.service.registry.get(call.id) as CallSession;
  return { call, client, model, session, callSid: twilioCall.sid };
}

describe('tools', () => {
  it('runs tenant HTTP tools: signed request, result fed back, timeout, failure, filler while slow', async () => {
    const agent = await harness.newAgent({
      tools: [
        {
          type: 'http',
          name: 'lookup_order',
          description: 'Find an order.',
          parameters: { type: 'object' },
          url: `${toolUrl}/delayed`,
          timeoutMs: 2_000,
        },
        {
          type: 'http',
          name: 'slow_tool',
          description: 'Slow.',
          parameters: { type: 'object' },
          url: `${toolUrl}/slow`,
          timeoutMs: 200,
        },
        {
          type: 'http',
          name: 'broken_tool',
          description: 'Broken.',
          parameters: { type: 'object' },
          url: `${toolUrl}/fail`,
          timeoutMs: 2_000,
        },
      ],
    });
    const { call, client, model, session } = await startCall(agent);
    const update = (await model.waitFor('session.update')) as unknown as {
      session: { tools: { name: string }[] };
    };
    expect(update.session.tools.map((t) => t.name)).toEqual([
      'end_call',
      'lookup_order',
      'slow_tool',
      'broken_tool',
    ]);

    model.responseCreated('r1');
    model.functionCall('r1', 'call_1', 'lookup_order', { orderId: 'A-17' });
    model.responseDone('r1');
    // 300 ms tool, 100 ms filler threshold: a filler line that stays out of the conversation.
    const filler = (await nth(model, 'response.create', 2)) as unknown as {
      response?: { conversation?: string };
    };
    expect(filler.response?.conversation).toBe('none');
    const after = await nth(model, 'response.create', 3);
    expect(after.response).toBeUndefined();
    expect(outputs(model).map((o) => [o.item.call_id, o.item.output])).toEqual([
      ['call_1', '{"status":"shipped"}'],
    ]);
    const request = toolRequests.find((r) => r.path === '/delayed');
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      tool: 'lookup_order',
      arguments: { orderId: 'A-17' },
      callId: call.id,
      toolCallId: 'call_1',
    });
    // Signed like the tenant's webhooks: the same secret and verification code work.
    const [secret] = await signingSecrets(
      harness.db,
      harness.tenantId,
      harness.platform.secrets.INTERNAL_SIGNING_KEY,
    );
    expect(request?.headers['webhook-id']).toBe('tool_call_1');
    expect(verifyWebhook(secret as string, request?.headers ?? {}, request?.body ?? '')).toEqual({
      ok: true,
    });
    expect(verifyWebhook(secret as string, request?.headers ?? {}, `${request?.body} `)).toMatchObject({
      ok: false,
    });

    model.responseCreated('r2');
    model.functionCall('r2', 'call_2', 'slow_tool', {});
    model.functionCall('r2', 'call_3', 'broken_tool', {});
    model.responseDone('r2');
    await nth(model, 'response.create', 5); // filler, then the response after both outputs
    expect(
      outputs(model)
        .slice(1)
        .map((o) => [o.item.call_id, JSON.parse(o.item.output)]),
    ).toEqual([
      ['call_2', { error: 'tool_timeout' }],
      ['call_3', { error: 'tool_failed', status: 500 }],
    ]);

    client.sendDtmf('4');
    client.sendDtmf('2');
    const digits = await model.waitFor('conversation.item.create', (e) =>
      JSON.stringify(e).includes('pressed 42'),
    );
    expect(digits.item).toMatchObject({ type: 'message', role: 'user' });

    client.stop();
    await session.closed;
    const turns = await listTranscriptTurns(harness.db, call.id);
    expect(turns.filter((turn) => turn.role === 'tool').map((turn) => turn.text.split('(')[0])).toEqual([
      'lookup_order',
      'slow_tool',
      'broken_tool',
    ]);
    expect(turns.some((turn) => turn.text.includes('pressed 42'))).toBe(true);
    // The analytics' "tool calls by tool name" counters are fed from this.
    expect((await harness.callRecord(call.id))?.telemetry?.toolCalls).toEqual({
      lookup_order: 1,
      slow_tool: 1,
      broken_tool: 1,
    });
  });

  it('end_call: goodbye plays, then Twilio REST hangs up; reason agent_hangup', async () => {
    const { call, client, model, session, callSid } = await startCall(await harness.newAgent());
    model.responseCreated('r1');
    model.functionCall('r1', 'call_end', 'end_call', { reason: 'caller is done' });
    model.responseDone('r1');
    const goodbye = (await nth(model, 'response.create', 2)) as unknown as {
      response: { instructions: string };
    };
    expect(goodbye.response.instructions).toMatch(/goodbye/i);
    // The goodbye timeout is the session's only timer now (guardrails stopped); close() cancels it.
    expect(session.pendingTimers).toBe(1);
    expect(outputs(model).map((o) => o.item.call_id)).toEqual(['call_end']);
    model.speak('r2', 'item_bye', [tone(800)], 'Goodbye, have a nice day!');
    const hangup = await twilio.waitForRequest((r) => r.kind === 'update' && r.callSid === callSid);
    expect(hangup.params.get('Status')).toBe('completed');
    expect(hangup.authorized).toBe(true);
    await session.closed;
    expect(session.pendingTimers).toBe(0);
    expect(session.currentState).toBe('ended');
    await client.closed;
    const record = await harness.callRecord(call.id);
    expect(record?.endReason).toBe('agent_hangup');
    expect(record?.telemetry?.toolCalls).toEqual({ end_call: 1 });
    const turns = await listTranscriptTurns(harness.db, call.id);
    expect(turns.at(-1)?.text).toBe('Goodbye, have a nice day!');
  });

  it('transfer_call: cold transfer through a Twilio call update with <Dial>, then the session ends', async () => {
    const agent = await harness.newAgent({ transferNumber: '+14155550123' });
    const { call, model, session, callSid } = await startCall(agent);
    model.responseCreated('r1');
    model.functionCall('r1', 'call_t', 'transfer_call', { reason: 'wants a human' });
    model.responseDone('r1');
    const line = (await nth(model, 'response.create', 2)) as unknown as {
      response: { instructions: string };
    };
    expect(line.response.instructions).toMatch(/transferring/i);
    model.speak('r2', 'item_t', [tone(400)], 'Transferring you now.');
    const update = await twilio.waitForRequest((r) => r.kind === 'update' && r.callSid === callSid);
    expect(update.params.get('Twiml')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+14155550123</Dial></Response>',
    );
    await session.closed;
    expect((await harness.callRecord(call.id))?.endReason).toBe('transferred');
  });
});

describe('transfer failures', () => {
  it('a refused transfer hangs up and stores transfer_failed', async () => {
    const agent = await harness.newAgent({ transferNumber: '+14155550124' });
    const { call, model, session, callSid } = await startCall(agent);
    twilio.failNext({ status: 400, code: 21211, message: 'Invalid phone number', kind: 'update' });
    model.responseCreated('r1');
    model.functionCall('r1', 'call_t2', 'transfer_call', {});
    model.responseDone('r1');
    await nth(model, 'response.create', 2);
    model.speak('r2', 'item_t2', [tone(400)], 'Transferring you now.');
    const hangup = await twilio.waitForRequest(
      (r) => r.kind === 'update' && r.callSid === callSid && r.params.get('Status') === 'completed',
    );
    expect(hangup.status).toBe(200);
    await session.closed;
    expect((await harness.callRecord(call.id))?.endReason).toBe('transfer_failed');
  });

  it('does not offer transfer_call when the transport cannot transfer (no Twilio REST credentials)', async () => {
    const plain = await harness.startService();
    const agent = await harness.newAgent({ transferNumber: '+14155550125' });
    const { call, token } = await harness.newCall({ agentId: agent.id });
    const before = harness.realtime.connections.length;
    const client = await harness.connect(plain.streamUrl, token, call, { autoPlay: true });
    const model = await harness.realtime.nextConfigured(before);
    const update = (await model.waitFor('session.update')) as unknown as {
      session: { tools: { name: string }[] };
    };
    expect(update.session.tools.map((t) => t.name)).toEqual(['end_call']);
    await model.waitFor('response.create');
    client.stop();
    await plain.service.registry.get(call.id)?.closed;
  });
});

describe('guardrails', () => {
  it.each([
    ['max_duration', { maxDurationSeconds: 1, idleTimeoutSeconds: 60 }, /time limit/],
    ['idle_timeout', { maxDurationSeconds: 600, idleTimeoutSeconds: 1 }, /silent/],
  ] as const)('%s ends the call politely and stores the reason', async (reason, limits, line) => {
    // Below the API's minimums on purpose: written straight to the table to keep the test short.
    const { call, model, session } = await startCall(await harness.newAgent(limits));
    const closing = (await model.waitFor('response.create', (e) =>
      line.test(JSON.stringify(e)),
    )) as unknown as {
      response: { tool_choice: string };
    };
    expect(closing.response.tool_choice).toBe('none');
    model.speak('r_end', 'item_end', [tone(400)], 'Sorry, I have to end the call now. Goodbye.');
    await session.closed;
    const record = await harness.callRecord(call.id);
    expect(record?.endReason).toBe(reason);
    expect(record?.status).toBe('completed');
  });
});

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStreamToken } from '#shared/calls/stream-token.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import {
  createCall,
  findCallByProviderId,
  getActiveCallCount,
  getCall,
  linkProviderCallId,
  transitionCall,
} from '#shared/data/calls.ts';
import { createPhoneNumber } from '#shared/data/phone-numbers.ts';
import { updateTenant } from '#shared/data/tenants.ts';
import { TWILIO_VOICE_PATH } from '#shared/http/webhook-routes.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { answerVoiceCall, VOICE_MESSAGES } from '#shared/twilio/answer-voice-call.ts';
import { twilioSignature } from '#shared/twilio/signature.ts';
import {
  newCallSid,
  parseStreamTwiml,
  type SendOptions,
  sendTwilioWebhook,
  type TwilioWebhookTarget,
  voiceParams,
} from '../../fakes/twilio/webhooks.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';

/** Twilio signs the public URL; the gateway listens elsewhere, as behind API Gateway. */
const PUBLIC_API_URL = 'https://api.example.test';
const PUBLIC_MEDIA_URL = 'https://media.example.test';

/** The handler's EMF records (refused calls) land here, as under `npm start`. */
const TELEMETRY_FILE = join(mkdtempSync(join(tmpdir(), 'voice-telemetry-')), 'telemetry.jsonl');
const refusalRecords = (): Record<string, unknown>[] =>
  existsSync(TELEMETRY_FILE)
    ? readFileSync(TELEMETRY_FILE, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((record) => 'CallsRefused' in record)
    : [];

let platform: TestPlatform;
let target: TwilioWebhookTarget;
let numberSeq = 0;

beforeAll(async () => {
  platform = await startTestPlatform({ env: { PUBLIC_API_URL, PUBLIC_MEDIA_URL, TELEMETRY_FILE } });
  target = {
    apiUrl: platform.apiUrl,
    publicUrl: PUBLIC_API_URL,
    authToken: platform.secrets.TWILIO_AUTH_TOKEN,
  };
});
afterAll(async () => {
  await platform?.stop();
});

/** A tenant whose agent answers a fresh Twilio number. */
async function tenantWithNumber(limits = { maxConcurrentCalls: 5, requestsPerSecond: 1000 }) {
  const tenant = await createTestTenant(limits);
  const number = `+1415555${String(1000 + numberSeq++).padStart(4, '0')}`;
  await createPhoneNumber(dbFromEnv(), {
    tenantId: tenant.tenant.id,
    agentId: tenant.agentId,
    number,
    provider: 'twilio',
  });
  return { ...tenant, number };
}

async function postVoice(params: Record<string, string>, options?: Parameters<typeof sendTwilioWebhook>[3]) {
  const response = await sendTwilioWebhook(target, TWILIO_VOICE_PATH, params, options);
  return { response, text: await response.text() };
}

const CALLER = '+14155550100';

describe('POST /webhooks/twilio/voice: signature', () => {
  const params = () => voiceParams({ callSid: newCallSid(), from: CALLER, to: '+14155559999' });

  type Case = [string, SendOptions & { host?: boolean; authToken?: string }, string];
  it.each<Case>([
    ['no signature header', { signature: null }, 'missing_signature'],
    ['a garbage signature', { signature: 'x' }, 'bad_signature'],
    ['a signature made with another auth token', { authToken: 'f'.repeat(32) }, 'bad_signature'],
    [
      'a signature over the address posted to (Host) instead of PUBLIC_API_URL',
      { host: true },
      'bad_signature',
    ],
    ['tampered parameters', { signParams: { CallSid: 'CA0', To: '+1' } }, 'bad_signature'],
  ])('answers 403 for %s and creates nothing', async (_name, options, reason) => {
    const fields = params();
    const { host, authToken, ...send } = options;
    if (host) send.signUrl = `${platform.apiUrl}${TWILIO_VOICE_PATH}`;
    const signer = { ...target, authToken: authToken ?? target.authToken };
    const response = await sendTwilioWebhook(signer, TWILIO_VOICE_PATH, fields, send);
    const text = await response.text();
    expect(response.status).toBe(403);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'forbidden', details: { reason } } });
    expect(await findCallByProviderId(dbFromEnv(), 'twilio', fields.CallSid as string)).toBeUndefined();
  });

  it('verifies plain and base64-encoded bodies alike (API Gateway encodes form posts)', async () => {
    const { handler } = await import('./twilio-voice.ts');
    const fields = params();
    const body = new URLSearchParams(fields).toString();
    const signature = twilioSignature(target.authToken, `${PUBLIC_API_URL}${TWILIO_VOICE_PATH}`, fields);
    for (const isBase64Encoded of [false, true]) {
      const event = {
        version: '2.0',
        routeKey: `POST ${TWILIO_VOICE_PATH}`,
        rawPath: TWILIO_VOICE_PATH,
        rawQueryString: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: isBase64Encoded ? Buffer.from(body).toString('base64') : body,
        isBase64Encoded,
        requestContext: {
          http: { method: 'POST', path: TWILIO_VOICE_PATH },
          requestId: `r${isBase64Encoded}`,
        },
      } as unknown as APIGatewayProxyEventV2;
      const result = (await handler(event, {} as Context)) as { statusCode: number; body: string };
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain(VOICE_MESSAGES.unknownNumber);
    }
  });

  it('rejects a signed request without a valid CallSid as 400', async () => {
    const { response, text } = await postVoice({ ...params(), CallSid: 'nope' });
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'validation_error' } });
  });
});

describe('POST /webhooks/twilio/voice: inbound calls', () => {
  it('politely hangs up on a number no agent answers', async () => {
    const { response, text } = await postVoice(
      voiceParams({ callSid: newCallSid(), from: CALLER, to: '+14155550001' }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${VOICE_MESSAGES.unknownNumber}</Say><Hangup/></Response>`,
    );
  });

  it('admits the call and connects a media stream with a short-lived token for it', async () => {
    const { tenant, agentId, number } = await tenantWithNumber();
    const callSid = newCallSid();
    const { response, text } = await postVoice(voiceParams({ callSid, from: CALLER, to: number }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    const stream = parseStreamTwiml(text);
    expect(stream.url).toBe('wss://media.example.test/twilio/stream');
    const call = await findCallByProviderId(dbFromEnv(), 'twilio', callSid);
    expect(call).toMatchObject({
      tenantId: tenant.id,
      agentId,
      direction: 'inbound',
      provider: 'twilio',
      from: CALLER,
      to: number,
      status: 'ringing',
    });
    expect(stream.parameters.callId).toBe(call?.id);
    const claims = verifyStreamToken(
      stream.parameters.token as string,
      platform.secrets.INTERNAL_SIGNING_KEY,
    );
    expect(claims).toMatchObject({ callId: call?.id, tenantId: tenant.id, agentId, provider: 'twilio' });
    const ttl = claims.exp - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(30);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(text.length).toBeLessThan(1000);
    // The stream ending with the call still up asks the stream-ended webhook what next (resume it
    // on another media task, or the "cannot take your call" line), so nothing follows <Connect>.
    expect(stream.action).toBe(
      `${PUBLIC_API_URL}/webhooks/twilio/stream-ended?callId=${call?.id}&tenantId=${tenant.id}`,
    );
    expect(text).toMatch(/<\/Connect><\/Response>$/);
  });

  it('leaves the fallback line out where the media service cannot hang up over REST', async () => {
    const { number } = await tenantWithNumber();
    const answer = await answerVoiceCall(
      {
        db: dbFromEnv(),
        signingKey: platform.secrets.INTERNAL_SIGNING_KEY,
        publicMediaUrl: PUBLIC_MEDIA_URL,
        logger: createLogger({ level: 'error' }),
        spokenFallback: false,
      },
      new URLSearchParams(voiceParams({ callSid: newCallSid(), from: CALLER, to: number })),
      {},
    );
    expect(answer.outcome).toBe('connected');
    expect(answer.twiml).toMatch(/<\/Connect><\/Response>$/);
  });

  it('answers a retried webhook with the same call, a fresh token and no second slot', async () => {
    const { tenant, number } = await tenantWithNumber();
    const fields = voiceParams({ callSid: newCallSid(), from: CALLER, to: number });
    const first = parseStreamTwiml((await postVoice(fields)).text);
    const [second, third] = await Promise.all([postVoice(fields), postVoice(fields)]);
    for (const retry of [second, third]) {
      const stream = parseStreamTwiml(retry.text);
      expect(stream.parameters.callId).toBe(first.parameters.callId);
      expect(stream.parameters.token).not.toBe(first.parameters.token);
    }
    expect(await getActiveCallCount(dbFromEnv(), tenant.id)).toBe(1);
  });

  it('says the line is busy at the tenant’s concurrency cap, without creating a call', async () => {
    const { tenant, number } = await tenantWithNumber({ maxConcurrentCalls: 1, requestsPerSecond: 1000 });
    const first = await postVoice(voiceParams({ callSid: newCallSid(), from: CALLER, to: number }));
    expect(parseStreamTwiml(first.text).parameters.callId).toBeDefined();
    const refusedSid = newCallSid();
    const refused = await postVoice(voiceParams({ callSid: refusedSid, from: CALLER, to: number }));
    expect(refused.response.status).toBe(200);
    expect(refused.text).toContain(`<Say>${VOICE_MESSAGES.busy}</Say><Hangup/>`);
    expect(refused.text).not.toContain('<Stream');
    expect(await findCallByProviderId(dbFromEnv(), 'twilio', refusedSid)).toBeUndefined();
    expect(await getActiveCallCount(dbFromEnv(), tenant.id)).toBe(1);
    // Counted as a refused call, by reason, in the media namespace the dashboard and alarm read.
    expect(refusalRecords()).toContainEqual(
      expect.objectContaining({ service: 'media', Reason: 'concurrent_calls', CallsRefused: 1 }),
    );
  });

  it('says the line is busy while the tenant is on billing hold', async () => {
    const { tenant, number } = await tenantWithNumber();
    await updateTenant(dbFromEnv(), tenant.id, { billingStatus: 'past_due' });
    const { text } = await postVoice(voiceParams({ callSid: newCallSid(), from: CALLER, to: number }));
    expect(text).toContain(VOICE_MESSAGES.busy);
    expect(await getActiveCallCount(dbFromEnv(), tenant.id)).toBe(0);
  });

  it('says the line is busy beyond the tenant’s call rate', async () => {
    const { number } = await tenantWithNumber({ maxConcurrentCalls: 50, requestsPerSecond: 1 });
    // Five calls at once span at most a few one-second windows: some must be refused.
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        postVoice(voiceParams({ callSid: newCallSid(), from: CALLER, to: number })),
      ),
    );
    const connected = answers.filter((a) => a.text.includes('<Stream')).length;
    const busy = answers.filter((a) => a.text.includes(VOICE_MESSAGES.busy)).length;
    expect(connected).toBeGreaterThanOrEqual(1);
    expect(busy).toBeGreaterThanOrEqual(1);
    expect(connected + busy).toBe(5);
  });

  it('hangs up on a retried webhook for a call that has already ended', async () => {
    const { tenant, number } = await tenantWithNumber();
    const fields = voiceParams({ callSid: newCallSid(), from: CALLER, to: number });
    const callId = parseStreamTwiml((await postVoice(fields)).text).parameters.callId as string;
    await transitionCall(dbFromEnv(), tenant.id, callId, 'completed', { endReason: 'agent_hangup' });
    const { text } = await postVoice(fields);
    expect(text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });
});

describe('POST /webhooks/twilio/voice: outbound calls placed by the API', () => {
  async function outboundCall() {
    const { tenant, agentId } = await createTestTenant();
    const { call } = await createCall(
      dbFromEnv(),
      {
        tenantId: tenant.id,
        agentId,
        direction: 'outbound',
        provider: 'twilio',
        from: '+14155550999',
        to: CALLER,
      },
      { maxConcurrentCalls: 5 },
    );
    return { tenant, call };
  }

  it('finds the call by its linked CallSid instead of admitting another', async () => {
    const { tenant, call } = await outboundCall();
    const callSid = newCallSid();
    await linkProviderCallId(dbFromEnv(), call, callSid);
    const fields = voiceParams({
      callSid,
      from: call.from,
      to: call.to,
      direction: 'outbound-api',
      callStatus: 'in-progress',
    });
    const stream = parseStreamTwiml((await postVoice(fields)).text);
    expect(stream.parameters.callId).toBe(call.id);
    expect(
      verifyStreamToken(stream.parameters.token as string, platform.secrets.INTERNAL_SIGNING_KEY).callId,
    ).toBe(call.id);
    expect(await getActiveCallCount(dbFromEnv(), tenant.id)).toBe(1);
  });

  it('links the CallSid from the signed callId/tenantId query when Twilio calls back before the link', async () => {
    const { tenant, call } = await outboundCall();
    const callSid = newCallSid();
    const fields = voiceParams({
      callSid,
      from: call.from,
      to: call.to,
      direction: 'outbound-api',
      callStatus: 'in-progress',
    });
    const query = new URLSearchParams({ callId: call.id, tenantId: tenant.id }).toString();
    const stream = parseStreamTwiml((await postVoice(fields, { query })).text);
    expect(stream.parameters.callId).toBe(call.id);
    expect((await getCall(dbFromEnv(), tenant.id, call.id))?.providerCallId).toBe(callSid);
    expect((await findCallByProviderId(dbFromEnv(), 'twilio', callSid))?.id).toBe(call.id);
  });

  it('refuses a query naming another tenant’s call (ids must match the stored call)', async () => {
    const { call } = await outboundCall();
    const other = await createTestTenant();
    const fields = voiceParams({
      callSid: newCallSid(),
      from: call.from,
      to: call.to,
      direction: 'outbound-api',
    });
    const query = new URLSearchParams({ callId: call.id, tenantId: other.tenant.id }).toString();
    const { text } = await postVoice(fields, { query });
    expect(text).toContain(VOICE_MESSAGES.notConnected);
  });

  it('hangs up politely on an outbound CallSid it does not know', async () => {
    const fields = voiceParams({
      callSid: newCallSid(),
      from: '+14155550999',
      to: CALLER,
      direction: 'outbound-api',
    });
    const { response, text } = await postVoice(fields);
    expect(response.status).toBe(200);
    expect(text).toContain(`<Say>${VOICE_MESSAGES.notConnected}</Say><Hangup/>`);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwilioRest, type FakeTwilioRest } from '../../fakes/twilio/rest-server.ts';
import { newCallSid, voiceParams } from '../../fakes/twilio/webhooks.ts';
import { createTestTenant, startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { placeOutboundCall } from './outbound-calls.ts';
import { getActiveCallCount, getCall } from '../data/calls.ts';
import { dbFromEnv } from '../data/client.ts';
import { listDue } from '../data/due-index.ts';
import { createPhoneNumber } from '../data/phone-numbers.ts';
import { createLogger } from '../logging/logger.ts';
import { queueUrlsFromEnv } from '../queues/publisher.ts';
import { sqsFromEnv } from '../queues/sqs-client.ts';
import { answerVoiceCall, STREAM_TOKEN_TTL_SECONDS } from '../twilio/answer-voice-call.ts';
import { consumeStreamToken } from './stream-token.ts';
import { STREAM_TIMEOUT_GRACE_MS, sweepStreamTimeouts } from './stream-timeouts.ts';

let platform: TestPlatform;
let twilio: FakeTwilioRest;
let numberSeq = 0;
const logger = createLogger({ level: 'error' });

beforeAll(async () => {
  platform = await startTestPlatform();
  twilio = await startFakeTwilioRest();
}, 60_000);
afterAll(async () => {
  await twilio?.close();
  await platform?.stop();
});

const T0 = Date.now();
/** Just after the sweeper may act on a token minted at T0. */
const OVERDUE = new Date(T0 + STREAM_TOKEN_TTL_SECONDS * 1000 + STREAM_TIMEOUT_GRACE_MS + 1_000);

async function tenantWithNumber(maxConcurrentCalls: number) {
  const tenant = await createTestTenant({ maxConcurrentCalls, requestsPerSecond: 1000 });
  const number = `+1415666${String(1000 + numberSeq++).padStart(4, '0')}`;
  await createPhoneNumber(dbFromEnv(), {
    tenantId: tenant.tenant.id,
    agentId: tenant.agentId,
    number,
    provider: 'twilio',
  });
  return { ...tenant, number };
}

/** Twilio's voice webhook for a new inbound call, answered at T0 (it hands out a stream token). */
async function ring(number: string, callSid = newCallSid()) {
  const answer = await answerVoiceCall(
    {
      db: dbFromEnv(),
      signingKey: platform.secrets.INTERNAL_SIGNING_KEY,
      publicMediaUrl: 'wss://media.example.test',
      logger,
      nowMs: T0,
    },
    new URLSearchParams(voiceParams({ callSid, from: '+14155550100', to: number })),
  );
  return { ...answer, callSid };
}

function sweepDeps(withTwilio: boolean) {
  return {
    db: dbFromEnv(),
    sqs: sqsFromEnv(),
    queueUrls: queueUrlsFromEnv(),
    logger,
    twilio: withTwilio
      ? async () => ({ accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.url })
      : undefined,
  };
}

describe('stream timeout sweeper', () => {
  it('ends a ringing call whose stream never connected and frees its slot; nothing billed; idempotent', async () => {
    const db = dbFromEnv();
    const { tenant, number } = await tenantWithNumber(1);
    const stuck = await ring(number);
    expect(stuck.outcome).toBe('connected');
    // The leak: the slot stays taken, so the next caller hears "busy".
    expect((await ring(number)).outcome).toBe('refused');

    const early = await sweepStreamTimeouts(sweepDeps(false), { now: new Date(T0 + 30_000) });
    expect(early.ended).toBe(0);
    expect((await getCall(db, tenant.id, stuck.callId as string))?.status).toBe('ringing');

    const swept = await sweepStreamTimeouts(sweepDeps(false), { now: OVERDUE });
    expect(swept.ended).toBeGreaterThanOrEqual(1);
    const call = await getCall(db, tenant.id, stuck.callId as string);
    expect(call).toMatchObject({ status: 'failed', endReason: 'stream_timeout', durationSeconds: 0 });
    expect(await getActiveCallCount(db, tenant.id)).toBe(0);

    const again = await sweepStreamTimeouts(sweepDeps(false), { now: OVERDUE });
    expect(again.ended).toBe(0);
    expect((await getCall(db, tenant.id, stuck.callId as string))?.updatedAt).toBe(call?.updatedAt);
    expect(await getActiveCallCount(db, tenant.id)).toBe(0);
    expect((await ring(number)).outcome).toBe('connected');
  });

  it('leaves a call whose stream was claimed by a media task to its session', async () => {
    const db = dbFromEnv();
    const { tenant, number, agentId } = await tenantWithNumber(5);
    const live = await ring(number);
    await consumeStreamToken(db, {
      callId: live.callId as string,
      tenantId: tenant.id,
      agentId,
      provider: 'twilio',
      exp: Math.floor(T0 / 1000) + 60,
      jti: 'claimed-by-a-task',
    });
    await sweepStreamTimeouts(sweepDeps(false), { now: OVERDUE });
    expect((await getCall(db, tenant.id, live.callId as string))?.status).toBe('ringing');
    const watches = await listDue(db, 'stream', OVERDUE, 100);
    expect(watches.some((w) => w.callId === live.callId)).toBe(false);
  });

  it("reconciles with Twilio's REST status: hangs up a call still up there, keeps Twilio's busy", async () => {
    const db = dbFromEnv();
    const { tenant, number } = await tenantWithNumber(5);
    const upThere = await ring(number);
    twilio.addInboundCall(upThere.callSid, 'in-progress');
    const busyThere = await ring(number);
    twilio.addInboundCall(busyThere.callSid, 'busy');

    await sweepStreamTimeouts(sweepDeps(true), { now: OVERDUE });
    const hangup = twilio.requests.find((r) => r.kind === 'update' && r.callSid === upThere.callSid);
    expect(hangup?.params.get('Status')).toBe('completed');
    expect(await getCall(db, tenant.id, upThere.callId as string)).toMatchObject({
      status: 'failed',
      endReason: 'stream_timeout',
    });
    expect(await getCall(db, tenant.id, busyThere.callId as string)).toMatchObject({
      status: 'busy',
      durationSeconds: 0,
    });
    expect(await getActiveCallCount(db, tenant.id)).toBe(0);
  });
});

describe('outbound Twilio calls Twilio never came back for', () => {
  it('are reconciled once ring time and token time are over: no-answer there is stored no_answer', async () => {
    const db = dbFromEnv();
    const { tenant, number, agentId } = await tenantWithNumber(5);
    const placedAt = Date.now();
    const call = await placeOutboundCall(
      {
        db,
        sqs: sqsFromEnv(),
        queueUrls: queueUrlsFromEnv(),
        twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.url },
        publicApiUrl: 'https://api.example.test',
      },
      tenant.id,
      { agentId, to: '+14155550123', from: number, metadata: {} },
      logger,
    );
    twilio.setCallStatus(call.providerCallId as string, 'no-answer');
    // The status callback saying so was lost; the call still holds its slot.
    expect(await getActiveCallCount(db, tenant.id)).toBe(1);
    const beforeDue = new Date(placedAt + 60_000);
    await sweepStreamTimeouts(sweepDeps(true), { now: beforeDue });
    expect((await getCall(db, tenant.id, call.id))?.status).toBe('queued');

    await sweepStreamTimeouts(sweepDeps(true), { now: new Date(Date.now() + 4 * 60_000) });
    expect(await getCall(db, tenant.id, call.id)).toMatchObject({ status: 'no_answer', durationSeconds: 0 });
    expect(await getActiveCallCount(db, tenant.id)).toBe(0);
  });
});

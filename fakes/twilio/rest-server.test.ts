import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '#shared/errors/app-error.ts';
import {
  createTwilioCall,
  TwilioApiError,
  type TwilioRestConfig,
  updateTwilioCall,
} from '#shared/twilio/rest-client.ts';
import { type FakeTwilioRest, startFakeTwilioRest } from './rest-server.ts';

let fake: FakeTwilioRest;
let config: TwilioRestConfig;
beforeAll(async () => {
  fake = await startFakeTwilioRest();
  config = { accountSid: fake.accountSid, authToken: fake.authToken, baseUrl: fake.url };
});
afterAll(async () => {
  await fake?.close();
});

const callInput = {
  to: '+14155550100',
  from: '+14155550199',
  url: 'https://api.example.com/webhooks/twilio/voice',
  statusCallback: 'https://api.example.com/webhooks/twilio/status',
};

describe('fake Twilio REST API with the real REST client', () => {
  it('creates a call, answering Twilio JSON and recording repeated StatusCallbackEvent keys', async () => {
    const created = await createTwilioCall(config, { ...callInput, timeoutSeconds: 30 });
    expect(created.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.status).toBe('queued');
    const request = await fake.waitForRequest((r) => r.kind === 'create' && r.status === 201);
    expect(request.authorized).toBe(true);
    expect(request.params.get('To')).toBe(callInput.to);
    expect(request.params.get('Url')).toBe(callInput.url);
    expect(request.params.get('Timeout')).toBe('30');
    expect(request.params.getAll('StatusCallbackEvent')).toEqual([
      'initiated',
      'ringing',
      'answered',
      'completed',
    ]);
    expect(fake.calls.get(created.sid)).toMatchObject({
      to: callInput.to,
      direction: 'outbound-api',
      statusCallback: callInput.statusCallback,
    });
  });

  it('hangs up a live call and refuses to update an ended one', async () => {
    const { sid } = await createTwilioCall(config, callInput);
    fake.setCallStatus(sid, 'in-progress');
    await expect(updateTwilioCall(config, sid, { status: 'completed' })).resolves.toEqual({
      sid,
      status: 'completed',
    });
    const again = await updateTwilioCall(config, sid, { status: 'completed' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(TwilioApiError);
    expect((again as TwilioApiError).twilioCode).toBe(21220);
  });

  it('takes asynchronous AMD parameters and refuses bad ones with Twilio code 21263', async () => {
    const amd = {
      machineDetection: 'DetectMessageEnd' as const,
      machineDetectionTimeoutSeconds: 30,
      asyncAmdStatusCallback: 'https://api.example.com/webhooks/twilio/amd',
    };
    const { sid } = await createTwilioCall(config, { ...callInput, ...amd });
    expect(fake.calls.get(sid)).toMatchObject({
      machineDetection: 'DetectMessageEnd',
      asyncAmdStatusCallback: amd.asyncAmdStatusCallback,
    });
    const tooLong = await createTwilioCall(config, {
      ...callInput,
      ...amd,
      machineDetectionTimeoutSeconds: 600,
    }).catch((e: unknown) => e);
    expect((tooLong as TwilioApiError).twilioCode).toBe(21263);
    const badCallback = await createTwilioCall(config, {
      ...callInput,
      ...amd,
      asyncAmdStatusCallback: 'nope',
    }).catch((e: unknown) => e);
    expect((badCallback as TwilioApiError).twilioCode).toBe(21263);
  });

  it('replaces the TwiML of a live call', async () => {
    const { sid } = await createTwilioCall(config, callInput);
    const twiml = '<Response><Dial>+14155550123</Dial></Response>';
    await updateTwilioCall(config, sid, { twiml });
    expect(fake.calls.get(sid)?.twiml).toBe(twiml);
  });

  it('answers 404 with Twilio code 20404 for an unknown call', async () => {
    const error = await updateTwilioCall(config, `CA${'0'.repeat(32)}`, { status: 'completed' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TwilioApiError);
    expect((error as TwilioApiError).httpStatus).toBe(404);
    expect((error as TwilioApiError).twilioCode).toBe(20404);
  });

  it('rejects wrong credentials with 401 / 20003', async () => {
    const error = await createTwilioCall({ ...config, authToken: 'wrong' }, callInput).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TwilioApiError);
    expect((error as TwilioApiError).httpStatus).toBe(401);
    expect((error as TwilioApiError).twilioCode).toBe(20003);
    expect(fake.requests.at(-1)?.authorized).toBe(false);
  });

  it.each([
    ['an invalid To', { to: 'not-a-number' }, 21211],
    ['a relative Url', { url: '/voice' }, 21205],
    ['a bad status callback', { statusCallback: 'ftp://x' }, 21609],
    ['a Timeout over 600', { timeoutSeconds: 601 }, 21210],
  ])('checks the request shape: %s', async (_name, override, code) => {
    const error = await createTwilioCall(config, { ...callInput, ...override }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioApiError);
    expect((error as TwilioApiError).twilioCode).toBe(code);
  });

  it('refuses bodies that are not form-encoded', async () => {
    const response = await fetch(`${fake.url}/2010-04-01/Accounts/${fake.accountSid}/Calls.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ To: callInput.to }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 21200 });
  });

  it('fails injected requests the given number of times, then recovers', async () => {
    fake.failNext({ status: 503, code: 20503, message: 'Service Unavailable', count: 2, kind: 'create' });
    for (let i = 0; i < 2; i++) {
      const error = await createTwilioCall(config, callInput).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TwilioApiError);
      expect((error as TwilioApiError).retryable).toBe(true);
    }
    await expect(createTwilioCall(config, callInput)).resolves.toMatchObject({ status: 'queued' });
  });

  it('waits for a request that has not arrived yet', async () => {
    const waiting = fake.waitForRequest((r) => r.params.get('To') === '+14155550777');
    await createTwilioCall(config, { ...callInput, to: '+14155550777' });
    expect((await waiting).kind).toBe('create');
  });

  it('is unreachable once closed', async () => {
    const other = await startFakeTwilioRest();
    await other.close();
    const error = await createTwilioCall(
      { accountSid: other.accountSid, authToken: other.authToken, baseUrl: other.url },
      callInput,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
  });
});

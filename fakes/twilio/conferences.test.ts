import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTwilioCall,
  createTwilioCallWithTwiml,
  type TwilioRestConfig,
  updateTwilioCall,
} from '#shared/twilio/rest-client.ts';
import { conferenceTwiml } from '#shared/twilio/twiml.ts';
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

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${fake.url}/2010-04-01/Accounts/${fake.accountSid}${path}`, {
    ...init,
    headers: {
      authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
  });

describe('fake Twilio conferences', () => {
  it('calls join by <Dial><Conference> TwiML, are listed as participants, held, and end with endConferenceOnExit', async () => {
    const caller = await createTwilioCall(config, {
      to: '+14155550100',
      from: '+14155550199',
      url: 'https://api.example.com/voice',
      statusCallback: 'https://api.example.com/status',
    });
    const person = await createTwilioCallWithTwiml(config, {
      to: '+14155550142',
      from: '+14155550199',
      twiml: '<Response><Say>hi</Say></Response>',
      timeoutSeconds: 20,
    });
    for (const sid of [caller.sid, person.sid]) fake.setCallStatus(sid, 'in-progress');
    for (const sid of [person.sid, caller.sid])
      await updateTwilioCall(config, sid, { twiml: conferenceTwiml('room-1') });

    const list = (await (await get('/Conferences.json?FriendlyName=room-1&Status=in-progress')).json()) as {
      conferences: { sid: string; friendly_name: string; status: string }[];
    };
    expect(list.conferences).toEqual([
      expect.objectContaining({
        friendly_name: 'room-1',
        status: 'in-progress',
        sid: expect.stringMatching(/^CF/),
      }),
    ]);
    const sid = list.conferences[0]?.sid;
    const participants = (await (await get(`/Conferences/${sid}/Participants.json`)).json()) as {
      participants: { call_sid: string; end_conference_on_exit: boolean; hold: boolean }[];
    };
    expect(participants.participants.map((p) => p.call_sid).sort()).toEqual([caller.sid, person.sid].sort());
    expect(participants.participants.every((p) => p.end_conference_on_exit && !p.hold)).toBe(true);

    const held = await get(`/Conferences/${sid}/Participants/${caller.sid}.json`, {
      method: 'POST',
      body: new URLSearchParams({ Hold: 'true', HoldUrl: 'https://example.test/music' }).toString(),
    });
    expect(await held.json()).toMatchObject({ call_sid: caller.sid, hold: true });
    expect((await get(`/Conferences/${sid}/Participants/CAnope.json`)).status).toBe(404);

    // One party leaves: the conference ends and Twilio hangs up the other.
    await updateTwilioCall(config, person.sid, { status: 'completed' });
    expect(fake.calls.get(caller.sid)?.status).toBe('completed');
    const ended = (await (await get(`/Conferences/${sid}.json`)).json()) as { status: string };
    expect(ended.status).toBe('completed');
  });
});

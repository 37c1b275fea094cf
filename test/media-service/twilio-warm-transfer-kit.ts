import { expect, vi } from 'vitest';
import type { Agent } from '#shared/agents/agent-schema.ts';
import { createTwilioCall } from '#shared/twilio/rest-client.ts';
import { connectTwilioMedia, type TwilioMediaClient } from '../../fakes/twilio/media-client.ts';
import type { FakeTwilioRest } from '../../fakes/twilio/rest-server.ts';
import type { CallSession } from '../../media-service/src/session/call-session.ts';
import type { MediaHarness } from './twilio-test-harness.ts';
import { requestWarmTransfer, speakLine } from './warm-transfer-script.ts';

/**
 * Twilio warm-transfer call tests (test-only): a caller with the agent on `media`, the warm
 * transfer requested and announced, the person's phone ringing on the fake Twilio REST; then the
 * person answering, their consult stream reaching whichever media task the test points it at.
 */
export interface WarmTransferRig {
  harness: MediaHarness;
  twilio: FakeTwilioRest;
  /** The media task the caller's stream reaches (the task that dials the person). */
  media: Awaited<ReturnType<MediaHarness['startService']>>;
  agent: Agent;
  /** The agent's transfer number. */
  person: string;
}

export const mediaFrames = (client: TwilioMediaClient) =>
  client.received.filter((f) => f.event === 'media').length;

export const updatesOf = (twilio: FakeTwilioRest, sid: string) =>
  twilio.requests.filter((r) => r.kind === 'update' && r.callSid === sid);

export async function ringingConsult(rig: WarmTransferRig, args: Record<string, unknown> = {}) {
  const { harness, twilio, media } = rig;
  const callerCall = await createTwilioCall(
    { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.url },
    {
      to: '+14155550100',
      from: '+14155550199',
      url: 'https://example.test/voice',
      statusCallback: 'https://example.test/s',
    },
  );
  twilio.setCallStatus(callerCall.sid, 'in-progress');
  const { call, token } = await harness.newCall({ agentId: rig.agent.id, callSid: callerCall.sid });
  const before = harness.realtime.connections.length;
  const caller = await harness.connect(media.streamUrl, token, call, {
    autoPlay: true,
    callSid: callerCall.sid,
  });
  const model = await harness.realtime.nextConfigured(before);
  await model.waitFor('response.create');
  const session = media.service.registry.get(call.id) as CallSession;
  const seen = twilio.requests.length;
  requestWarmTransfer(model, args);
  await speakLine(model, 1);
  const dial = await twilio.waitForRequest(
    (r) =>
      twilio.requests.indexOf(r) >= seen &&
      r.kind === 'create' &&
      r.params.get('To') === rig.person &&
      r.status === 201,
  );
  const consultSid = [...twilio.calls.values()].filter((c) => c.to === rig.person).at(-1)?.sid;
  if (!consultSid) throw new Error('no consult call');
  // Hold audio is ours: the caller's stream keeps playing while the person's phone rings.
  const framesBefore = mediaFrames(caller);
  await vi.waitFor(() => expect(mediaFrames(caller)).toBeGreaterThan(framesBefore + 2), { timeout: 5_000 });
  return { call, caller, model, session, callerSid: callerCall.sid, consultSid, dial };
}

/** A `<Parameter>` of the consult TwiML, unescaped. */
export const twimlParameter = (twiml: string, name: string) =>
  new RegExp(`<Parameter name="${name}" value="([^"]+)"/>`).exec(twiml)?.[1]?.replaceAll('&amp;', '&') ?? '';

/**
 * The person picks up: Twilio runs the consult TwiML, whose stream reaches the media service
 * through the load balancer, i.e. at `streamUrl` (by default the task that dialed).
 */
export async function answerConsult(
  rig: WarmTransferRig,
  twiml: string,
  consultSid: string,
  streamUrl: string = rig.media.streamUrl,
) {
  rig.twilio.setCallStatus(consultSid, 'in-progress');
  const person = await connectTwilioMedia(streamUrl, {
    customParameters: { consult: twimlParameter(twiml, 'consult'), token: twimlParameter(twiml, 'token') },
    playback: 'instant',
    callSid: consultSid,
  });
  person.start();
  return person;
}

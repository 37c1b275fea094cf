import { FRAME_MS, silence, toFrames } from '../audio/caller-audio.ts';
import { startFramePacer } from '../audio/frame-pacer.ts';
import { connectTwilioMedia } from './media-client.ts';
import { parseStreamTwiml } from './webhooks.ts';

/**
 * A phone on Twilio's side of a call that the platform answered with `<Connect><Stream>`: it
 * opens the media stream, keeps the line alive with silence frames every 20 ms (a phone line
 * never goes quiet on the wire), waits for the agent's greeting to play out, speaks the caller's
 * audio once, listens to the answer and hangs up, unless the platform hangs up first. Used by the
 * Twilio simulator (inbound) and by the Twilio REST stand-in (outbound calls it "answers").
 */

export interface PhoneCallOptions {
  /** The TwiML the platform answered the voice webhook with. */
  twiml: string;
  callSid: string;
  accountSid: string;
  /** μ-law 8 kHz: what the caller says after the greeting. */
  callerAudio: Buffer;
  /** How long to wait for the agent's answer after speaking. */
  listenMs?: number;
  /** Aborting it ends the call from Twilio's side (the platform hung up through the REST API). */
  hangUp?: AbortSignal;
  /** Called with each thing worth telling a person watching the call. */
  onEvent?: (event: PhoneEvent) => void;
}

export type PhoneEvent =
  | { type: 'connected'; callId: string; streamUrl: string }
  | { type: 'speaking'; ms: number };

export interface PhoneCallResult {
  /** The platform's call id from the stream parameters; undefined when the TwiML had no stream. */
  callId?: string;
  hungUpBy: 'caller' | 'platform' | 'no_stream';
  /** The platform's close code and reason when it hung up. */
  closeReason?: string;
  durationSeconds: number;
  agentAudioMs: number;
}

/** The agent counts as done talking after this much silence from it. */
const AGENT_QUIET_MS = 1200;
const GREETING_MAX_MS = 10_000;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runPhoneCall(options: PhoneCallOptions): Promise<PhoneCallResult> {
  const { url, parameters } = parseStreamTwiml(options.twiml);
  if (!url) return { hungUpBy: 'no_stream', durationSeconds: 0, agentAudioMs: 0 };
  const callId = parameters.callId;
  let agentBytes = 0;
  let closeReason: string | undefined;
  const stream = await connectTwilioMedia(url, {
    customParameters: parameters,
    callSid: options.callSid,
    accountSid: options.accountSid,
    playback: 'realtime',
    record: false,
    onMedia: (payload) => {
      agentBytes += Buffer.byteLength(payload, 'base64');
    },
  });
  let platformHungUp = false;
  void stream.closed.then(({ code, reason }) => {
    platformHungUp = true;
    closeReason = `${code}${reason ? ` ${reason}` : ''}`;
  });
  options.hangUp?.addEventListener('abort', () => stream.close(), { once: true });
  stream.start();
  const startedAt = performance.now();
  if (callId) options.onEvent?.({ type: 'connected', callId, streamUrl: url });

  const queue: Buffer[] = [];
  const silentFrame = silence(FRAME_MS);
  const pacer = startFramePacer(FRAME_MS, () =>
    stream.sendMedia((queue.shift() ?? silentFrame).toString('base64')),
  );

  /**
   * Resolves once the agent has spoken and the caller has heard it all (audio arrives faster than
   * it plays), then a pause; or when the platform hangs up; or after `maxMs`.
   */
  const agentFinished = async (sinceBytes: number, maxMs: number) => {
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline && !platformHungUp) {
      if (agentBytes > sinceBytes && performance.now() - stream.playingUntil > AGENT_QUIET_MS) return;
      await delay(100);
    }
  };

  await agentFinished(0, GREETING_MAX_MS);
  if (!platformHungUp) {
    options.onEvent?.({ type: 'speaking', ms: Math.round(options.callerAudio.length / 8) });
    const beforeReply = agentBytes;
    queue.push(...toFrames(options.callerAudio));
    while (queue.length > 0 && !platformHungUp) await delay(FRAME_MS);
    await agentFinished(beforeReply, options.listenMs ?? 15_000);
  }
  pacer.stop();
  const hungUpBy = platformHungUp ? 'platform' : 'caller';
  if (!platformHungUp) await stream.stop();
  return {
    callId,
    hungUpBy,
    closeReason: hungUpBy === 'platform' ? closeReason : undefined,
    durationSeconds: Math.max(1, Math.round((performance.now() - startedAt) / 1000)),
    agentAudioMs: Math.round(agentBytes / 8),
  };
}

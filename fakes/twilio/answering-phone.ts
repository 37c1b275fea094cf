import { runPhoneCall } from './phone.ts';
import type { FakeTwilioCall } from './rest-server.ts';
import { amdParams, sendTwilioWebhook, voiceParams } from './webhooks.ts';

/**
 * What Twilio does after `POST Calls.json` when the callee picks up: status callbacks
 * (`initiated`, `ringing`, `answered`, `completed`, as subscribed), the signed voice request to
 * the call's `Url`, the TwiML it answers played by a simulated phone (see phone.ts), and the
 * final status with its duration. The REST stand-in runs it for each call it creates when told
 * to answer, so outbound calls can be tried with no Twilio account.
 */
export interface AnswerOptions {
  authToken: string;
  /** What the callee says after the agent's greeting (μ-law 8 kHz). */
  callerAudio: () => Buffer;
  listenMs?: number;
  /**
   * The AMD verdict sent to a call placed with `AsyncAmd=true` once the stream is up (`human` by
   * default; the simulated phone talks like a person either way).
   */
  answeredBy?: string;
  /** Failures of the simulated phone (the platform unreachable); the call then ends as failed. */
  onError?: (error: unknown) => void;
}

export async function answerCall(
  call: FakeTwilioCall,
  options: AnswerOptions,
  hangUp: AbortSignal,
): Promise<void> {
  const fields = {
    callSid: call.sid,
    accountSid: call.account_sid,
    from: call.from,
    to: call.to,
    direction: 'outbound-api' as const,
  };
  let sequence = 0;
  /** `event` is the subscription name; busy, failed, no-answer and canceled arrive as `completed`. */
  const statusCallback = async (event: string, status: string, extra: Record<string, string> = {}) => {
    if (!call.statusCallback || !call.statusCallbackEvents.includes(event)) return;
    const url = new URL(call.statusCallback);
    const response = await sendTwilioWebhook(
      { apiUrl: url.origin, publicUrl: url.origin, authToken: options.authToken },
      `${url.pathname}${url.search}`,
      {
        ...voiceParams({ ...fields, callStatus: status }),
        CallbackSource: 'call-progress-events',
        SequenceNumber: String(sequence++),
        Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
        ...extra,
      },
    );
    await response.body?.cancel();
  };

  let durationSeconds = 0;
  try {
    await statusCallback('initiated', 'queued');
    call.status = 'ringing';
    await statusCallback('ringing', 'ringing');
    if (hangUp.aborted || !call.url) return;
    call.status = 'in-progress';
    await statusCallback('answered', 'in-progress');
    const url = new URL(call.url);
    const voice = await sendTwilioWebhook(
      { apiUrl: url.origin, publicUrl: url.origin, authToken: options.authToken },
      `${url.pathname}${url.search}`,
      voiceParams({ ...fields, callStatus: 'in-progress' }),
    );
    const twiml = await voice.text();
    const amd = call.asyncAmdStatusCallback ? new URL(call.asyncAmdStatusCallback) : undefined;
    const result = await runPhoneCall({
      onEvent: (event) => {
        if (event.type !== 'connected' || !amd) return;
        void sendTwilioWebhook(
          { apiUrl: amd.origin, publicUrl: amd.origin, authToken: options.authToken },
          `${amd.pathname}${amd.search}`,
          amdParams(call, options.answeredBy ?? 'human'),
        ).then((response) => response.body?.cancel(), options.onError);
      },
      twiml,
      callSid: call.sid,
      accountSid: call.account_sid,
      callerAudio: options.callerAudio(),
      listenMs: options.listenMs,
      hangUp,
    });
    durationSeconds = result.durationSeconds;
  } catch (error) {
    options.onError?.(error);
  } finally {
    if (call.status !== 'canceled') call.status = 'completed';
    await statusCallback('completed', call.status, { CallDuration: String(durationSeconds) }).catch(
      options.onError,
    );
  }
}

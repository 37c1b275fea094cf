import { WebSocketServer, type WebSocket } from 'ws';
import type { TwilioRestConfig } from '#shared/twilio/rest-client.ts';
import type { MediaRoutes } from '../server.ts';
import type { SessionDeps } from '../session/session-deps.ts';
import { startCallSession } from '../session/start-call-session.ts';
import { type AdmissionProgress, runAdmittedCall } from '../session/run-admitted-call.ts';
import { admitStreamConnection, type StreamRefusal } from '../session/stream-admission.ts';
import { admitResume } from '../resume/resume-admission.ts';
import { parseTwilioFrame } from './twilio-frames.ts';
import { TWILIO_CLOSE, TwilioTransport } from './twilio-transport.ts';

export const TWILIO_STREAM_PATH = '/twilio/stream';
/** Twilio sends `connected` and `start` right away; a socket without `start` is not Twilio. */
const START_TIMEOUT_MS = 10_000;
/** Malformed frames tolerated per stream before it is closed as broken. */
const MAX_INVALID_FRAMES = 50;
/** Twilio frames are small (a 20 ms media frame is ~400 bytes of JSON). */
const MAX_FRAME_BYTES = 64 * 1024;

const REFUSAL_CLOSE: Record<StreamRefusal, number> = {
  token_invalid: TWILIO_CLOSE.policy,
  token_expired: TWILIO_CLOSE.policy,
  token_replayed: TWILIO_CLOSE.policy,
  call_unavailable: TWILIO_CLOSE.policy,
  capacity: TWILIO_CLOSE.tryAgainLater,
  draining: TWILIO_CLOSE.tryAgainLater,
  unavailable: TWILIO_CLOSE.tryAgainLater,
};

/** Twilio REST settings for hang-up and transfer, when an account and token are configured. */
export function twilioRestFrom(
  deps: Pick<SessionDeps, 'env' | 'secrets'>,
): () => Promise<TwilioRestConfig | undefined> {
  return async () => {
    const authToken = await deps.secrets.get('TWILIO_AUTH_TOKEN');
    const accountSid = deps.env.TWILIO_ACCOUNT_SID;
    if (!authToken || !accountSid) return undefined;
    return { accountSid, authToken, baseUrl: deps.env.TWILIO_API_BASE_URL, timeoutMs: 5_000 };
  };
}

/**
 * `wss://…/twilio/stream`: one Twilio Media Stream per call. The `start` frame carries the
 * stream token and call id (TwiML `<Parameter>`s), or a resume token when the stream-ended
 * webhook moved a live call here; nothing touches a model before the token is verified and
 * consumed.
 */
export function registerTwilioStream(routes: MediaRoutes, deps: SessionDeps): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const rest = twilioRestFrom(deps);
  routes.upgrade.set(TWILIO_STREAM_PATH, (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => handleStream(ws, deps, rest));
  });
  return {
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

function handleStream(
  ws: WebSocket,
  deps: SessionDeps,
  rest: () => Promise<TwilioRestConfig | undefined>,
): void {
  let logger = deps.logger.child({ transport: 'twilio' });
  let transport: TwilioTransport | undefined;
  let invalidFrames = 0;
  let closed = false;
  const startTimer = setTimeout(() => ws.close(TWILIO_CLOSE.policy, 'no_start'), START_TIMEOUT_MS);

  ws.on('error', (error) => logger.warn('twilio stream socket error', { err: error }));
  ws.on('close', (code) => {
    closed = true;
    clearTimeout(startTimer);
    transport?.socketClosed(code);
  });
  ws.on('message', (data, isBinary) => {
    const frame = isBinary
      ? ({ event: 'invalid', problem: 'binary frame' } as const)
      : parseTwilioFrame(data.toString());
    switch (frame.event) {
      case 'media':
        if (frame.track !== 'outbound') transport?.callerAudio(frame.payload);
        return;
      case 'mark':
        transport?.mark(frame.name);
        return;
      case 'dtmf':
        transport?.dtmf(frame.digit);
        return;
      case 'stop':
        transport?.stopped();
        return;
      case 'connected':
      case 'ignored':
        return;
      case 'invalid':
        invalidFrames++;
        logger.warn('malformed twilio frame', { problem: frame.problem, count: invalidFrames });
        if (invalidFrames > MAX_INVALID_FRAMES) ws.close(TWILIO_CLOSE.policy, 'protocol_error');
        return;
      case 'start': {
        if (transport) return; // Twilio sends one start; a second one changes nothing
        clearTimeout(startTimer);
        const start = frame.start;
        const callId = start.customParameters.callId;
        logger = logger.child({ callId, streamSid: start.streamSid });
        const current = new TwilioTransport({ socket: ws, start, logger, rest });
        transport = current;
        void runAdmittedCall({
          transport: 'twilio',
          logger,
          admitAndStart: (progress) => admitAndStart(current, start.customParameters, progress),
          // Twilio then plays the TwiML that follows <Connect> (the "try again later" line).
          closeCaller: () => {
            if (ws.readyState === ws.OPEN) ws.close(TWILIO_CLOSE.tryAgainLater, 'unavailable');
          },
        });
        return;
      }
    }
  });

  async function admitAndStart(
    current: TwilioTransport,
    params: Record<string, string>,
    progress: AdmissionProgress,
  ): Promise<void> {
    const admission =
      params.resume !== undefined
        ? await admitResume(deps, {
            kind: 'token',
            token: params.resume,
            provider: 'twilio',
            callId: params.callId,
          })
        : await admitStreamConnection(deps, {
            token: params.token,
            provider: 'twilio',
            callId: params.callId,
          });
    if (!admission.ok) {
      logger.warn('twilio stream refused', { reason: admission.reason });
      if (ws.readyState === ws.OPEN) ws.close(REFUSAL_CLOSE[admission.reason], admission.reason);
      return;
    }
    progress.hold(admission.slot);
    if (closed) {
      admission.slot.release();
      logger.info('caller left before the call started');
      return;
    }
    await current.prepare();
    await startCallSession({
      call: admission.call,
      agent: admission.agent,
      transport: current,
      slot: admission.slot,
      deps,
      resume: 'resume' in admission ? admission.resume : undefined,
    });
  }
}

import { WebSocketServer, type WebSocket } from 'ws';
import type { TwilioRestConfig } from '#shared/twilio/rest-client.ts';
import { twilioRestCredentials } from '#shared/twilio/rest-credentials.ts';
import type { MediaRoutes } from '../server.ts';
import type { SessionDeps } from '../session/session-deps.ts';
import { startCallSession } from '../session/start-call-session.ts';
import { type AdmissionProgress, runAdmittedCall } from '../session/run-admitted-call.ts';
import { admitStreamConnection, type StreamRefusal } from '../session/stream-admission.ts';
import { verifyStreamToken } from '#shared/calls/stream-token.ts';
import { mediaStreamUrl } from '#shared/twilio/twiml.ts';
import { ConsultDesk, type ConsultStreamHandler } from './consult-desk.ts';
import { parseTwilioFrame, type TwilioStart } from './twilio-frames.ts';
import { admitResume } from '../resume/resume-admission.ts';
import { TWILIO_CLOSE, TwilioTransport } from './twilio-transport.ts';
import { type HeldFrames, holdFrames, relayConsultStream, STREAM_RELAY_PATH } from '../fleet/stream-relay.ts';
import { acceptRelayedStreams, type RelayedStream } from '../fleet/stream-relay-route.ts';

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
  return () => twilioRestCredentials(deps.env, deps.secrets, { timeoutMs: 5_000 });
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
  const warm: WarmOptions = {
    desk: new ConsultDesk(),
    streamUrl: mediaStreamUrl(deps.env.PUBLIC_MEDIA_URL, TWILIO_STREAM_PATH),
    signingKey: () => deps.secrets.require('INTERNAL_SIGNING_KEY'),
  };
  routes.upgrade.set(TWILIO_STREAM_PATH, (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => handleStream(ws, deps, rest, warm));
  });
  // A consult stream that Twilio's connection brought to another task, relayed here by it.
  routes.upgrade.set(
    STREAM_RELAY_PATH,
    acceptRelayedStreams(deps, (req, socket, head, relay) => {
      wss.handleUpgrade(req, socket, head, (ws) => handleStream(ws, deps, rest, warm, relay));
    }),
  );
  return {
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

type WarmOptions = NonNullable<ConstructorParameters<typeof TwilioTransport>[0]['warm']>;

function handleStream(
  ws: WebSocket,
  deps: SessionDeps,
  rest: () => Promise<TwilioRestConfig | undefined>,
  warm: WarmOptions,
  /** Set when another task relayed this stream here: a consult stream only, never relayed again. */
  relayed?: RelayedStream,
): void {
  let logger = deps.logger.child({ transport: 'twilio' });
  let transport: TwilioTransport | undefined;
  /** Set when this stream is a warm transfer's consult leg (the person), not a caller. */
  let consult: ConsultStreamHandler | undefined;
  let consultStarted = false;
  let invalidFrames = 0;
  /** Twilio's `connected` frame as received: replayed first if the stream is relayed. */
  let connectedFrame: string | undefined;
  let closed = false;
  const startTimer = setTimeout(() => ws.close(TWILIO_CLOSE.policy, 'no_start'), START_TIMEOUT_MS);

  ws.on('error', (error) => logger.warn('twilio stream socket error', { err: error }));
  ws.on('close', (code) => {
    closed = true;
    clearTimeout(startTimer);
    transport?.socketClosed(code);
    consult?.closed();
  });
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? undefined : data.toString();
    const frame =
      text === undefined ? ({ event: 'invalid', problem: 'binary frame' } as const) : parseTwilioFrame(text);
    if (consultStarted) return consultFrame(frame);
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
        connectedFrame ??= text;
        return;
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
        if (start.customParameters.consult) {
          consultStarted = true;
          // Kept from now on, in case the stream belongs to another task and is relayed there.
          const held = relayed
            ? undefined
            : holdFrames(
                ws,
                [connectedFrame, text].filter((f) => f !== undefined),
              );
          void claimConsult(start, held);
          return;
        }
        if (relayed) {
          ws.close(TWILIO_CLOSE.policy, 'consult_only');
          return;
        }
        const callId = start.customParameters.callId;
        logger = logger.child({ callId, streamSid: start.streamSid });
        const current = new TwilioTransport({ socket: ws, start, logger, rest, warm });
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

  /** A consult leg's stream: only the task that dialed it (and holds its token id) takes it. */
  async function claimConsult(start: TwilioStart, held: HeldFrames | undefined): Promise<void> {
    const { consult: callId, token } = start.customParameters;
    let jti: string | undefined;
    try {
      const claims = verifyStreamToken(token ?? '', await warm.signingKey());
      if (claims.callId === callId && (!relayed || relayed.callId === callId)) jti = claims.jti;
    } catch (error) {
      logger.warn('consult stream token refused', { err: error });
    }
    const handler = jti ? warm.desk.claim(jti) : undefined;
    if (!handler && jti && callId && held && !closed) {
      // A genuine consult token this task did not issue: the task running the call did.
      const outcome = await relayConsultStream({
        twilio: ws,
        callId,
        held,
        deps: { db: deps.db, secrets: deps.secrets, taskId: deps.taskId, logger },
      });
      if (outcome === 'relaying') return;
      held.drop();
      if (outcome === 'gone') return;
    }
    held?.drop();
    if (!handler || closed) {
      if (!handler)
        logger.warn('consult stream for no transfer of this task', { callId, relayed: !!relayed });
      ws.close(TWILIO_CLOSE.policy, 'consult_unknown');
      return;
    }
    consult = handler;
    handler.attached(ws, start);
  }

  function consultFrame(frame: ReturnType<typeof parseTwilioFrame>): void {
    if (frame.event === 'dtmf') consult?.dtmf(frame.digit);
    else if (frame.event === 'mark') consult?.mark(frame.name);
    else if (frame.event === 'stop') consult?.closed();
  }

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
    await current.prepare(admission.call);
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

import type WebSocket from 'ws';
import { newStreamTokenId, signStreamToken } from '#shared/calls/stream-token.ts';
import type { Logger } from '#shared/logging/logger.ts';
import {
  createTwilioCallWithTwiml,
  fetchTwilioCall,
  type TwilioRestConfig,
  updateTwilioCall,
} from '#shared/twilio/rest-client.ts';
import { conferenceTwiml, connectStreamTwiml } from '#shared/twilio/twiml.ts';
import type {
  ConsultEnd,
  ConsultEvents,
  ConsultLeg,
  ConsultRequest,
  WarmTransferLine,
} from '../session/transfer/warm-transfer-line.ts';
import type { ConsultDesk } from './consult-desk.ts';
import type { TwilioStart } from './twilio-frames.ts';

/** How often the consult call's status is read while it rings. */
const POLL_MS = 1_000;
/** Answered, but its stream never reached this task (not even relayed by another one): give up after this. */
const STREAM_WAIT_MS = 10_000;
/** The stream token in the consult TwiML is good for the ring time plus this. */
const TOKEN_SLACK_SECONDS = 60;

/** Twilio call statuses that end a consult leg before its stream arrived. */
const ENDED: Record<string, ConsultEnd> = {
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'hung_up',
  completed: 'hung_up',
};

export interface TwilioWarmLineOptions {
  call: { id: string; tenantId: string; agentId: string };
  callSid: string;
  rest: TwilioRestConfig;
  signingKey: () => Promise<string>;
  /** `wss://…/twilio/stream` of this media service (PUBLIC_MEDIA_URL). */
  streamUrl: string;
  desk: ConsultDesk;
  logger: Logger;
  /** The caller is held (hold audio, caller audio and keys muted) or back with the agent. */
  callerHeld(held: boolean): void;
  /** The person's stream: agent audio goes there while set. */
  consultStream(stream: { socket: WebSocket; streamSid: string } | undefined): void;
  /** Agent audio marks echoed on the consult stream. */
  consultMark(name: string): void;
  /** True before both calls move to the conference (the caller's stream then ends as transferred). */
  handingOver(active: boolean): void;
  pollMs?: number;
}

/**
 * Warm transfer on Twilio. The caller's Media Stream stays with us while they hold, so hold audio
 * is ours and the agent is back the moment a consult fails. The person is called with
 * `POST Calls.json` whose TwiML is a `<Connect><Stream>` back to this service (a single-use
 * stream token, claimed through the `ConsultDesk`); the agent briefs them on that stream and
 * their key press arrives as a `dtmf` frame. To connect, both calls are updated with the same
 * `<Dial><Conference>` TwiML and leave our streams. While it rings, the consult call's status is
 * read with `GET Calls/{sid}.json` (busy, no-answer, failed): a status callback could reach any
 * media task, this poll always reaches the one holding the caller.
 */
export class TwilioWarmLine implements WarmTransferLine {
  readonly #o: TwilioWarmLineOptions;
  #timers = new Set<NodeJS.Timeout>();

  constructor(options: TwilioWarmLineOptions) {
    this.#o = options;
  }

  async hold(): Promise<void> {
    this.#o.callerHeld(true);
  }

  async resume(): Promise<void> {
    this.#o.consultStream(undefined);
    this.#o.callerHeld(false);
  }

  async dial(request: ConsultRequest, events: ConsultEvents): Promise<ConsultLeg> {
    const o = this.#o;
    const jti = newStreamTokenId();
    const token = signStreamToken(
      {
        callId: o.call.id,
        tenantId: o.call.tenantId,
        agentId: o.call.agentId,
        provider: 'twilio',
        exp: Math.floor(Date.now() / 1000) + request.ringSeconds + TOKEN_SLACK_SECONDS,
        jti,
      },
      await o.signingKey(),
    );
    const twiml = connectStreamTwiml({
      url: o.streamUrl,
      parameters: { consult: o.call.id, token },
      name: `consult-${o.call.id}`,
    }).replace('</Response>', '<Hangup/></Response>');
    let sid: string | undefined;
    let attached = false;
    let consultSocket: WebSocket | undefined;
    let finished = false;
    let handedOver = false;
    let inProgressSince: number | undefined;
    const end = (why: ConsultEnd) => {
      if (finished) return;
      finished = true;
      o.desk.forget(jti);
      this.#stopTimers();
      events.ended(why);
    };
    o.desk.expect(jti, {
      attached: (socket: WebSocket, start: TwilioStart) => {
        if (finished) {
          socket.close(1000, 'consult_over');
          return;
        }
        attached = true;
        consultSocket = socket;
        this.#stopTimers();
        o.consultStream({ socket, streamSid: start.streamSid });
        events.answered();
      },
      dtmf: (digit) => events.digit(digit),
      mark: (name) => o.consultMark(name),
      closed: () => {
        if (!handedOver) o.consultStream(undefined);
        if (!handedOver) end('hung_up');
      },
    });
    try {
      ({ sid } = await createTwilioCallWithTwiml(o.rest, {
        to: request.to,
        from: request.from,
        twiml,
        timeoutSeconds: request.ringSeconds,
      }));
    } catch (error) {
      finished = true;
      o.desk.forget(jti);
      throw error;
    }
    const consultSid = sid;
    const poll = () => {
      if (finished || attached) return;
      void fetchTwilioCall(o.rest, consultSid).then(
        (call) => {
          if (finished || attached) return;
          const ended = ENDED[call.status];
          if (ended) return end(ended);
          if (call.status === 'in-progress') {
            inProgressSince ??= Date.now();
            if (Date.now() - inProgressSince > STREAM_WAIT_MS) {
              o.logger.warn('consult stream never reached this task', { callId: o.call.id });
              void hangUp();
              return end('failed');
            }
          }
          this.#after(o.pollMs ?? POLL_MS, poll);
        },
        (err: unknown) => {
          o.logger.warn('consult call status not read', { callId: o.call.id, err });
          this.#after(o.pollMs ?? POLL_MS, poll);
        },
      );
    };
    this.#after(o.pollMs ?? POLL_MS, poll);
    const hangUp = async () => {
      await updateTwilioCall(o.rest, consultSid, { status: attached ? 'completed' : 'canceled' }).catch(
        (err: unknown) => o.logger.warn('consult call not hung up', { callId: o.call.id, err }),
      );
    };
    return {
      connect: async () => {
        const room = conferenceTwiml(`ai-caller-${o.call.id}`);
        o.handingOver(true);
        handedOver = true;
        try {
          await updateTwilioCall(o.rest, consultSid, { twiml: room });
          await updateTwilioCall(o.rest, o.callSid, { twiml: room });
        } catch (error) {
          handedOver = false;
          o.handingOver(false);
          throw error;
        }
        finished = true;
        o.desk.forget(jti);
      },
      hangUp: async () => {
        if (handedOver) return;
        const wasFinished = finished;
        finished = true;
        o.desk.forget(jti);
        this.#stopTimers();
        o.consultStream(undefined);
        if (!wasFinished || attached) await hangUp();
        // Twilio ends the stream with the call; closing it here too means no agent audio can follow.
        if (consultSocket && consultSocket.readyState === consultSocket.OPEN) {
          consultSocket.close(1000, 'consult_over');
        }
      },
    };
  }

  /** Stops polling (the call closed). */
  dispose(): void {
    this.#stopTimers();
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    this.#timers.add(timer);
  }

  #stopTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call, EndReason, RealtimeUsage } from '#shared/calls/call-types.ts';
import { addCallUsage } from '#shared/data/calls.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { MachineVerdict } from '#shared/voicemail/answered-by.ts';
import type { KnownServerEvent, RealtimeUsagePayload } from '../realtime/realtime-events.ts';
import type { AudioTap } from './audio-taps.ts';
import { markCallStarted } from './call-lifecycle.ts';
import { greetAndGuard, logModelError, screenOutcome } from './call-opening.ts';
import { type CallState, type CallStateEvent, isClosing, isEnding, nextCallState } from './call-state.ts';
import type { CallTransport, TransportEvents } from './call-transport.ts';
import { type CloseOptions, legClosedOutcome, runCloseSequence } from './close-sequence.ts';
import type { Guardrails } from './guardrails.ts';
import type { MachineScreen, ScreenDecision } from './machine-screen.ts';
import { DEFAULT_RECONNECT_POLICY } from './reconnect-policy.ts';
import { keypadMessage, RESUME_AFTER_GAP_INSTRUCTIONS } from './session-config.ts';
import type { SessionDeps, StartCallSessionInput } from './session-deps.ts';
import { beginEnding, type CallEnding, endAtProvider } from './session-ending.ts';
import type { LiveSession } from './session-registry.ts';
import { recordTranscriptEvent } from './transcript-events.ts';
import { type SessionParts, type SessionReactions, wireSession } from './session-wiring.ts';
import { usageFromResponse, usageFromTranscription } from './usage.ts';
import type { ResumeState } from '../resume/resume-admission.ts';
import { claimFirstStart } from '../resume/session-continuity.ts';

/**
 * One phone call: bridges the transport's caller leg and the model, owns every socket, timer and
 * buffer of the call, and stores the transcript, usage and telemetry as the call goes. Control
 * flow keys off `state` (`call-state.ts`); the parts it coordinates are built by `wireSession`.
 * One idempotent `close()` releases everything; `end()` first says goodbye and hangs up.
 */
export class CallSession implements LiveSession {
  readonly callId: string;
  readonly closed: Promise<void>;
  private state: CallState = 'connecting';
  private readonly call: Call;
  private readonly agent: Agent;
  private readonly transport: CallTransport;
  private readonly deps: SessionDeps;
  private readonly startedAt = new Date();
  /** When the caller was first connected: on a resumed call, on the task that first ran it. */
  private readonly answeredAt: Date;
  private readonly resume: ResumeState | undefined;
  private readonly parts: SessionParts;
  private readonly logger: Logger;
  private guardrails: Guardrails | undefined;
  /** The polite ending under way (state `ending`): its plan and the closing line's progress. */
  private ending: CallEnding | undefined;
  /** The model came up once: before that, a model failure means the agent never came on the line. */
  private agentOnLine = false;
  /** Between speech_started and speech_stopped: a long monologue is not silence. */
  private callerSpeaking = false;
  /** Outbound calls with answering-machine detection: holds the greeting until a verdict. */
  private readonly screen: MachineScreen | undefined;
  private resolveClosed!: () => void;

  constructor(input: StartCallSessionInput) {
    const { call, agent, transport, deps } = input;
    this.callId = call.id;
    this.call = call;
    this.agent = agent;
    this.transport = transport;
    this.deps = deps;
    this.resume = input.resume;
    this.answeredAt = input.resume ? new Date(input.resume.owner.answeredAt) : this.startedAt;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.parts = wireSession(input, this.reactions(), this.startedAt.getTime());
    this.logger = this.parts.logger;
    this.screen = this.parts.screen;
    if (input.machineVerdict) this.screen?.verdict(input.machineVerdict);
    input.slot.bind(this);
  }

  get currentState(): CallState {
    return this.state;
  }

  /** Timers started and not yet fired or cancelled (none once the call closed). */
  get pendingTimers(): number {
    return this.parts.timers.pending;
  }

  /**
   * Listens to this call's audio in both directions (see `AudioTap`) until the call closes or the
   * returned function is called.
   */
  tapAudio(tap: AudioTap): () => void {
    return this.parts.taps.subscribe(tap);
  }

  /**
   * Attaches the transport, marks the call started (a resumed call already was) and connects the
   * model, then greets (a resumed call: the restored conversation, then the resume line).
   */
  async start(): Promise<void> {
    this.transport.attach(this.transportEvents());
    const [started, model] = await Promise.allSettled([
      this.resume ? Promise.resolve(true) : this.markStarted(),
      this.parts.link.start(),
    ]);
    const setUp = started.status === 'fulfilled' && started.value && model.status === 'fulfilled';
    this.parts.telemetry.callSetUp(this.startedAt.getTime(), setUp);
    if (isClosing(this.state)) return;
    if (started.status === 'rejected' || !started.value) {
      if (started.status === 'rejected')
        this.logger.error('call could not be marked started', { err: started.reason });
      await this.close(started.status === 'fulfilled' ? 'caller_hangup' : 'media_error', {
        storeEnd: started.status === 'rejected',
      });
      return;
    }
    if (model.status === 'rejected') {
      await this.fail('model_error', (model.reason as { reason?: string }).reason ?? 'connect_failed');
      return;
    }
    this.agentOnLine = true;
    // A resumed call was screened on the task that answered it.
    if (this.screen && !this.resume) {
      this.move('screen_started');
      this.screen.start();
      return;
    }
    this.move('model_ready');
    this.greet();
  }

  /** Answering-machine detection's verdict (Twilio's callback through the command queue). */
  machineVerdict(verdict: MachineVerdict): void {
    this.screen?.verdict(verdict);
  }

  private onScreenDecision(decision: ScreenDecision): void {
    const outcome = screenOutcome(this.logger, decision);
    if (outcome !== 'greet') void this.end(outcome);
    else if (this.state === 'screening') {
      this.move('human_answered');
      this.greet();
    }
  }

  /** The agent's first words, then the guardrails' clocks start. */
  private greet(): void {
    this.guardrails = greetAndGuard({
      call: this.call,
      agent: this.agent,
      parts: this.parts,
      logger: this.logger,
      resume: this.resume,
      end: (reason) => void this.end(reason),
      busy: () => this.callerSpeaking || this.parts.playback.isPlaying() || this.parts.tools.running,
    });
  }

  /** First start: the call becomes in progress, and this task its owner. */
  private async markStarted(): Promise<boolean> {
    const started = await markCallStarted(this.deps, this.call, this.transport.media, this.startedAt);
    if (started) await claimFirstStart(this.parts, this.call, this.agent, this.startedAt);
    return started;
  }

  /**
   * Lets the caller leg go to another media task (drain): true when the transport's provider
   * reconnects it there (Twilio's `<Connect action>`, the browser page), false when the call must
   * be ended instead.
   */
  async handOver(): Promise<boolean> {
    if (!this.transport.resumable || !this.parts.ownership.current || isEnding(this.state)) return false;
    await this.close('handover', { release: 'handover' });
    return true;
  }

  private move(event: CallStateEvent): void {
    this.state = nextCallState(this.state, event);
  }

  private reactions(): SessionReactions {
    return {
      event: (event) => this.onModelEvent(event),
      malformed: (problem, type) => this.logger.warn('malformed model event', { problem, type }),
      interrupted: () => this.onModelInterrupted(),
      restored: (gapMs) => this.onModelRestored(gapMs),
      lost: (reason) => void this.fail('model_error', reason),
      digits: (digits) => this.onDigits(digits),
      isQuiet: () =>
        this.state === 'listening' && !this.parts.responses.active && !this.parts.playback.isPlaying(),
      requestResponse: (response) => this.requestResponse(response),
      endCall: (reason) => void this.end(reason),
      activity: () => this.guardrails?.activity(),
      screenDecided: (decision) => this.onScreenDecision(decision),
      handedOver: () => this.close('transferred'),
      ownershipLost: () => void this.close('taken_over', { release: 'lost' }),
    };
  }

  private transportEvents(): TransportEvents {
    const { link, taps, playback, agentTurns, dtmf } = this.parts;
    return {
      callerAudio: (audio) => {
        // A machine's greeting (or a person's "hello?") while detection runs must not prompt a reply.
        if (!this.screen?.holding) link.sendAudio(audio);
        if (taps.active) taps.callerAudio(audio);
      },
      dtmf: (digit) => {
        this.guardrails?.activity();
        dtmf.press(digit);
      },
      played: (itemId, playedMs) => {
        playback.notePlayed(itemId, playedMs);
        agentTurns.onPlayed(itemId, playedMs);
        if (taps.active) taps.agentPlayed(itemId, playedMs);
        link.quiet();
      },
      closed: (reason, detail) => {
        this.logger.info('caller leg closed', { reason, detail });
        const outcome = legClosedOutcome(
          reason,
          this.ending?.plan.reason,
          Boolean(this.parts.ownership.current),
        );
        void this.close(outcome.reason, outcome.release ? { release: outcome.release } : {});
      },
    };
  }

  private onModelEvent(event: KnownServerEvent): void {
    if (this.state === 'ended') return;
    const onCallerTranscript = (usage: Parameters<typeof usageFromTranscription>[0]) => {
      this.guardrails?.activity();
      this.usage(usageFromTranscription(usage));
    };
    if (recordTranscriptEvent(event, this.parts, this.transport, onCallerTranscript)) return;
    const { recorder } = this.parts;
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.callerSpeaking = true;
        this.guardrails?.activity();
        if (!isEnding(this.state)) {
          this.move('caller_speech');
          const cut = this.parts.audio.bargeIn();
          if (cut) this.logger.debug('barge-in', cut);
        }
        break;
      case 'input_audio_buffer.speech_stopped':
        this.callerSpeaking = false;
        this.guardrails?.activity();
        this.parts.telemetry.speechStopped();
        if (event.item_id) recorder.reserve(event.item_id);
        break;
      case 'response.created':
        this.parts.responses.created(event.response.id);
        this.parts.spoken.responseCreated(event.response.id);
        this.ending?.responseCreated(event.response.id);
        break;
      case 'response.output_audio.delta':
        if (this.parts.audio.delta(event.response_id, event.item_id, event.delta)) {
          this.guardrails?.activity();
          this.move('agent_audio');
        }
        break;
      case 'response.function_call_arguments.done':
        this.parts.tools.collect({ callId: event.call_id, name: event.name, arguments: event.arguments });
        this.move('tool_requested');
        break;
      case 'response.done':
        this.onResponseDone(event.response.id, event.response);
        break;
      case 'error':
        logModelError(this.logger, event.error);
        break;
      default:
        break;
    }
  }

  private onResponseDone(responseId: string, response: { status?: string; usage?: unknown }): void {
    const { agentTurns, responses, tools, link } = this.parts;
    this.usage(usageFromResponse(response.usage as RealtimeUsagePayload | undefined));
    agentTurns.onResponseDone(responseId);
    responses.done(responseId);
    this.parts.spoken.responseDone(responseId);
    if (isEnding(this.state)) {
      this.ending?.responseDone(responseId);
      return;
    }
    if (tools.hasPending) {
      void tools.runPending();
    } else if (!tools.running) {
      this.move('response_done');
    }
    link.quiet();
  }

  /** `response.create`, deferred while another response is active (only one may run). */
  private requestResponse(response?: Record<string, unknown>): void {
    if (isEnding(this.state)) return; // only the closing line is spoken now
    this.parts.responses.request(response);
    if (this.state === 'tool_call') this.move('tool_finished');
  }

  private onModelInterrupted(): void {
    this.callerSpeaking = false;
    this.parts.responses.reset();
    this.parts.tools.discard();
    this.parts.agentTurns.finishAll({ unplayedIsHeard: true });
    if (this.state === 'tool_call' || this.state === 'responding') this.move('response_done');
  }

  private onModelRestored(gapMs: number): void {
    this.parts.telemetry.modelReconnected();
    this.logger.info('model session restored', { gapMs });
    if (isEnding(this.state)) {
      void this.ending?.finish();
      return;
    }
    const policy = this.deps.reconnectPolicy ?? DEFAULT_RECONNECT_POLICY;
    if (gapMs >= policy.noticeableGapMs) {
      this.requestResponse({ instructions: RESUME_AFTER_GAP_INSTRUCTIONS });
    }
  }

  private onDigits(digits: string): void {
    const { text, event } = keypadMessage(digits);
    this.parts.link.send(event);
    this.parts.recorder.record(`dtmf:${Date.now()}`, {
      role: 'caller',
      text,
      startedAt: new Date().toISOString(),
    });
    this.requestResponse();
  }

  private usage(delta: Partial<RealtimeUsage>): void {
    if (Object.keys(delta).length === 0) return;
    this.parts.persist.run('usage', () =>
      addCallUsage(this.deps.db, this.call.tenantId, this.call.id, delta),
    );
  }

  /**
   * Ends the call politely: the agent says a line fitting `reason` (goodbye, time limit, transfer),
   * the line plays out, then the provider hangs up or transfers, then everything closes.
   */
  async end(reason: EndReason): Promise<void> {
    if (isEnding(this.state)) return this.closed;
    this.move('end_requested');
    this.guardrails?.stop();
    this.ending = beginEnding(reason, {
      agent: this.agent,
      parts: this.parts,
      transport: this.transport,
      logger: this.logger,
      goodbyeTimeoutMs: this.deps.goodbyeTimeoutMs ?? 8_000,
      isClosing: () => isClosing(this.state),
      close: (endReason) => this.close(endReason),
    });
    return this.closed;
  }

  /** A failure that leaves nothing to say: hang up and close with `reason`. */
  private async fail(reason: EndReason, detail: string): Promise<void> {
    if (isClosing(this.state)) return;
    this.logger.error('call ended by a failure', { reason, detail });
    await endAtProvider({ transport: this.transport, logger: this.logger }, { reason });
    await this.close(reason);
  }

  /**
   * Releases everything once (every timer, the model socket, the caller leg, the taps); the
   * returned promise resolves when all call data is stored. `storeEnd: false` when the call
   * record was already ended elsewhere (the caller hung up before the session started).
   * `release` says how the call's ownership is left (`ended` unless told otherwise): a call that
   * continues elsewhere is not ended here, and a call this task lost stores nothing more.
   */
  async close(reason: EndReason, options: CloseOptions = {}): Promise<void> {
    if (isClosing(this.state)) return this.closed;
    this.move('close_requested');
    await runCloseSequence(
      {
        call: this.call,
        deps: this.deps,
        parts: this.parts,
        transport: this.transport,
        logger: this.logger,
        answeredAt: this.answeredAt,
        startedAt: this.startedAt,
        guardrails: this.guardrails,
        agentOnLine: this.agentOnLine,
        markClosed: () => this.move('closed'),
      },
      reason,
      options,
    );
    this.resolveClosed();
  }
}

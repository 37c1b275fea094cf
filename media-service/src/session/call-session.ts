import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call, EndReason, RealtimeUsage } from '#shared/calls/call-types.ts';
import { addCallUsage } from '#shared/data/calls.ts';
import { putTranscriptTurn } from '#shared/data/transcripts.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { signingSecrets } from '#shared/webhooks/secret-store.ts';
import type { KnownServerEvent, RealtimeUsagePayload } from '../realtime/realtime-events.ts';
import { builtinToolsFor } from '../knowledge/builtin-tools.ts';
import { AgentAudio } from './agent-audio.ts';
import { AgentTurns } from './agent-turns.ts';
import { markCallEnded, markCallStarted } from './call-lifecycle.ts';
import { type CallState, type CallStateEvent, nextCallState } from './call-state.ts';
import { bytesPerMs, type CallTransport, type TransportEvents } from './call-transport.ts';
import { DtmfCollector } from './dtmf-collector.ts';
import { Guardrails } from './guardrails.ts';
import { LatencyTelemetry } from './latency-telemetry.ts';
import { ModelLink } from './model-link.ts';
import { PersistQueue } from './persist-queue.ts';
import { PlaybackTracker } from './playback-tracker.ts';
import { DEFAULT_RECONNECT_POLICY } from './reconnect-policy.ts';
import { ResponseSequencer } from './response-sequencer.ts';
import {
  buildSessionUpdate,
  greetingResponse,
  keypadMessage,
  RESUME_AFTER_GAP_INSTRUCTIONS,
  replayItems,
} from './session-config.ts';
import type { SessionDeps, StartCallSessionInput } from './session-deps.ts';
import { CallEnding, endAtProvider, endPlanFor } from './session-ending.ts';
import type { LiveSession } from './session-registry.ts';
import { ToolCatalog } from './tool-catalog.ts';
import { ToolRunner } from './tool-runner.ts';
import { TurnRecorder } from './turn-recorder.ts';
import { usageFromResponse, usageFromTranscription } from './usage.ts';

/** Errors the realtime API sends in normal operation of this sequencing; not worth a warning. */
const BENIGN_ERRORS = new Set(['response_cancel_not_active', 'conversation_already_has_active_response']);
/** Caller audio held while the model is not ready: 10 s. */
const PENDING_AUDIO_MS = 10_000;
/** Digits typed within this gap are sent to the model together ("1234", not four turns). */
const DTMF_GAP_MS = 700;

/**
 * One phone call: bridges the transport's caller leg and the model, owns every socket, timer and
 * buffer of the call, and stores the transcript, usage and telemetry as the call goes. One
 * idempotent `close()` releases everything; `end()` first says goodbye and hangs up.
 */
export class CallSession implements LiveSession {
  readonly callId: string;
  readonly closed: Promise<void>;
  private state: CallState = 'connecting';
  private readonly call: Call;
  private readonly agent: Agent;
  private readonly transport: CallTransport;
  private readonly deps: SessionDeps;
  private readonly logger: Logger;
  private readonly startedAt = new Date();
  private readonly persist: PersistQueue;
  private readonly recorder: TurnRecorder;
  private readonly agentTurns: AgentTurns;
  private readonly playback: PlaybackTracker;
  private readonly audio: AgentAudio;
  private readonly telemetry = new LatencyTelemetry();
  private readonly link: ModelLink;
  private readonly tools: ToolRunner;
  private guardrails: Guardrails | undefined;
  private readonly responses: ResponseSequencer;
  private ending: CallEnding | undefined;
  private readonly dtmf: DtmfCollector;
  private callTerminalElsewhere = false;
  /** The model came up once: before that, a model failure means the agent never came on the line. */
  private agentOnLine = false;
  /** Between speech_started and speech_stopped: a long monologue is not silence. */
  private callerSpeaking = false;
  private resolveClosed!: () => void;
  private closing = false;

  constructor(input: StartCallSessionInput) {
    const { call, agent, transport, deps } = input;
    this.callId = call.id;
    this.call = call;
    this.agent = agent;
    this.transport = transport;
    this.deps = deps;
    this.logger = deps.logger.child({
      callId: call.id,
      tenantId: call.tenantId,
      provider: transport.provider,
    });
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.persist = new PersistQueue(this.logger);
    this.responses = new ResponseSequencer((event) => this.link.send(event));
    this.dtmf = new DtmfCollector(DTMF_GAP_MS, (digits) => this.onDigits(digits));
    this.recorder = new TurnRecorder({
      callId: call.id,
      persist: this.persist,
      write: (turn) => putTranscriptTurn(deps.db, turn),
      onTurn: transport.showTurn ? (turn) => transport.showTurn?.(turn) : undefined,
    });
    const bpm = bytesPerMs(transport.audioFormat);
    this.playback = new PlaybackTracker(bpm);
    this.agentTurns = new AgentTurns(this.recorder, bpm);
    this.audio = new AgentAudio({
      transport,
      playback: this.playback,
      agentTurns: this.agentTurns,
      telemetry: this.telemetry,
      callStartedAtMs: this.startedAt.getTime(),
      send: (event) => this.link.send(event),
      cancelResponse: () => this.responses.cancel(),
    });
    const catalog = new ToolCatalog(
      agent,
      typeof transport.transfer === 'function',
      builtinToolsFor(agent, call.tenantId, deps.knowledge, this.logger),
    );
    this.link = new ModelLink({
      connector: deps.models,
      model: agent.model,
      logger: this.logger,
      policy: deps.reconnectPolicy ?? DEFAULT_RECONNECT_POLICY,
      maxPendingBytes: PENDING_AUDIO_MS * bpm,
      maxSessionAgeMs: deps.env.MEDIA_MODEL_SESSION_MAX_SECONDS * 1000,
      isQuiet: () => this.state === 'listening' && !this.responses.active && !this.playback.isPlaying(),
      configure: () => [
        buildSessionUpdate({
          agent,
          format: transport.audioFormat,
          transcriptionModel: deps.env.OPENAI_TRANSCRIPTION_MODEL,
          tools: catalog.definitions(),
        }),
        ...replayItems(this.recorder.history()),
      ],
      handlers: {
        event: (event) => this.onModelEvent(event),
        malformed: (problem, type) => this.logger.warn('malformed model event', { problem, type }),
        interrupted: () => this.onModelInterrupted(),
        restored: (gapMs) => this.onModelRestored(gapMs),
        lost: (reason) => void this.fail('model_error', reason),
      },
    });
    this.tools = new ToolRunner({
      catalog,
      context: { tenantId: call.tenantId, callId: call.id, agentId: agent.id },
      logger: this.logger,
      fetch: deps.fetch,
      fillerAfterMs: deps.toolFillerAfterMs ?? 1_500,
      signingSecrets: async () =>
        signingSecrets(deps.db, call.tenantId, await deps.secrets.require('INTERNAL_SIGNING_KEY')),
      send: (event) => this.link.send(event),
      requestResponse: (response) => this.requestResponse(response),
      recordTool: (callId, text, startedAt) =>
        this.recorder.record(callId, { role: 'tool', text, startedAt, endedAt: new Date().toISOString() }),
      endCall: () => void this.end('agent_hangup'),
      transfer: () => void this.end('transferred'),
      activity: () => this.guardrails?.activity(),
    });
    input.slot.bind(this);
  }

  get currentState(): CallState {
    return this.state;
  }

  /** Attaches the transport, marks the call started and connects the model, then greets. */
  async start(): Promise<void> {
    this.transport.attach(this.transportEvents());
    const [started, model] = await Promise.allSettled([
      markCallStarted(this.deps, this.call, this.transport.media, this.startedAt),
      this.link.start(),
    ]);
    if (this.closing) return;
    if (started.status === 'rejected' || !started.value) {
      if (started.status === 'rejected')
        this.logger.error('call could not be marked started', { err: started.reason });
      this.callTerminalElsewhere = started.status === 'fulfilled';
      await this.close(started.status === 'fulfilled' ? 'caller_hangup' : 'media_error');
      return;
    }
    if (model.status === 'rejected') {
      await this.fail('model_error', (model.reason as { reason?: string }).reason ?? 'connect_failed');
      return;
    }
    this.move('model_ready');
    this.agentOnLine = true;
    this.link.send(greetingResponse(this.agent));
    this.guardrails = new Guardrails({
      maxDurationMs: this.agent.maxDurationSeconds * 1000,
      idleMs: this.agent.idleTimeoutSeconds * 1000,
      onMaxDuration: () => void this.end('max_duration'),
      onIdle: () => void this.end('idle_timeout'),
      busy: () => this.callerSpeaking || this.playback.isPlaying() || this.tools.running,
    });
  }

  private move(event: CallStateEvent): void {
    this.state = nextCallState(this.state, event);
  }

  private transportEvents(): TransportEvents {
    return {
      callerAudio: (audio) => this.link.sendAudio(audio),
      dtmf: (digit) => {
        this.guardrails?.activity();
        this.dtmf.press(digit);
      },
      played: (itemId, playedMs) => {
        this.playback.notePlayed(itemId, playedMs);
        this.agentTurns.onPlayed(itemId, playedMs);
        this.link.quiet();
      },
      closed: (reason, detail) => {
        this.logger.info('caller leg closed', { reason, detail });
        // Hanging up or transferring makes the provider close the leg: keep the session's reason.
        void this.close(this.ending ? this.ending.plan.reason : reason);
      },
    };
  }

  private onModelEvent(event: KnownServerEvent): void {
    if (this.state === 'ended') return;
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.callerSpeaking = true;
        this.guardrails?.activity();
        if (this.state !== 'ending') {
          this.move('caller_speech');
          const cut = this.audio.bargeIn();
          if (cut) this.logger.debug('barge-in', cut);
        }
        break;
      case 'input_audio_buffer.speech_stopped':
        this.callerSpeaking = false;
        this.guardrails?.activity();
        this.telemetry.speechStopped();
        if (event.item_id) this.recorder.reserve(event.item_id);
        break;
      case 'conversation.item.input_audio_transcription.completed':
        this.guardrails?.activity();
        this.recorder.record(event.item_id, {
          role: 'caller',
          text: event.transcript,
          startedAt: new Date().toISOString(),
          itemId: event.item_id,
        });
        this.usage(usageFromTranscription(event.usage));
        break;
      case 'conversation.item.input_audio_transcription.failed':
        this.recorder.skip(event.item_id);
        break;
      case 'response.created':
        this.responses.created(event.response.id);
        this.ending?.responseCreated(event.response.id);
        break;
      case 'response.output_audio.delta':
        if (this.audio.delta(event.response_id, event.item_id, event.delta)) {
          this.guardrails?.activity();
          this.move('agent_audio');
        }
        break;
      case 'response.output_audio_transcript.delta':
        if (this.agentTurns.onTranscriptDelta(event.response_id, event.item_id, event.delta)) {
          this.transport.showPartial?.('agent', event.item_id, event.delta);
        }
        break;
      case 'conversation.item.input_audio_transcription.delta':
        this.transport.showPartial?.('caller', event.item_id, event.delta);
        break;
      case 'response.output_audio_transcript.done':
        this.agentTurns.onTranscriptDone(event.response_id, event.item_id, event.transcript);
        break;
      case 'response.function_call_arguments.done':
        this.tools.collect({ callId: event.call_id, name: event.name, arguments: event.arguments });
        this.move('tool_requested');
        break;
      case 'response.done':
        this.onResponseDone(event.response.id, event.response);
        break;
      case 'error':
        this.onModelError(event.error);
        break;
      default:
        break;
    }
  }

  private onResponseDone(responseId: string, response: { status?: string; usage?: unknown }): void {
    this.usage(usageFromResponse(response.usage as RealtimeUsagePayload | undefined));
    this.agentTurns.onResponseDone(responseId);
    this.responses.done(responseId);
    if (this.ending) {
      this.ending.responseDone(responseId);
      return;
    }
    if (this.tools.hasPending) {
      void this.tools.runPending();
    } else if (!this.tools.running) {
      this.move('response_done');
    }
    this.link.quiet();
  }

  /** `response.create`, deferred while another response is active (only one may run). */
  private requestResponse(response?: Record<string, unknown>): void {
    if (this.ending) return; // only the closing line is spoken now
    this.responses.request(response);
    if (this.state === 'tool_call') this.move('tool_finished');
  }

  private onModelError(error: { code?: string; message?: string; type?: string }): void {
    if (BENIGN_ERRORS.has(error.code ?? '')) return;
    this.logger.warn('model error', { code: error.code, type: error.type, message: error.message });
  }

  private onModelInterrupted(): void {
    this.callerSpeaking = false;
    this.responses.reset();
    this.tools.discard();
    this.agentTurns.finishAll({ unplayedIsHeard: true });
    if (this.state === 'tool_call' || this.state === 'responding') this.move('response_done');
  }

  private onModelRestored(gapMs: number): void {
    this.telemetry.modelReconnected();
    this.logger.info('model session restored', { gapMs });
    if (this.ending) {
      void this.ending.finish();
      return;
    }
    const policy = this.deps.reconnectPolicy ?? DEFAULT_RECONNECT_POLICY;
    if (gapMs >= policy.noticeableGapMs) {
      this.requestResponse({ instructions: RESUME_AFTER_GAP_INSTRUCTIONS });
    }
  }

  private onDigits(digits: string): void {
    const { text, event } = keypadMessage(digits);
    this.link.send(event);
    this.recorder.record(`dtmf:${Date.now()}`, { role: 'caller', text, startedAt: new Date().toISOString() });
    this.requestResponse();
  }

  private usage(delta: Partial<RealtimeUsage>): void {
    if (Object.keys(delta).length === 0) return;
    this.persist.run('usage', () => addCallUsage(this.deps.db, this.call.tenantId, this.call.id, delta));
  }

  /**
   * Ends the call politely: the agent says a line fitting `reason` (goodbye, time limit, transfer),
   * the line plays out, then the provider hangs up or transfers, then everything closes.
   */
  async end(reason: EndReason): Promise<void> {
    if (this.ending || this.closing) return this.closed;
    this.move('end_requested');
    this.guardrails?.stop();
    this.ending = new CallEnding(endPlanFor(reason, this.agent), {
      transport: this.transport,
      playback: this.playback,
      logger: this.logger,
      modelReady: () => this.link.ready,
      say: (instructions) => {
        this.responses.cancel();
        this.link.send({ type: 'response.create', response: { instructions, tool_choice: 'none' } });
      },
      isClosing: () => this.closing,
      close: (endReason) => this.close(endReason),
      goodbyeTimeoutMs: this.deps.goodbyeTimeoutMs ?? 8_000,
    });
    this.ending.begin();
    return this.closed;
  }

  /** A failure that leaves nothing to say: hang up and close with `reason`. */
  private async fail(reason: EndReason, detail: string): Promise<void> {
    if (this.closing) return;
    this.logger.error('call ended by a failure', { reason, detail });
    await endAtProvider({ transport: this.transport, logger: this.logger }, { reason });
    await this.close(reason);
  }

  /** Releases everything once; the returned promise resolves when all call data is stored. */
  async close(reason: EndReason): Promise<void> {
    if (this.closing) return this.closed;
    this.closing = true;
    this.move('end_requested');
    this.guardrails?.stop();
    this.dtmf.stop();
    this.playback.stopWaiting();
    this.link.close();
    this.transport.close(reason);
    this.agentTurns.finishAll();
    this.telemetry.reconnects = this.link.reconnects;
    try {
      await this.persist.flush();
      if (!this.callTerminalElsewhere) {
        await markCallEnded(this.deps, this.call, {
          status: !this.agentOnLine && reason === 'model_error' ? 'failed' : 'completed',
          endReason: reason,
          answeredAt: this.startedAt,
          endedAt: new Date(),
          telemetry: this.telemetry.snapshot(),
        });
      }
    } catch (error) {
      this.logger.error('call end could not be stored', { err: error, reason });
    } finally {
      this.move('closed');
      this.logger.info('call closed', { reason });
      this.deps.onCallClosed?.(reason);
      this.resolveClosed();
    }
  }
}

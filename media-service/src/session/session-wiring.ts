import type { ClientEvent } from '../realtime/realtime-events.ts';
import type { EndReason } from '#shared/calls/call-types.ts';
import { patchCall } from '#shared/data/calls.ts';
import { putTranscriptTurn } from '#shared/data/transcripts.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { VERDICT_WAIT_MS } from '#shared/voicemail/answered-by.ts';
import { AgentAudio } from './agent-audio.ts';
import { AgentTurns } from './agent-turns.ts';
import { AudioTaps } from './audio-taps.ts';
import { bytesPerMs } from './call-transport.ts';
import { DtmfCollector } from './dtmf-collector.ts';
import { LatencyTelemetry, type TelemetrySpan } from './latency-telemetry.ts';
import { MachineScreen, type ScreenDecision } from './machine-screen.ts';
import { ModelLink, type ModelLinkHandlers } from './model-link.ts';
import { PersistQueue } from './persist-queue.ts';
import { PlaybackTracker } from './playback-tracker.ts';
import { DEFAULT_RECONNECT_POLICY } from './reconnect-policy.ts';
import { ResponseSequencer } from './response-sequencer.ts';
import { buildSessionUpdate, replayItems } from './session-config.ts';
import type { StartCallSessionInput } from './session-deps.ts';
import { SessionTimers } from './session-timers.ts';
import { timedConnector } from './timed-connector.ts';
import { type ToolRun, toolRegistryFor } from './tools/tool-registry.ts';
import { ToolRunner } from './tools/tool-runner.ts';
import { SpokenLine } from './transfer/spoken-line.ts';
import { WarmTransfer } from './transfer/warm-transfer.ts';
import { TurnRecorder } from './turn-recorder.ts';
import { CallOwnership } from '../resume/call-ownership.ts';

/** Caller audio held while the model is not ready: 10 s. */
const PENDING_AUDIO_MS = 10_000;
/** Longest wait for one transfer line (announcement or briefing) from request to played. */
const SPOKEN_LINE_CAP_MS = 30_000;
/** Digits typed within this gap are sent to the model together ("1234", not four turns). */
const DTMF_GAP_MS = 700;

/** A tool run as a step of the call's trace, searchable by the tool's name. */
function toolSpan(run: ToolRun): TelemetrySpan {
  return {
    name: 'tool-call',
    startMs: run.startMs,
    endMs: run.endMs,
    ...(run.ok ? {} : { failed: true }),
    annotations: { tool: run.name, ...(run.failure ? { failure: run.failure } : {}) },
  };
}

/** How the session reacts to what its parts report; the parts call back through these only. */
export interface SessionReactions extends ModelLinkHandlers {
  /** Key presses grouped by the DTMF collector. */
  digits(digits: string): void;
  /** A quiet moment to roll the model socket over: nobody speaking, no response active. */
  isQuiet(): boolean;
  /** `response.create`, sequenced after any active response. */
  requestResponse(response?: Record<string, unknown>): void;
  /** Ends the call politely (a tool, an audio tap). */
  endCall(reason: EndReason): void;
  /** Something happened that is not silence (guardrails' idle clock). */
  activity(): void;
  /** Answering-machine detection let the call go on, or found a machine. */
  screenDecided(decision: ScreenDecision): void;
  /** A warm transfer connected caller and person: the session closes as `transferred`. */
  handedOver(): Promise<void>;
  /** Another media task took the call over: let go without ending it. */
  ownershipLost(): void;
}

/** The parts one call session coordinates; built once per call by `wireSession`. */
export interface SessionParts {
  logger: Logger;
  timers: SessionTimers;
  persist: PersistQueue;
  taps: AudioTaps;
  telemetry: LatencyTelemetry;
  responses: ResponseSequencer;
  dtmf: DtmfCollector;
  recorder: TurnRecorder;
  playback: PlaybackTracker;
  agentTurns: AgentTurns;
  audio: AgentAudio;
  link: ModelLink;
  tools: ToolRunner;
  /** Holds the greeting of an outbound call with answering-machine detection. */
  screen: MachineScreen | undefined;
  /** Lines the agent says outside the conversation (transfer announcements, briefings). */
  spoken: SpokenLine;
  /** Present when the transport can do warm transfers. */
  transfer?: WarmTransfer;
  ownership: CallOwnership;
}

/**
 * Builds the parts of one call session and connects them to each other and to the session's
 * `reactions`: the session's composition root, kept out of its constructor so the session reads
 * as the coordinator it is.
 */
export function wireSession(
  input: StartCallSessionInput,
  reactions: SessionReactions,
  startedAtMs: number,
): SessionParts {
  const { call, agent, transport, deps } = input;
  const logger = deps.logger.child({
    callId: call.id,
    tenantId: call.tenantId,
    traceId: call.traceId,
    provider: transport.provider,
  });
  const timers = new SessionTimers();
  const persist = new PersistQueue(logger);
  const taps = new AudioTaps(logger);
  const telemetry = new LatencyTelemetry();
  // The link is built last; everything before it sends through this.
  let link: ModelLink | undefined;
  const send = (event: ClientEvent) => link?.send(event);
  const responses = new ResponseSequencer(send);
  const dtmf = new DtmfCollector(DTMF_GAP_MS, (digits) => reactions.digits(digits), timers.after);
  const recorder = new TurnRecorder({
    callId: call.id,
    persist,
    write: (turn) => putTranscriptTurn(deps.db, turn),
    onTurn: transport.showTurn ? (turn) => transport.showTurn?.(turn) : undefined,
  });
  if (input.resume) recorder.restore(input.resume.turns);
  const ownership = new CallOwnership({
    db: deps.db,
    logger,
    heartbeat: deps.heartbeat,
    lost: () => reactions.ownershipLost(),
  });
  if (input.resume) ownership.adopt(input.resume.owner);
  const bpm = bytesPerMs(transport.audioFormat);
  const playback = new PlaybackTracker(bpm);
  const agentTurns = new AgentTurns(recorder, bpm);
  const audio = new AgentAudio({
    transport,
    playback,
    agentTurns,
    telemetry,
    taps,
    callStartedAtMs: startedAtMs,
    send,
    cancelResponse: () => responses.cancel(),
  });
  let transferNotes = 0;
  const spoken = new SpokenLine({ send, playback, after: timers.after, capMs: SPOKEN_LINE_CAP_MS });
  const transfer = transport.warm
    ? new WarmTransfer({
        line: transport.warm,
        from: call.direction === 'inbound' ? call.to : call.from,
        say: (instructions) => spoken.say(instructions),
        note: (text) =>
          recorder.record(`transfer:${call.id}:${++transferNotes}`, {
            role: 'tool',
            text,
            startedAt: new Date().toISOString(),
          }),
        save: (transfers) =>
          persist.run('transfers', () => patchCall(deps.db, call.tenantId, call.id, { transfers })),
        handOver: () => reactions.handedOver(),
        after: timers.after,
        logger,
        decisionMs: deps.transferDecisionMs,
        onOutcome: deps.onTransferOutcome,
      })
    : undefined;
  const registry = toolRegistryFor(
    {
      call,
      agent,
      warmTransfer: transfer,
      canTransfer: typeof transport.transfer === 'function',
      deps,
      logger,
    },
    undefined,
    (run) => telemetry.step(toolSpan(run)),
  );
  link = new ModelLink({
    connector: timedConnector(deps.models, (span) => telemetry.step(span)),
    model: agent.model,
    logger,
    policy: deps.reconnectPolicy ?? DEFAULT_RECONNECT_POLICY,
    maxPendingBytes: PENDING_AUDIO_MS * bpm,
    maxSessionAgeMs: deps.env.MEDIA_MODEL_SESSION_MAX_SECONDS * 1000,
    isQuiet: () => reactions.isQuiet(),
    configure: () => [
      buildSessionUpdate({
        agent,
        format: transport.audioFormat,
        transcriptionModel: deps.env.OPENAI_TRANSCRIPTION_MODEL,
        tools: registry.definitions(),
      }),
      ...replayItems(recorder.history()),
    ],
    handlers: reactions,
  });
  const tools = new ToolRunner({
    registry,
    logger,
    fillerAfterMs: deps.toolFillerAfterMs ?? 1_500,
    after: timers.after,
    send,
    requestResponse: (response) => reactions.requestResponse(response),
    recordTool: (callId, text, startedAt) =>
      recorder.record(callId, { role: 'tool', text, startedAt, endedAt: new Date().toISOString() }),
    endCall: (reason) => reactions.endCall(reason),
    activity: () => reactions.activity(),
    toolCalled: (name) => telemetry.toolCalled(name),
    inFlight: (running) => ownership.toolsInFlight(running),
  });
  for (const factory of deps.audioTaps ?? []) {
    const tap = factory({
      call,
      agent,
      format: transport.audioFormat,
      logger,
      resumes: input.resume?.owner.resumes ?? 0,
      endCall: (reason) => reactions.endCall(reason),
    });
    if (tap) taps.subscribe(tap);
  }
  const screen =
    call.direction === 'outbound' && call.machineDetection && agent.voicemail
      ? new MachineScreen({
          waitMs: deps.machineVerdictWaitMs ?? VERDICT_WAIT_MS,
          after: timers.after,
          decided: (decision) => reactions.screenDecided(decision),
        })
      : undefined;
  return {
    screen,
    logger,
    timers,
    persist,
    taps,
    telemetry,
    responses,
    dtmf,
    recorder,
    playback,
    agentTurns,
    audio,
    link,
    tools,
    spoken,
    transfer,
    ownership,
  };
}

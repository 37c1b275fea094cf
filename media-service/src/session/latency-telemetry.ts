import type { CallTelemetry } from '#shared/calls/call-types.ts';

/** Kept per call so a long call's telemetry item stays small. */
const MAX_SAMPLES = 200;

/** A timed step of the call for its trace (wall-clock ms since the epoch). */
export interface TelemetrySpan {
  name:
    | 'call-setup'
    | 'model-connect'
    | 'first-agent-audio'
    | 'response'
    | 'tool-call'
    | 'barge-in-stop'
    | 'model-reconnect'
    | 'hang-up';
  startMs: number;
  endMs: number;
  /** The step failed (a model that could not be reached, a tool that answered an error). */
  failed?: boolean;
  /** Searchable facts of the step (the tool's name, a warm model socket). */
  annotations?: Record<string, string | boolean>;
}

/**
 * Latency figures of one call, in ms: time to the first agent audio, each turn's response latency
 * (the caller stops speaking → the first agent audio of the reply) and how fast barge-ins stopped
 * playback (speech detected → `clear` sent).
 */
export class LatencyTelemetry {
  private firstAgentAudioMs: number | undefined;
  private readonly responseLatenciesMs: number[] = [];
  private readonly bargeInStopMs: number[] = [];
  private speechStoppedAt: number | undefined;
  private readonly timeline: TelemetrySpan[] = [];
  private readonly toolCalls: Record<string, number> = {};
  reconnects = 0;

  private span(name: TelemetrySpan['name'], durationMs: number): void {
    if (this.timeline.length >= MAX_SAMPLES) return;
    const endMs = Date.now();
    this.timeline.push({ name, startMs: endMs - Math.max(0, durationMs), endMs });
  }

  /** A step timed elsewhere (call setup, model connects, tool calls); kept within the same bound. */
  step(span: TelemetrySpan): void {
    if (this.timeline.length < MAX_SAMPLES) this.timeline.push(span);
  }

  /** The session attached the caller, stored the call started and has a model (or failed to). */
  callSetUp(startedAtMs: number, ok: boolean): void {
    this.step({
      name: 'call-setup',
      startMs: startedAtMs,
      endMs: Date.now(),
      ...(ok ? {} : { failed: true }),
    });
  }

  speechStopped(now: number = performance.now()): void {
    this.speechStoppedAt = now;
  }

  /** Called for every forwarded agent audio chunk; only firsts count. */
  agentAudio(callStartedAtMs: number, now: number = performance.now()): void {
    if (this.firstAgentAudioMs === undefined) {
      this.firstAgentAudioMs = Math.max(0, Date.now() - callStartedAtMs);
      this.span('first-agent-audio', this.firstAgentAudioMs);
    }
    if (this.speechStoppedAt !== undefined) {
      if (this.responseLatenciesMs.length < MAX_SAMPLES) {
        const latency = Math.round(now - this.speechStoppedAt);
        this.responseLatenciesMs.push(latency);
        this.span('response', latency);
      }
      this.speechStoppedAt = undefined;
    }
  }

  bargeInStopped(ms: number): void {
    if (this.bargeInStopMs.length < MAX_SAMPLES) this.bargeInStopMs.push(Math.round(ms * 100) / 100);
    this.span('barge-in-stop', ms);
  }

  modelReconnected(): void {
    this.reconnects++;
    this.span('model-reconnect', 0);
  }

  /** One invocation of a tool the call offers (the analytics count tool calls by name). */
  toolCalled(name: string): void {
    this.toolCalls[name] = (this.toolCalls[name] ?? 0) + 1;
  }

  /** The call's timed steps, in the order they happened. */
  spans(): TelemetrySpan[] {
    return [...this.timeline];
  }

  snapshot(): CallTelemetry {
    return {
      ...(this.firstAgentAudioMs !== undefined ? { firstAgentAudioMs: this.firstAgentAudioMs } : {}),
      responseLatenciesMs: [...this.responseLatenciesMs],
      bargeInStopMs: [...this.bargeInStopMs],
      modelReconnects: this.reconnects,
      toolCalls: { ...this.toolCalls },
    };
  }
}

import type { CallTelemetry } from '#shared/calls/call-types.ts';

/** Kept per call so a long call's telemetry item stays small. */
const MAX_SAMPLES = 200;

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
  reconnects = 0;

  speechStopped(now: number = performance.now()): void {
    this.speechStoppedAt = now;
  }

  /** Called for every forwarded agent audio chunk; only firsts count. */
  agentAudio(callStartedAtMs: number, now: number = performance.now()): void {
    if (this.firstAgentAudioMs === undefined)
      this.firstAgentAudioMs = Math.max(0, Date.now() - callStartedAtMs);
    if (this.speechStoppedAt !== undefined) {
      if (this.responseLatenciesMs.length < MAX_SAMPLES) {
        this.responseLatenciesMs.push(Math.round(now - this.speechStoppedAt));
      }
      this.speechStoppedAt = undefined;
    }
  }

  bargeInStopped(ms: number): void {
    if (this.bargeInStopMs.length < MAX_SAMPLES) this.bargeInStopMs.push(Math.round(ms * 100) / 100);
  }

  modelReconnected(): void {
    this.reconnects++;
  }

  snapshot(): CallTelemetry {
    return {
      ...(this.firstAgentAudioMs !== undefined ? { firstAgentAudioMs: this.firstAgentAudioMs } : {}),
      responseLatenciesMs: [...this.responseLatenciesMs],
      bargeInStopMs: [...this.bargeInStopMs],
      modelReconnects: this.reconnects,
    };
  }
}

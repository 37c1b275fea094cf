import type { ClientEvent } from '../realtime/realtime-events.ts';
import type { AgentTurns } from './agent-turns.ts';
import type { AudioTaps } from './audio-taps.ts';
import { base64ByteLength, type CallTransport } from './call-transport.ts';
import type { LatencyTelemetry } from './latency-telemetry.ts';
import type { PlaybackTracker } from './playback-tracker.ts';

export interface AgentAudioDeps {
  transport: Pick<CallTransport, 'sendAgentAudio' | 'clearPlayback'>;
  playback: PlaybackTracker;
  agentTurns: AgentTurns;
  telemetry: LatencyTelemetry;
  /** Listeners to the agent's audio as heard: every chunk sent, and where a barge-in cut it. */
  taps: AudioTaps;
  callStartedAtMs: number;
  /** Sends a client event to the model. */
  send(event: ClientEvent): void;
  /** Cancels the active response, if any; returns its id. */
  cancelResponse(): string | undefined;
}

/**
 * The agent's audio towards the caller, and barge-in. Forwarding stays allocation-light (the
 * base64 delta goes to the transport as is). A cut goes in this order so the model's memory
 * matches what the caller heard: compute what was heard, `clear` the caller leg first (it stops
 * sound soonest), then `conversation.item.truncate` at that point, then cancel the response and
 * drop whatever it still sends (deltas already in flight).
 */
export class AgentAudio {
  private readonly deps: AgentAudioDeps;

  constructor(deps: AgentAudioDeps) {
    this.deps = deps;
  }

  /** One `response.output_audio.delta`; returns whether it went to the caller. */
  delta(responseId: string, itemId: string, base64: string): boolean {
    const { playback, agentTurns, telemetry, transport, taps } = this.deps;
    const bytes = base64ByteLength(base64);
    agentTurns.onAudio(responseId, itemId, bytes);
    if (!playback.accepts(responseId, itemId)) return false; // late audio of a cancelled response
    telemetry.agentAudio(this.deps.callStartedAtMs);
    playback.noteSent(responseId, itemId, bytes);
    const chunk = { base64, byteLength: bytes };
    transport.sendAgentAudio(itemId, chunk);
    if (taps.active) taps.agentAudio(itemId, chunk);
    return true;
  }

  /** The caller talks over the agent. Returns the truncation sent, if playback was cut. */
  bargeIn(): { itemId: string; audioEndMs: number } | undefined {
    const { playback, transport, telemetry, agentTurns, send, taps } = this.deps;
    const detectedAt = performance.now();
    const cut = playback.cut();
    if (cut) {
      transport.clearPlayback();
      telemetry.bargeInStopped(performance.now() - detectedAt);
      send({
        type: 'conversation.item.truncate',
        item_id: cut.itemId,
        content_index: 0,
        audio_end_ms: cut.audioEndMs,
      });
      agentTurns.onCut(cut.itemId, cut.audioEndMs);
      if (taps.active) taps.agentCut({ itemId: cut.itemId, audioEndMs: cut.audioEndMs, sentMs: cut.sentMs });
    }
    // Server VAD usually cancels on its own; a second cancel only earns a harmless error.
    const cancelled = this.deps.cancelResponse();
    if (cancelled) playback.cancelResponse(cancelled);
    return cut ? { itemId: cut.itemId, audioEndMs: cut.audioEndMs } : undefined;
  }
}

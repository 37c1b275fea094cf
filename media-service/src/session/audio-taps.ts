import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call, EndReason } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { AgentAudioChunk, TransportAudioFormat } from './call-transport.ts';

/** Where a barge-in cut the agent's item: the caller heard `audioEndMs` of the `sentMs` sent. */
export interface AgentAudioCut {
  itemId: string;
  audioEndMs: number;
  sentMs: number;
}

/**
 * Listens to a call's audio without being on the call path (recording, answering-machine
 * detection, analytics). Audio is in the call's `format`, exactly as it passed; callbacks run
 * synchronously on the audio path, so a tap copies what it keeps and does its work later. A tap
 * that throws is unsubscribed (logged), never breaking the call.
 */
export interface AudioTap {
  /** Caller audio as the transport delivered it: bytes, or base64 text (Twilio's payload). */
  callerAudio?(audio: Buffer | string): void;
  /** Agent audio as sent to the caller leg (late audio of a cancelled response never is). */
  agentAudio?(itemId: string, audio: AgentAudioChunk): void;
  /** The caller leg reports `playedMs` of agent item `itemId` heard so far. */
  agentPlayed?(itemId: string, playedMs: number): void;
  /** Barge-in: audio of `itemId` beyond `audioEndMs` was sent but never heard. */
  agentCut?(cut: AgentAudioCut): void;
  /** The call is closing; the session waits for the returned promise before storing the call's end. */
  close?(reason: EndReason, info: TapCloseInfo): void | Promise<void>;
}

/** How the session closes on this task. */
export interface TapCloseInfo {
  /** False when the call continues on another media task (handed over, detached, taken over). */
  callOver: boolean;
}

/** What a tap factory knows about the call it may listen to. */
export interface AudioTapContext {
  call: Call;
  agent: Agent;
  format: TransportAudioFormat;
  logger: Logger;
  /** Times the call resumed on another task before this session (0: its first task). */
  resumes: number;
  /** Ends the call politely (an answering machine detected, for instance). */
  endCall(reason: EndReason): void;
}

/** Builds a tap for one call, or nothing for calls it does not listen to. */
export type AudioTapFactory = (context: AudioTapContext) => AudioTap | undefined;

/**
 * A session's subscribed taps. `active` is false while none is subscribed, and the session checks
 * it before anything else, so a call nobody listens to pays one boolean test per chunk.
 */
export class AudioTaps {
  active = false;
  private taps: AudioTap[] = [];
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** Adds a tap; returns its unsubscribe function. */
  subscribe(tap: AudioTap): () => void {
    this.taps = [...this.taps, tap];
    this.active = true;
    return () => this.remove(tap);
  }

  callerAudio(audio: Buffer | string): void {
    for (const tap of this.taps) this.guard(tap, () => tap.callerAudio?.(audio));
  }

  agentAudio(itemId: string, audio: AgentAudioChunk): void {
    for (const tap of this.taps) this.guard(tap, () => tap.agentAudio?.(itemId, audio));
  }

  agentPlayed(itemId: string, playedMs: number): void {
    for (const tap of this.taps) this.guard(tap, () => tap.agentPlayed?.(itemId, playedMs));
  }

  agentCut(cut: AgentAudioCut): void {
    for (const tap of this.taps) this.guard(tap, () => tap.agentCut?.(cut));
  }

  /** Tells every tap the call closed and waits for them (failures logged); then none is left. */
  async close(reason: EndReason, info: TapCloseInfo = { callOver: true }): Promise<void> {
    const taps = this.taps;
    this.taps = [];
    this.active = false;
    const results = await Promise.allSettled(taps.map(async (tap) => tap.close?.(reason, info)));
    for (const result of results)
      if (result.status === 'rejected')
        this.logger.error('audio tap failed to close', { err: result.reason });
  }

  private guard(tap: AudioTap, deliver: () => void): void {
    try {
      deliver();
    } catch (error) {
      this.logger.error('audio tap threw; unsubscribed', { err: error });
      this.remove(tap);
    }
  }

  private remove(tap: AudioTap): void {
    this.taps = this.taps.filter((candidate) => candidate !== tap);
    this.active = this.taps.length > 0;
  }
}

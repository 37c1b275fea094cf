import type { CallStatus } from './call-status.ts';
import type { CallProvider } from './providers.ts';

export type { CallProvider } from './providers.ts';

export type CallDirection = 'inbound' | 'outbound';

/** Why a call ended, stored on the call. Free-form values from providers are allowed too. */
export type EndReason =
  | 'caller_hangup'
  | 'agent_hangup'
  | 'api_request'
  | 'transferred'
  | 'max_duration'
  | 'idle_timeout'
  | 'model_error'
  | 'media_error'
  | 'shutdown'
  | 'busy'
  | 'no_answer'
  | 'failed'
  | 'canceled'
  | 'rejected'
  | (string & {});

/** Realtime usage summed over every `response.done` of the call, plus transcription. */
export interface RealtimeUsage {
  responses: number;
  inputTextTokens: number;
  inputAudioTokens: number;
  inputCachedTokens: number;
  inputCachedTextTokens: number;
  inputCachedAudioTokens: number;
  outputTextTokens: number;
  outputAudioTokens: number;
  transcriptionInputTokens: number;
  transcriptionOutputTokens: number;
  transcriptionSeconds: number;
}

export const emptyUsage = (): RealtimeUsage => ({
  responses: 0,
  inputTextTokens: 0,
  inputAudioTokens: 0,
  inputCachedTokens: 0,
  inputCachedTextTokens: 0,
  inputCachedAudioTokens: 0,
  outputTextTokens: 0,
  outputAudioTokens: 0,
  transcriptionInputTokens: 0,
  transcriptionOutputTokens: 0,
  transcriptionSeconds: 0,
});

/** Per-call latency figures, in milliseconds. */
export interface CallTelemetry {
  firstAgentAudioMs?: number;
  responseLatenciesMs?: number[];
  bargeInStopMs?: number[];
  modelReconnects?: number;
  /** Tool invocations by tool name. */
  toolCalls?: Record<string, number>;
}

export interface CallSummary {
  summary: string;
  sentiment: 'positive' | 'neutral' | 'negative' | 'mixed';
  actionItems: string[];
  qaScore: number;
  qaReasons: string[];
  data?: Record<string, unknown>;
}

export interface Call {
  id: string;
  tenantId: string;
  agentId: string;
  direction: CallDirection;
  provider: CallProvider;
  providerCallId?: string;
  from: string;
  to: string;
  status: CallStatus;
  createdAt: string;
  updatedAt: string;
  answeredAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  endReason?: EndReason;
  summary?: CallSummary;
  usage: RealtimeUsage;
  telemetry?: CallTelemetry;
  metadata: Record<string, string>;
  /** Values of the agent's `{{name}}` placeholders for this call (campaign contacts). */
  variables?: Record<string, string>;
  /** Transport details operators can inspect (Asterisk channel ids, RTP ports, Twilio stream sid). */
  media?: Record<string, unknown>;
  /** Highest status-callback sequence number applied (Twilio), for ordering and dedupe. */
  providerSequence?: number;
  /**
   * X-Ray trace id the call belongs to: the trace of the request that created it (voice webhook,
   * POST /v1/calls), or a new one. The media session and the consumers continue it.
   */
  traceId?: string;
}

export type TranscriptRole = 'caller' | 'agent' | 'tool';

export interface TranscriptTurn {
  callId: string;
  seq: number;
  role: TranscriptRole;
  text: string;
  startedAt: string;
  endedAt?: string;
  interrupted?: boolean;
  /** The realtime item id, to make re-writes of the same turn idempotent. */
  itemId?: string;
}

import type { CallStatus } from './call-status.ts';
import type { CallProvider } from './providers.ts';
import type { CallRecording } from '../recordings/recording-types.ts';
import type { MachineVerdict } from '../voicemail/answered-by.ts';

export type { CallProvider } from './providers.ts';

export type CallDirection = 'inbound' | 'outbound';

/** How urgently a call escalation asks for a person (API contract and stored escalations alike). */
export const ESCALATION_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type EscalationPriority = (typeof ESCALATION_PRIORITIES)[number];

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
  /** An answering machine picked up an outbound call (message left or not, per the agent). */
  | 'voicemail'
  /** A fax machine picked up an outbound call. */
  | 'fax'
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
  /** Times the call continued on another media task after its own died or handed it over. */
  resumes?: number;
  /** Milliseconds without media before each resume. */
  resumeGapsMs?: number[];
}

export interface CallSummary {
  summary: string;
  sentiment: 'positive' | 'neutral' | 'negative' | 'mixed';
  actionItems: string[];
  qaScore: number;
  qaReasons: string[];
  data?: Record<string, unknown>;
}

/** How a warm transfer ended: the person took the call, or why the caller came back to the agent. */
export type TransferOutcome = 'answered' | 'declined' | 'no_answer' | 'busy' | 'failed' | 'canceled';

/** One warm transfer attempt of a call (`transfer_call` with `mode: "warm"`). */
export interface CallTransfer {
  /** The number dialled (E.164). */
  to: string;
  mode: 'warm';
  outcome: TransferOutcome;
  /** When the agent started the transfer (ISO-8601). */
  startedAt: string;
  /** When the person picked up, if they did. */
  answeredAt?: string;
  /** When caller and person were connected (outcome `answered`) or the caller was back with the agent. */
  endedAt: string;
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
  /** Warm transfer attempts, in order (the last one `answered` when the caller was handed over). */
  transfers?: CallTransfer[];
  /** Highest status-callback sequence number applied (Twilio), for ordering and dedupe. */
  providerSequence?: number;
  /**
   * X-Ray trace id the call belongs to: the trace of the request that created it (voice webhook,
   * POST /v1/calls), or a new one. The media session and the consumers continue it.
   */
  traceId?: string;
  /** The call's recording (`shared/recordings`): its state, and where it is while being written. */
  recording?: CallRecording;
  /**
   * Answering-machine detection of an outbound call: present when detection was asked for; the
   * verdict once the provider gave one.
   */
  machineDetection?: CallMachineDetection;
}

export interface CallMachineDetection {
  verdict?: MachineVerdict;
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

import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Agent } from '#shared/agents/agent-schema.ts';
import type { Call, TransferOutcome } from '#shared/calls/call-types.ts';
import type { Env } from '#shared/config/env.ts';
import type { SecretStore } from '#shared/config/secrets.ts';
import type { Db } from '#shared/data/client.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { MachineVerdict } from '#shared/voicemail/answered-by.ts';
import type { QueueUrls } from '#shared/queues/publisher.ts';
import type { KnowledgeSearch } from '../knowledge/knowledge-search.ts';
import type { ModelConnector } from '../realtime/model-pool.ts';
import type { AudioTapFactory } from './audio-taps.ts';
import type { CallTransport } from './call-transport.ts';
import type { ClosedCall } from './closed-call.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';
import type { LeaseTiming } from '../resume/task-heartbeat.ts';
import type { ResumeState } from '../resume/resume-admission.ts';
import type { TaskHeartbeat } from '../resume/task-heartbeat.ts';
import type { SessionRegistry, SessionSlot } from './session-registry.ts';

/**
 * What every call session of a media service shares, built once by `createMediaService` and
 * handed to each transport. Plain values: tests build it with local endpoints.
 */
export interface SessionDeps {
  env: Env;
  logger: Logger;
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  secrets: SecretStore;
  registry: SessionRegistry;
  /** Model sockets: pre-connected from the warm pool when one is ready, fresh otherwise. */
  models: ModelConnector;
  /** Model reconnect backoff; `DEFAULT_RECONNECT_POLICY` when absent. */
  reconnectPolicy?: ReconnectPolicy;
  /** A tool running longer than this makes the agent say a filler (1.5 s by default). */
  toolFillerAfterMs?: number;
  /** Longest wait for the goodbye line before hanging up anyway (8 s by default). */
  goodbyeTimeoutMs?: number;
  /** Longest hold of an outbound greeting for an answering-machine verdict (`VERDICT_WAIT_MS`). */
  machineVerdictWaitMs?: number;
  /** Builds each call's audio taps (recording, answering-machine detection, analytics); none by default. */
  audioTaps?: readonly AudioTapFactory[];
  /** Knowledge-base retrieval for agents with knowledge bases (their `search_knowledge` tool). */
  knowledge?: KnowledgeSearch;
  /** Silence after a warm transfer's briefing that counts as accepting (5 s by default). */
  transferDecisionMs?: number;
  /** Told each warm transfer's outcome (metrics count them here). */
  onTransferOutcome?: (outcome: TransferOutcome) => void;
  /** Told once per session after it closed and stored everything (metrics count outcomes here). */
  onCallClosed?: (closed: ClosedCall) => void;
  /** Told once per call refused at admission, with the reason (metrics count refusals here). */
  onCallRefused?: (reason: string) => void;
  /** This media task's id: the owner written on the calls it runs (resume after a task dies). */
  taskId: string;
  /** This task's heartbeat, which holds every call it runs (started by `listen`). */
  heartbeat: TaskHeartbeat;
  /** Heartbeat lease and period, and the detached window; `DEFAULT_LEASE_TIMING` when absent. */
  leaseTiming?: LeaseTiming;
}

/** Input of `startCallSession`: an admitted call whose caller leg is connected. */
export interface StartCallSessionInput {
  call: Call;
  agent: Agent;
  transport: CallTransport;
  /** The registry place reserved for this call; the session binds it and frees it on close. */
  slot: SessionSlot;
  deps: SessionDeps;
  /** A verdict known before the session starts (Asterisk's AMD() ran in the dialplan). */
  machineVerdict?: MachineVerdict;
  /** Present when the call continues here after another task ran it (`admitResume`). */
  resume?: ResumeState;
}

import type { SQSClient } from '@aws-sdk/client-sqs';
import { isTerminal } from '../calls/call-status.ts';
import type { Db } from '../data/client.ts';
import { findCallByProviderId } from '../data/calls.ts';
import { recordMachineVerdict } from '../data/machine-verdicts.ts';
import { ValidationError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { type QueueUrls, sendMediaCommand } from '../queues/publisher.ts';
import { answeredByFromTwilio, type MachineVerdict } from '../voicemail/answered-by.ts';

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const MILLISECONDS = /^\d{1,9}$/;

export type ParsedAmdCallback =
  | { kind: 'verdict'; callSid: string; verdict: MachineVerdict }
  | { kind: 'invalid'; reason: string };

/**
 * Reads Twilio's asynchronous AMD callback: `CallSid`, `AnsweredBy` and `MachineDetectionDuration`
 * (milliseconds). An `AnsweredBy` this platform does not know is kept as the provider's verdict
 * and acted on as `unknown`. Never throws.
 */
export function parseAmdCallback(params: URLSearchParams): ParsedAmdCallback {
  const callSid = params.get('CallSid') ?? '';
  if (!CALL_SID.test(callSid)) return { kind: 'invalid', reason: 'CallSid is missing or malformed.' };
  const raw = (params.get('AnsweredBy') ?? '').trim();
  if (!raw) return { kind: 'invalid', reason: 'AnsweredBy is missing.' };
  const duration = params.get('MachineDetectionDuration') ?? '';
  return {
    kind: 'verdict',
    callSid,
    verdict: {
      answeredBy: answeredByFromTwilio(raw),
      providerVerdict: raw.slice(0, 100),
      detectionMs: MILLISECONDS.test(duration) ? Number(duration) : undefined,
    },
  };
}

export type AmdOutcome =
  /** Stored on the call and sent to the media service owning it. */
  | 'applied'
  /** The call already has a verdict (a repeated callback). */
  | 'duplicate'
  /** The call ended, or never asked for detection: nothing to act on. */
  | 'ignored'
  | 'unknown_call';

export interface ApplyAmdDeps {
  db: Db;
  sqs: SQSClient;
  queueUrls: QueueUrls;
  logger: Logger;
}

/**
 * Applies one AMD callback (signature already verified): the verdict is stored on the call once,
 * then sent on the media command queue to the media service running the call, which greets a
 * person or leaves the voicemail message.
 */
export async function applyAmdCallback(
  deps: ApplyAmdDeps,
  params: URLSearchParams,
): Promise<{ outcome: AmdOutcome; callId?: string; answeredBy?: string }> {
  const parsed = parseAmdCallback(params);
  if (parsed.kind === 'invalid') {
    throw new ValidationError('The AMD callback is malformed.', { details: [{ message: parsed.reason }] });
  }
  const call = await findCallByProviderId(deps.db, 'twilio', parsed.callSid);
  if (!call) return { outcome: 'unknown_call' };
  const { verdict } = parsed;
  if (isTerminal(call.status) || !call.machineDetection) {
    return { outcome: 'ignored', callId: call.id, answeredBy: verdict.answeredBy };
  }
  if (!(await recordMachineVerdict(deps.db, call.tenantId, call.id, verdict))) {
    return { outcome: 'duplicate', callId: call.id, answeredBy: verdict.answeredBy };
  }
  await sendMediaCommand(deps.sqs, deps.queueUrls, {
    type: 'call.machine_verdict',
    tenantId: call.tenantId,
    callId: call.id,
    ...verdict,
  });
  return { outcome: 'applied', callId: call.id, answeredBy: verdict.answeredBy };
}

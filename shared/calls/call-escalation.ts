import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { type CallEscalation, createCallEscalation, deleteCallEscalation } from '../data/escalations.ts';
import { publishCallEvent } from '../queues/publisher.ts';
import { type CallDeps, requireCall } from './call-deps.ts';
import type { CreateEscalationBodySchema } from '../api/call-schemas.ts';

/**
 * Records an escalation and announces it (`call.escalated` → the tenant's webhook). If the event
 * cannot be published the record is removed again and the error surfaces (retryable), so a retry
 * neither loses the announcement nor leaves a silent duplicate.
 */
export async function escalateCall(
  deps: Pick<CallDeps, 'db' | 'sqs' | 'queueUrls'>,
  tenantId: string,
  callId: string,
  input: z.output<typeof CreateEscalationBodySchema>,
): Promise<CallEscalation> {
  const call = await requireCall(deps.db, tenantId, callId);
  const escalation = await createCallEscalation(deps.db, {
    tenantId,
    callId,
    agentId: call.agentId,
    reason: input.reason,
    priority: input.priority,
  });
  try {
    await publishCallEvent(deps.sqs, deps.queueUrls, {
      type: 'call.escalated',
      tenantId,
      callId,
      agentId: call.agentId,
      escalationId: escalation.id,
      priority: escalation.priority,
      reason: escalation.reason,
    });
  } catch (error) {
    await undo(deps.db, callId, escalation.id);
    throw error;
  }
  return escalation;
}

async function undo(db: Db, callId: string, escalationId: string): Promise<void> {
  await deleteCallEscalation(db, callId, escalationId).catch(() => undefined);
}

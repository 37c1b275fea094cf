import type { z } from 'zod';
import { type Agent, AgentFieldsSchema } from './agent-schema.ts';
import { deleteAgent, getAgent, replaceAgent } from '../data/agents.ts';
import type { Db } from '../data/client.ts';
import { listAllTenantPhoneNumbers } from '../data/tenant-phone-numbers.ts';
import { ConflictError, NotFoundError } from '../errors/app-error.ts';
import { checkAgentKnowledgeBases } from '../knowledge/agent-knowledge.ts';
import { parseOrThrow } from '../errors/zod-error.ts';
import type { UpdateAgentBodySchema } from '../api/agent-schemas.ts';

export async function requireAgent(db: Db, tenantId: string, agentId: string): Promise<Agent> {
  const agent = await getAgent(db, tenantId, agentId);
  if (!agent) throw new NotFoundError('Agent not found.');
  return agent;
}

/**
 * Applies a PATCH: named fields change, `null` removes an optional field, everything else stays.
 * The merged agent is validated as a whole, then written guarded by `updatedAt`.
 */
export async function updateAgent(
  db: Db,
  tenantId: string,
  agentId: string,
  patch: z.output<typeof UpdateAgentBodySchema>,
): Promise<Agent> {
  const current = await requireAgent(db, tenantId, agentId);
  await checkAgentKnowledgeBases(db, tenantId, patch.knowledgeBaseIds as string[] | null | undefined);
  const { id: _id, tenantId: _tenant, createdAt: _created, updatedAt: _updated, ...fields } = current;
  const merged: Record<string, unknown> = { ...fields };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else if (value !== undefined) merged[name] = value;
  }
  const next = parseOrThrow(AgentFieldsSchema, merged, 'agent');
  return replaceAgent(db, current, next);
}

/**
 * Deletes an agent; refused (409) while a phone number still routes calls to it. The delete is
 * transactional with number routing (see agent-routes.ts); the listing only names the numbers.
 */
export async function removeAgent(db: Db, tenantId: string, agentId: string): Promise<void> {
  await requireAgent(db, tenantId, agentId);
  const inUse = async () => {
    const numbers = (await listAllTenantPhoneNumbers(db, tenantId)).filter((n) => n.agentId === agentId);
    return new ConflictError('Phone numbers still route calls to this agent; delete or remap them first.', {
      details: { reason: 'agent_in_use', phoneNumberIds: numbers.map((n) => n.id) },
    });
  };
  // Numbers registered before routes were recorded on the agent are found by the listing.
  const listed = await inUse();
  if ((listed.details as { phoneNumberIds: string[] }).phoneNumberIds.length > 0) throw listed;
  const outcome = await deleteAgent(db, tenantId, agentId);
  if (outcome === 'not_found') throw new NotFoundError('Agent not found.');
  if (outcome === 'in_use') throw await inUse();
}

import type { Db } from '../data/client.ts';
import { ValidationError } from '../errors/app-error.ts';
import { getKnowledgeBase } from './knowledge-base-store.ts';

/** An agent may only name knowledge bases of its own tenant that exist: a 400 naming the bad ones. */
export async function checkAgentKnowledgeBases(
  db: Db,
  tenantId: string,
  ids: readonly string[] | null | undefined,
): Promise<void> {
  if (!ids?.length) return;
  const found = await Promise.all(ids.map((id) => getKnowledgeBase(db, tenantId, id)));
  const problems = ids
    .map((id, index) => ({ id, index, found: found[index] }))
    .filter((entry) => !entry.found)
    .map((entry) => ({
      path: `knowledgeBaseIds.${entry.index}`,
      message: `no knowledge base ${entry.id} in this account`,
    }));
  if (problems.length)
    throw new ValidationError('An agent can only use knowledge bases of its account.', { details: problems });
}

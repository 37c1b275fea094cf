import type { Db } from '#shared/data/client.ts';
import { getTenant } from '#shared/data/tenants.ts';
import { findUserByEmail } from '#shared/data/users.ts';
import { createEmailSender } from '#shared/people/email-sender.ts';
import { inviteMember } from '#shared/people/invitations-flow.ts';
import type { KeyringSource } from '#shared/people/signing-keys.ts';

export const LOCAL_OWNER_EMAIL = 'owner@example.com';

/**
 * The dev tenant's owner: once they have accepted, how to sign in; until then a fresh invitation
 * link on every start (only hashes are stored, so an earlier link cannot be printed again).
 */
export async function ensureLocalOwner(
  deps: { db: Db; keyring: KeyringSource; masterKey: string },
  input: { tenantId: string; consoleUrl: string; email?: string },
): Promise<{ email: string; invitationUrl?: string }> {
  const email = input.email ?? LOCAL_OWNER_EMAIL;
  if (await findUserByEmail(deps.db, email)) return { email };
  const tenant = await getTenant(deps.db, input.tenantId);
  if (!tenant) throw new Error(`The seeded tenant ${input.tenantId} is missing.`);
  const { url } = await inviteMember(
    { ...deps, email: createEmailSender({}), consoleUrl: input.consoleUrl },
    { tenantId: tenant.id, tenantName: tenant.name, email, role: 'owner', actor: { type: 'platformAdmin' } },
    { userAgent: 'npm start' },
  );
  return { email, invitationUrl: url };
}

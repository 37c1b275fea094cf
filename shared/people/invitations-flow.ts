import { recordAuditEvent } from '../data/audit-events.ts';
import {
  consumeInvitationItems,
  createInvitation,
  findInvitationByToken,
  type Invitation,
} from '../data/invitations.ts';
import { findUserByEmail, insertUser, normalizeEmail, type UserRecord } from '../data/users.ts';
import { ConflictError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import type { EmailSender } from './email-sender.ts';
import { assertPasswordAcceptable, hashPassword } from './password.ts';
import type { Role } from './permissions.ts';
import type { PeopleDeps, RequestOrigin } from './people-deps.ts';
import type { AuditActor } from '../data/audit-events.ts';
import { InvalidTokenError } from './session-tokens.ts';
import { type SessionTokens, startSession } from './sessions-flow.ts';

export interface PublicInvitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt: string;
}

export const presentInvitation = (invitation: Invitation): PublicInvitation => ({
  id: invitation.id,
  email: invitation.email,
  role: invitation.role,
  expiresAt: invitation.validUntil,
  createdAt: invitation.createdAt,
});

/** The link a person opens: the console's acceptance page with the token. */
export const invitationUrl = (consoleUrl: string, token: string) =>
  `${consoleUrl.replace(/\/+$/, '')}/accept-invitation?token=${encodeURIComponent(token)}`;

/** Invites an email to a tenant; emails the link when a sender is configured. */
export async function inviteMember(
  deps: PeopleDeps & { email: EmailSender; consoleUrl: string },
  input: { tenantId: string; tenantName: string; email: string; role: Role; actor: AuditActor },
  origin: RequestOrigin,
  nowMs = Date.now(),
): Promise<{ invitation: PublicInvitation; token: string; url: string; emailed: boolean }> {
  const email = normalizeEmail(input.email);
  if (await findUserByEmail(deps.db, email)) throw new ConflictError('This email already belongs to a user.');
  const { invitation, token } = await createInvitation(deps.db, {
    tenantId: input.tenantId,
    email,
    role: input.role,
    invitedBy: input.actor.id ?? input.actor.type,
    nowMs,
  });
  const url = invitationUrl(deps.consoleUrl, token);
  if (deps.email.configured) {
    await deps.email.send({
      to: email,
      subject: `You are invited to ${input.tenantName} on ai-caller`,
      text: `You have been invited to join ${input.tenantName} on ai-caller as ${input.role}.\n\nSet your password here (the link works once, for 72 hours):\n${url}\n\nIf you did not expect this, ignore this email.`,
    });
  }
  await recordAuditEvent(deps.db, {
    tenantId: input.tenantId,
    action: 'invitation.created',
    actor: input.actor,
    target: { type: 'invitation', id: invitation.id },
    outcome: 'success',
    ...origin,
    details: { email, role: input.role, emailed: deps.email.configured },
    nowMs,
  });
  return { invitation: presentInvitation(invitation), token, url, emailed: deps.email.configured };
}

/** Accepts an invitation: the user is created with the password, the link is spent, a session starts. */
export async function acceptInvitation(
  deps: PeopleDeps,
  input: { token: string; password: string; name: string },
  origin: RequestOrigin,
  nowMs = Date.now(),
): Promise<SessionTokens> {
  const invitation = await findInvitationByToken(deps.db, input.token, nowMs);
  if (!invitation)
    throw new InvalidTokenError('The invitation is not valid, was already used, or has expired.');
  assertPasswordAcceptable(input.password, { email: invitation.email });
  const now = new Date(nowMs).toISOString();
  const user: UserRecord = {
    id: newId('user', nowMs),
    tenantId: invitation.tenantId,
    email: invitation.email,
    name: input.name,
    role: invitation.role,
    passwordHash: await hashPassword(input.password),
    mfaEnabled: false,
    createdAt: now,
    updatedAt: now,
  };
  await insertUser(deps.db, user, consumeInvitationItems(deps.db, invitation, nowMs));
  await recordAuditEvent(deps.db, {
    tenantId: user.tenantId,
    action: 'invitation.accepted',
    actor: { type: 'user', id: user.id, email: user.email },
    target: { type: 'user', id: user.id },
    outcome: 'success',
    ...origin,
    details: { invitationId: invitation.id, role: user.role },
    nowMs,
  });
  return startSession(deps, user, nowMs);
}

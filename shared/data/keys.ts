/** Key builders for every item family in MAIN_TABLE (see table.ts for the layout). */
export interface ItemKey {
  pk: string;
  sk: string;
}

export const tenantPk = (tenantId: string) => `TENANT#${tenantId}`;
export const callPk = (callId: string) => `CALL#${callId}`;

export const keys = {
  tenant: (tenantId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: 'TENANT' }),
  apiKey: (tenantId: string, keyId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `APIKEY#${keyId}` }),
  apiKeyHash: (hash: string): ItemKey => ({ pk: `APIKEYHASH#${hash}`, sk: 'APIKEYHASH' }),
  agent: (tenantId: string, agentId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `AGENT#${agentId}` }),
  agentRoutes: (tenantId: string, agentId: string): ItemKey => ({
    pk: tenantPk(tenantId),
    sk: `AGENTROUTES#${agentId}`,
  }),
  phoneNumber: (tenantId: string, numberId: string): ItemKey => ({
    pk: tenantPk(tenantId),
    sk: `NUMBER#${numberId}`,
  }),
  phoneClaim: (e164: string): ItemKey => ({ pk: `PHONE#${e164}`, sk: 'PHONE' }),
  call: (tenantId: string, callId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `CALL#${callId}` }),
  providerCall: (provider: string, providerCallId: string): ItemKey => ({
    pk: `PROVIDERCALL#${provider}#${providerCallId}`,
    sk: 'PROVIDERCALL',
  }),
  turn: (callId: string, seq: number): ItemKey => ({
    pk: callPk(callId),
    sk: `TURN#${String(seq).padStart(6, '0')}`,
  }),
  note: (callId: string, noteId: string): ItemKey => ({ pk: callPk(callId), sk: `NOTE#${noteId}` }),
  escalation: (callId: string, escalationId: string): ItemKey => ({
    pk: callPk(callId),
    sk: `ESC#${escalationId}`,
  }),
  activeCalls: (tenantId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: 'ACTIVECALLS' }),
  rateWindow: (scope: string, second: number): ItemKey => ({ pk: `RATE#${scope}#${second}`, sk: 'RATE' }),
  idempotency: (scope: string, id: string): ItemKey => ({ pk: `IDEM#${scope}#${id}`, sk: 'IDEM' }),
  stats: (tenantId: string, bucket: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `STATS#${bucket}` }),
  outboxEvent: (eventId: string): ItemKey => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' }),
  streamWatch: (callId: string): ItemKey => ({ pk: `STREAMWATCH#${callId}`, sk: 'STREAMWATCH' }),
  /** The sweeper's lease on a recording segment (no segment: a recording made before segments). */
  recordingWatch: (callId: string, segment?: number): ItemKey => ({
    pk: `RECWATCH#${callId}`,
    sk: segment === undefined ? 'RECWATCH' : `RECWATCH#${segment}`,
  }),
  /** Which media task runs a live call, under a lease (shared/data/call-owners.ts). */
  callOwner: (callId: string): ItemKey => ({ pk: callPk(callId), sk: 'OWNER' }),
  /** Where a media task can be reached by the other tasks (shared/data/media-tasks.ts). */
  mediaTask: (taskId: string): ItemKey => ({ pk: `MEDIATASK#${taskId}`, sk: 'MEDIATASK' }),
  /** The task's heartbeat: one write per beat for all of its calls (task-liveness.ts). */
  taskLiveness: (taskId: string): ItemKey => ({ pk: `MEDIATASK#${taskId}`, sk: 'LIVENESS' }),
  // People (shared/people): users, their sign-in state and the tenant's audit trail.
  user: (tenantId: string, userId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `USER#${userId}` }),
  userEmail: (email: string): ItemKey => ({ pk: `USEREMAIL#${email}`, sk: 'USEREMAIL' }),
  owners: (tenantId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: 'OWNERS' }),
  security: (tenantId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: 'SECURITY' }),
  invitation: (tenantId: string, invitationId: string): ItemKey => ({
    pk: tenantPk(tenantId),
    sk: `INVITE#${invitationId}`,
  }),
  invitationHash: (hash: string): ItemKey => ({ pk: `INVITEHASH#${hash}`, sk: 'INVITEHASH' }),
  passwordReset: (hash: string): ItemKey => ({ pk: `RESETHASH#${hash}`, sk: 'RESETHASH' }),
  session: (sessionId: string): ItemKey => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  throttle: (subject: string): ItemKey => ({ pk: `THROTTLE#${subject}`, sk: 'THROTTLE' }),
  auditEvent: (tenantId: string, eventId: string): ItemKey => ({ pk: `AUDIT#${tenantId}`, sk: eventId }),
} as const;

/** Partition key values of the call GSIs. */
export const callIndexPk = {
  status: (tenantId: string, status: string) => `${tenantPk(tenantId)}#STATUS#${status}`,
  agent: (tenantId: string, agentId: string) => `${tenantPk(tenantId)}#AGENT#${agentId}`,
  direction: (tenantId: string, direction: string) => `${tenantPk(tenantId)}#DIR#${direction}`,
  from: (tenantId: string, e164: string) => `${tenantPk(tenantId)}#FROM#${e164}`,
  to: (tenantId: string, e164: string) => `${tenantPk(tenantId)}#TO#${e164}`,
} as const;

/**
 * The DynamoDB table, declared once. CDK (`infra/`) and the local bootstrap (`infra/local/`) both
 * build the table from this definition, so local and deployed schemas cannot drift.
 *
 * Single-table design. Item families (see `keys.ts` for the builders):
 *   TENANT#t / TENANT                 tenant
 *   TENANT#t / APIKEY#k               API key metadata (no secret)
 *   APIKEYHASH#sha256 / APIKEYHASH    key lookup by hash (GetItem: revocation is immediate)
 *   TENANT#t / AGENT#a                agent
 *   TENANT#t / AGENTROUTES#a          ids of the numbers routed to agent a (guards its deletion)
 *   TENANT#t / NUMBER#n               phone number; PHONE#e164 / PHONE claims it platform-wide
 *   TENANT#t / CALL#c                 call (ids are ULIDs, so sk order is creation order)
 *   PROVIDERCALL#p#sid / PROVIDERCALL provider call id → call (idempotent creation)
 *   CALL#c / TURN#000001              transcript turn; NOTE#…, ESC#… likewise
 *   TENANT#t / ACTIVECALLS            live call counter for the concurrency cap
 *   RATE#scope#second / RATE          rate-limit window (expires via TTL)
 *   IDEM#scope#id / IDEM              idempotency claim for consumers and webhooks
 *   TENANT#t / STATS#…                pre-aggregated counters (usage, analytics)
 *   OUTBOX#eventId / OUTBOX           a call event whose publish failed, waiting to be re-sent
 *   STREAMWATCH#c / STREAMWATCH       a call waiting for its media stream (swept when overdue)
 *   TENANT#t / USER#u                 team member; USEREMAIL#email / USEREMAIL claims the email
 *   TENANT#t / OWNERS, SECURITY       owner count (last-owner guard), security policy
 *   TENANT#t / INVITE#i               invitation; INVITEHASH#sha256 finds it by token
 *   RESETHASH#sha256 / RESETHASH      password reset token (expires via TTL)
 *   SESSION#s / SESSION               session family: current refresh token hash, revocation
 *   THROTTLE#subject / THROTTLE       failed sign-ins per account or address
 *   AUDIT#t / aud_…                   audit event (ULID sort: newest first; 1-year TTL)
 *
 * Call GSIs (all sorted by call id, i.e. by creation time):
 *   gsi1 TENANT#t#STATUS#s, gsi2 TENANT#t#AGENT#a, gsi3 TENANT#t#DIR#d,
 *   gsi4 TENANT#t#FROM#e164, gsi5 TENANT#t#TO#e164
 * Tenant items with a Stripe customer also carry gsi1pk STRIPECUSTOMER#cus (sparse lookup), and
 * every tenant item carries gsi2pk TENANTS / gsi2sk tenant id (the platform admin's tenant list;
 * one partition is fine for a list only operators read). Outbox and stream-watch items carry
 * gsi1pk DUE#kind / gsi1sk `{dueAt ISO}#{id}` (see due-index.ts): the sweeper's work list.
 */
export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
}

export interface TableDefinition {
  /** Logical id: CDK construct id and the suffix of local table names. */
  id: string;
  partitionKey: string;
  sortKey: string;
  indexes: readonly IndexDefinition[];
  /** Epoch-seconds Number attribute; expired items may still be read, so readers filter. */
  ttlAttribute: string;
}

export const MAIN_TABLE: TableDefinition = {
  id: 'Main',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: [1, 2, 3, 4, 5].map((n) => ({ name: `gsi${n}`, partitionKey: `gsi${n}pk`, sortKey: `gsi${n}sk` })),
};

/** The named GSIs, so code says what it queries. */
export const CALL_INDEX = {
  byStatus: 'gsi1',
  byAgent: 'gsi2',
  byDirection: 'gsi3',
  byFrom: 'gsi4',
  byTo: 'gsi5',
} as const;

/** CreateTable input for the local emulator (on-demand billing, like the deployed table). */
export function createTableInput(def: TableDefinition, tableName: string) {
  const attributeNames = new Set([def.partitionKey, def.sortKey]);
  for (const index of def.indexes) {
    attributeNames.add(index.partitionKey);
    attributeNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributeNames].map((name) => ({
      AttributeName: name,
      AttributeType: 'S' as const,
    })),
    KeySchema: [
      { AttributeName: def.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: def.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: def.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}

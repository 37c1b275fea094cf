import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { tenantPk } from '../data/keys.ts';
import { type Page, queryPage, stripKeys } from '../data/pagination.ts';
import { CALL_INDEX } from '../data/table.ts';
import { buildUpdate } from '../data/update-expression.ts';
import { ConflictError } from '../errors/app-error.ts';
import { campaignKeys, RUNNING_CAMPAIGNS_PK } from './campaign-keys.ts';
import {
  type Campaign,
  type CampaignStatus,
  CONTACT_STATES,
  type ContactCounts,
  type ContactState,
} from './campaign-types.ts';

const runningIndex = (campaign: Pick<Campaign, 'id'>) => ({
  gsi1pk: RUNNING_CAMPAIGNS_PK,
  gsi1sk: campaign.id,
});

export async function createCampaign(db: Db, campaign: Campaign): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...campaignKeys.campaign(campaign.tenantId, campaign.id), type: 'campaign', ...campaign },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function getCampaign(
  db: Db,
  tenantId: string,
  campaignId: string,
): Promise<Campaign | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: campaignKeys.campaign(tenantId, campaignId),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<Campaign>(out.Item) : undefined;
}

export function listCampaigns(
  db: Db,
  tenantId: string,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<Campaign>> {
  return queryPage(
    db,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': 'CAMPAIGN#' },
      ScanIndexForward: false,
    },
    { ...page, scope: `campaigns:${tenantId}` },
    (item) => stripKeys<Campaign>(item),
  );
}

/** Which statuses each status may be reached from. */
const PREDECESSORS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: [],
  running: ['draft', 'paused'],
  paused: ['running'],
  completed: ['running'],
  canceled: ['draft', 'running', 'paused'],
};

/**
 * Moves a campaign to `to` if it is in one of the statuses that lead there; a running campaign
 * is on the dispatcher's index, any other is not. A 409 names the status it was in.
 */
export async function setCampaignStatus(
  db: Db,
  campaign: Pick<Campaign, 'tenantId' | 'id'>,
  to: CampaignStatus,
  now: Date,
  extra: { endReason?: string } = {},
): Promise<Campaign> {
  const from = PREDECESSORS[to];
  const values: Record<string, unknown> = {};
  from.forEach((status, i) => {
    values[`:from${i}`] = status;
  });
  const final = to === 'completed' || to === 'canceled';
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.campaign(campaign.tenantId, campaign.id),
        ...buildUpdate({
          set: {
            status: to,
            updatedAt: now.toISOString(),
            ...(to === 'running' ? runningIndex(campaign) : {}),
            ...(final ? { endedAt: now.toISOString(), endReason: extra.endReason } : {}),
          },
          remove: to === 'running' ? [] : ['gsi1pk', 'gsi1sk'],
          condition: {
            expression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
            names: { '#status': 'status' },
            values,
          },
        }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    const updated = stripKeys<Campaign>(out.Attributes ?? {});
    if (to === 'running' && !updated.startedAt) {
      await db.doc.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: campaignKeys.campaign(campaign.tenantId, campaign.id),
          ...buildUpdate({ set: { startedAt: now.toISOString() } }),
        }),
      );
      return { ...updated, startedAt: now.toISOString() };
    }
    return updated;
  } catch (error) {
    if (isConditionFailure(error)) {
      const current = await getCampaign(db, campaign.tenantId, campaign.id);
      throw new ConflictError(`A ${current?.status ?? 'missing'} campaign cannot become ${to}.`, {
        details: { reason: 'invalid_transition', from: current?.status, to },
      });
    }
    throw translateDynamoError(error);
  }
}

/** Running campaigns of every tenant, from the sparse index (one Query; the list is short). */
export async function listRunningCampaigns(db: Db, limit = 500): Promise<Campaign[]> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: CALL_INDEX.byStatus,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': RUNNING_CAMPAIGNS_PK },
        Limit: limit,
      }),
    ),
  );
  return (out.Items ?? []).map((item) => stripKeys<Campaign>(item));
}

/**
 * Takes the campaign's dispatch lease until `until`: one dispatcher works a campaign at a time,
 * so two overlapping runs never both fill the same free slots. False when another holds it.
 */
export async function takeDispatchLease(
  db: Db,
  campaign: Pick<Campaign, 'tenantId' | 'id'>,
  now: Date,
  until: Date,
): Promise<boolean> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.campaign(campaign.tenantId, campaign.id),
        ...buildUpdate({
          set: { dispatchLeaseUntil: until.toISOString() },
          condition: {
            expression: '#status = :running AND (attribute_not_exists(#lease) OR #lease <= :now)',
            names: { '#status': 'status', '#lease': 'dispatchLeaseUntil' },
            values: { ':running': 'running', ':now': now.toISOString() },
          },
        }),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

export async function releaseDispatchLease(
  db: Db,
  campaign: Pick<Campaign, 'tenantId' | 'id'>,
): Promise<void> {
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.campaign(campaign.tenantId, campaign.id),
        ...buildUpdate({ remove: ['dispatchLeaseUntil'], condition: { expression: 'attribute_exists(pk)' } }),
      }),
    ),
  ).catch(() => undefined);
}

export const emptyCounts = (): ContactCounts =>
  Object.fromEntries(CONTACT_STATES.map((state) => [state, 0])) as ContactCounts;

export async function getContactCounts(db: Db, campaignId: string): Promise<ContactCounts> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({ TableName: db.tableName, Key: campaignKeys.counts(campaignId), ConsistentRead: true }),
    ),
  );
  const counts = emptyCounts();
  for (const state of CONTACT_STATES) {
    const value = out.Item?.[state];
    if (typeof value === 'number') counts[state] = Math.max(0, value);
  }
  return counts;
}

/**
 * Adds to the per-state counts (a move is `{from: -1, to: +1}`). A plain ADD, not part of the
 * contact's own conditional write: many writers move contacts of one campaign at once, and a
 * transaction on a shared item would make them conflict.
 */
export async function addContactCounts(
  db: Db,
  campaignId: string,
  deltas: Partial<Record<ContactState, number>>,
): Promise<void> {
  const add = Object.fromEntries(Object.entries(deltas).filter(([, n]) => n !== 0)) as Record<string, number>;
  if (Object.keys(add).length === 0) return;
  await dynamo(() =>
    db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.counts(campaignId),
        ...buildUpdate({ add }),
      }),
    ),
  );
}

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import type { Db } from '../data/client.ts';
import { isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { stripKeys } from '../data/pagination.ts';
import { buildUpdate } from '../data/update-expression.ts';
import { ConflictError, ValidationError } from '../errors/app-error.ts';
import { campaignKeys } from './campaign-keys.ts';
import type { UpdateCampaignBodySchema } from './campaign-update-schema.ts';
import { callerIds, checkCallerIds, requireCampaign } from './campaign-service.ts';
import { getCampaign, getContactCounts } from './campaign-store.ts';
import type { Campaign, CampaignStatus } from './campaign-types.ts';

/** Statuses in which a campaign's settings may change (nothing is being dialed). */
export const EDITABLE_STATUSES: readonly CampaignStatus[] = ['draft', 'paused'];

export type CampaignPatch = z.output<typeof UpdateCampaignBodySchema>;

const invalid = (path: string, message: string) =>
  new ValidationError(`${path} ${message}`, { details: [{ path, message }] });

const notEditable = (status: CampaignStatus | undefined) =>
  new ConflictError(
    `A ${status ?? 'missing'} campaign cannot be edited; pause it first (only draft and paused campaigns change).`,
    { details: { reason: 'campaign_not_editable', status } },
  );

/** The campaign with `patch` applied (pure: what the checks and the write both read). */
export function applyCampaignPatch(current: Campaign, patch: CampaignPatch): Campaign {
  const next: Campaign = { ...current };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.from !== undefined) next.from = patch.from === null ? undefined : callerIds(patch.from);
  if (patch.schedule !== undefined) {
    next.schedule = {
      ...(patch.schedule.startAt ? { startAt: new Date(patch.schedule.startAt).toISOString() } : {}),
      ...(patch.schedule.endAt ? { endAt: new Date(patch.schedule.endAt).toISOString() } : {}),
    } as Campaign['schedule'];
  }
  if (patch.callingWindow !== undefined) next.callingWindow = patch.callingWindow;
  if (patch.timezone !== undefined) next.timezone = patch.timezone ?? undefined;
  if (patch.maxConcurrentCalls !== undefined) next.maxConcurrentCalls = patch.maxConcurrentCalls;
  if (patch.retry !== undefined) {
    next.retry = { ...current.retry };
    for (const [outcome, rule] of Object.entries(patch.retry)) {
      if (rule) next.retry[outcome as keyof Campaign['retry']] = rule;
    }
  }
  if (patch.variables !== undefined) next.variables = patch.variables ?? {};
  return next;
}

/**
 * Edits a draft or paused campaign. 409 `conflict` (`details.reason: campaign_not_editable`)
 * otherwise; 400 naming the field for what the body alone cannot say is wrong.
 */
export async function updateCampaign(
  db: Db,
  tenantId: string,
  campaignId: string,
  patch: CampaignPatch,
  now = new Date(),
): Promise<Campaign> {
  const current = await requireCampaign(db, tenantId, campaignId);
  if (!EDITABLE_STATUSES.includes(current.status)) throw notEditable(current.status);
  const next = applyCampaignPatch(current, patch);

  const { startAt, endAt } = next.schedule;
  if (startAt && endAt && Date.parse(startAt) >= Date.parse(endAt))
    throw invalid('schedule.endAt', 'must be after schedule.startAt');
  if (patch.from !== undefined) await checkCallerIds(db, tenantId, current.agentId, next.from);
  if (patch.variables !== undefined) await checkDroppedVariables(db, current, next);

  const set: Record<string, unknown> = {
    name: next.name,
    schedule: next.schedule,
    callingWindow: next.callingWindow,
    maxConcurrentCalls: next.maxConcurrentCalls,
    retry: next.retry,
    variables: next.variables,
    updatedAt: now.toISOString(),
    ...(next.from ? { from: next.from } : {}),
    ...(next.timezone ? { timezone: next.timezone } : {}),
  };
  const remove = [...(next.from ? [] : ['from']), ...(next.timezone ? [] : ['timezone'])];
  try {
    // The status is checked again in the write: a campaign started meanwhile is not changed under the dialer.
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.campaign(tenantId, campaignId),
        ...buildUpdate({
          set,
          remove,
          condition: {
            expression: `attribute_exists(pk) AND #status IN (${EDITABLE_STATUSES.map((_, i) => `:editable${i}`).join(', ')})`,
            names: { '#status': 'status' },
            values: Object.fromEntries(EDITABLE_STATUSES.map((status, i) => [`:editable${i}`, status])),
          },
        }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<Campaign>(out.Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) throw notEditable((await getCampaign(db, tenantId, campaignId))?.status);
    throw translateDynamoError(error);
  }
}

/**
 * Contacts were checked at upload against the campaign's values: once there are contacts, a value
 * filling one of the agent's placeholders may not be taken away (they may rely on it).
 */
async function checkDroppedVariables(db: Db, current: Campaign, next: Campaign): Promise<void> {
  const dropped = Object.keys(current.variables).filter(
    (name) => !(name in next.variables) && current.placeholders.includes(name),
  );
  if (dropped.length === 0) return;
  const counts = await getContactCounts(db, current.id);
  if (Object.values(counts).some((n) => n > 0)) {
    throw invalid(
      `variables.${dropped[0]}`,
      'fills a placeholder of the agent and the campaign has contacts that may rely on it',
    );
  }
}

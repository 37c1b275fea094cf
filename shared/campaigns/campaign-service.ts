import type { z } from 'zod';
import { resolveCallerNumber } from '../calls/caller-number.ts';
import { getAgent } from '../data/agents.ts';
import type { Db } from '../data/client.ts';
import { AppError, NotFoundError, ValidationError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import type { CampaignSchema, CreateCampaignBodySchema } from './campaign-schemas.ts';
import { createCampaign, getCampaign, getContactCounts } from './campaign-store.ts';
import type { Campaign, ContactCounts } from './campaign-types.ts';
import { placeholdersIn } from './template-variables.ts';

const invalid = (path: string, message: string) =>
  new ValidationError(`${path} ${message}`, { details: [{ path, message }] });

/**
 * Creates a draft campaign after checking what the body alone cannot: the agent exists and has
 * a number to call from (or every `from` is the tenant's own number, of one provider).
 */
export async function createDraftCampaign(
  db: Db,
  tenantId: string,
  body: z.output<typeof CreateCampaignBodySchema>,
  now = new Date(),
): Promise<Campaign> {
  const agent = await getAgent(db, tenantId, body.agentId);
  if (!agent) throw invalid('agentId', 'is not an agent of this account');
  const from = body.from === undefined ? undefined : callerIds(body.from);
  await checkCallerIds(db, tenantId, agent.id, from);
  const campaign: Campaign = {
    id: newId('campaign', now.getTime()),
    tenantId,
    name: body.name,
    agentId: agent.id,
    from,
    schedule: {
      ...(body.schedule.startAt ? { startAt: new Date(body.schedule.startAt).toISOString() } : {}),
      ...(body.schedule.endAt ? { endAt: new Date(body.schedule.endAt).toISOString() } : {}),
    } as Campaign['schedule'],
    callingWindow: body.callingWindow,
    timezone: body.timezone,
    maxConcurrentCalls: body.maxConcurrentCalls,
    retry: body.retry,
    variables: body.variables ?? {},
    placeholders: placeholdersIn(agent.instructions, agent.greeting),
    status: 'draft',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await createCampaign(db, campaign);
  return campaign;
}

/** `from` as stored: one number or a pool, without repeats. */
export const callerIds = (from: string | string[]): string[] => [
  ...new Set(Array.isArray(from) ? from : [from]),
];

/**
 * Every caller id must be the tenant's own number, all of one provider; without any, the agent
 * must have a number of its own to call from (400 naming `from` or `agentId`).
 */
export async function checkCallerIds(
  db: Db,
  tenantId: string,
  agentId: string,
  from: string[] | undefined,
): Promise<void> {
  try {
    if (from) {
      const providers = new Set<string>();
      for (const number of from)
        providers.add((await resolveCallerNumber(db, tenantId, agentId, { from: number })).provider);
      if (providers.size > 1) throw invalid('from', 'must be numbers of one provider');
    } else {
      await resolveCallerNumber(db, tenantId, agentId, {});
    }
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_error' && !from) {
      throw invalid(
        'agentId',
        'has no outbound phone number: map one to the agent (POST /v1/phone-numbers) or pass from',
      );
    }
    throw error;
  }
}

export async function requireCampaign(db: Db, tenantId: string, campaignId: string): Promise<Campaign> {
  const campaign = await getCampaign(db, tenantId, campaignId);
  if (!campaign) throw new NotFoundError('Campaign not found.');
  return campaign;
}

export function presentCampaign(campaign: Campaign, counts: ContactCounts): z.output<typeof CampaignSchema> {
  return {
    id: campaign.id,
    name: campaign.name,
    agentId: campaign.agentId,
    ...(campaign.from ? { from: campaign.from } : {}),
    schedule: campaign.schedule,
    callingWindow: campaign.callingWindow,
    ...(campaign.timezone ? { timezone: campaign.timezone } : {}),
    maxConcurrentCalls: campaign.maxConcurrentCalls,
    retry: campaign.retry,
    variables: campaign.variables,
    placeholders: campaign.placeholders,
    status: campaign.status,
    counts,
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
    ...(campaign.startedAt ? { startedAt: campaign.startedAt } : {}),
    ...(campaign.endedAt ? { endedAt: campaign.endedAt } : {}),
    ...(campaign.endReason ? { endReason: campaign.endReason } : {}),
  };
}

export async function campaignView(db: Db, campaign: Campaign) {
  return presentCampaign(campaign, await getContactCounts(db, campaign.id));
}

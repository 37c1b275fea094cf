import { describe, expect, it } from 'vitest';
import { DialCommandSchema } from '#shared/campaigns/campaign-messages.ts';
import { dialContact } from '#shared/campaigns/dial-contact.ts';
import { createLogger } from '#shared/logging/logger.ts';
import { callDepsFromEnv } from '../lib/call-deps.ts';
import {
  campaignTenant,
  contactsByNumber,
  createCampaign,
  deliverDialCommands,
  drainQueue,
  runDispatcher,
  useCampaignPlatform,
} from '../../test/campaigns/campaign-test-kit.ts';
import type { Json } from '../../test/functions/api-test-client.ts';

const logger = createLogger({ level: 'error' });
const platform = useCampaignPlatform();

const WEEKDAYS_9_TO_6 = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' };
const NEW_YORK = '+12125550100';
const LONDON = '+442071838750';
const TOKYO = '+81312345678';

/** A running campaign (weekdays 09:00–18:00 local) with a contact in New York, London and Tokyo. */
async function worldCampaign() {
  const t = await campaignTenant(platform());
  const campaign = await createCampaign(t.api, {
    agentId: t.agentId,
    callingWindow: WEEKDAYS_9_TO_6,
    timezone: 'America/New_York',
  });
  const res = await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
    contacts: [{ number: NEW_YORK }, { number: LONDON }, { number: TOKYO }],
  });
  expect(res.body.rejected).toEqual([]);
  await t.api.post(`/v1/campaigns/${campaign.id}/start`);
  return { t, campaign };
}

/**
 * Runs the dispatcher at `iso` and the dialer on its commands at the same instant; returns the
 * numbers of `campaignId` it dialed. Other tests' campaigns are dispatched too (the dispatcher
 * serves every running campaign), so only this campaign's commands count.
 */
async function dispatchAt(campaignId: string, iso: string): Promise<string[]> {
  const now = new Date(iso);
  await runDispatcher(now);
  const records = await drainQueue(platform().env.QUEUE_CAMPAIGN_DIALS_URL as string);
  const deps = await callDepsFromEnv();
  const dialed: string[] = [];
  for (const command of records.map((r) => DialCommandSchema.parse(JSON.parse(r.body)))) {
    const result = await dialContact(deps, command, logger, now);
    if (command.campaignId === campaignId && result === 'placed') dialed.push(command.number);
  }
  return dialed.sort();
}

describe('calling windows in each contact’s zone', () => {
  it('dials each contact only inside its own local hours, across zones and the US DST change', async () => {
    const { t, campaign } = await worldCampaign();
    // Friday 2027-03-12 13:30Z: New York 08:30 EST (closed), London 13:30 (open), Tokyo 22:30 (closed).
    expect(await dispatchAt(campaign.id, '2027-03-12T13:30:00Z')).toEqual([LONDON]);
    let contacts = await contactsByNumber(t.api, campaign.id);
    expect(contacts.get(NEW_YORK)).toMatchObject({
      state: 'pending',
      nextAttemptAt: '2027-03-12T14:00:00.000Z',
    });
    // Tokyo's next opening is Monday 09:00 JST (Sunday 24:00 UTC): its Saturday is not a weekday.
    expect(contacts.get(TOKYO)).toMatchObject({
      state: 'pending',
      nextAttemptAt: '2027-03-15T00:00:00.000Z',
    });
    // Not due yet: nothing happens before New York opens.
    expect(await dispatchAt(campaign.id, '2027-03-12T13:59:00Z')).toEqual([]);
    // Tokyo opens first (Monday 09:00 JST); New York is still closed (Sunday).
    expect(await dispatchAt(campaign.id, '2027-03-15T00:00:00Z')).toEqual([TOKYO]);
    contacts = await contactsByNumber(t.api, campaign.id);
    // Missed on Friday (not dispatched then): Monday 09:00 EDT, which is 13:00Z after the change.
    expect(contacts.get(NEW_YORK)?.nextAttemptAt).toBe('2027-03-15T13:00:00.000Z');
    expect(await dispatchAt(campaign.id, '2027-03-15T12:59:00Z')).toEqual([]);
    expect(await dispatchAt(campaign.id, '2027-03-15T13:00:00Z')).toEqual([NEW_YORK]);
  });

  it('a contact due before the window closes but dispatched after it waits for the next opening', async () => {
    const { t, campaign } = await worldCampaign();
    // Friday 18:00 BST in London after the UK change (2027-03-28): closed; Monday 09:00 BST = 08:00Z.
    expect(await dispatchAt(campaign.id, '2027-04-02T17:00:00Z')).toEqual([NEW_YORK]);
    const contacts = await contactsByNumber(t.api, campaign.id);
    expect(contacts.get(LONDON)).toMatchObject({
      state: 'pending',
      nextAttemptAt: '2027-04-05T08:00:00.000Z',
    });
  });

  it('checks the window again at dial time: a command that arrives after it closed is given back', async () => {
    const t = await campaignTenant(platform());
    const today = new Date().getUTCDay();
    const names = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    // Every day but today (UTC): the dispatcher (at a fixed instant tomorrow) claims, the dialer (now) must not dial.
    const days = names.filter((_, i) => i !== today);
    const campaign = await createCampaign(t.api, {
      agentId: t.agentId,
      callingWindow: { days, start: '00:00', end: '23:59' },
    });
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: [{ number: LONDON, timezone: 'UTC' }],
    });
    await t.api.post(`/v1/campaigns/${campaign.id}/start`);
    const tomorrowNoon = new Date();
    tomorrowNoon.setUTCDate(tomorrowNoon.getUTCDate() + 1);
    tomorrowNoon.setUTCHours(12, 0, 0, 0);
    await runDispatcher(tomorrowNoon);
    const commands = await deliverDialCommands();
    expect(commands.map((c: Json) => c.number)).toEqual([LONDON]);
    expect((await t.api.get('/v1/calls?direction=outbound')).body.items).toEqual([]);
    const contact = (await contactsByNumber(t.api, campaign.id)).get(LONDON);
    expect(contact).toMatchObject({ state: 'pending', attempts: 0 });
    expect(new Date(contact.nextAttemptAt).getUTCDay()).toBe((today + 1) % 7);
  });
});

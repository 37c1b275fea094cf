import { describe, expect, it } from 'vitest';
import {
  campaignTenant,
  contactsByNumber,
  countsOf,
  createCampaign,
  useCampaignPlatform,
} from '../../test/campaigns/campaign-test-kit.ts';
import { expectError, type Json } from '../../test/functions/api-test-client.ts';

const platform = useCampaignPlatform();

describe('campaign API', () => {
  it('creates a draft with defaults and shows zero counts for every state', async () => {
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    expect(campaign).toMatchObject({
      status: 'draft',
      maxConcurrentCalls: 10,
      retry: { onNoAnswer: { maxAttempts: 1, delayMinutes: 0 } },
      placeholders: [],
    });
    expect(Object.values(campaign.counts)).toEqual(Array(11).fill(0));
    const listed = await t.api.get('/v1/campaigns');
    expect(listed.body.items.map((c: Json) => c.id)).toEqual([campaign.id]);
  });

  it.each([
    [{ callingWindow: { start: '18:00', end: '09:00' } }, 'callingWindow.end'],
    [{ callingWindow: { start: '9am', end: '18:00' } }, 'callingWindow.start'],
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ schedule: { startAt: '2027-01-02T00:00:00Z', endAt: '2027-01-01T00:00:00Z' } }, 'schedule.endAt'],
    [{ retry: { onBusy: { maxAttempts: 0, delayMinutes: 5 } } }, 'retry.onBusy.maxAttempts'],
    [{ from: '+14155550000' }, 'from'],
  ])('answers 400 naming the field for %j', async (patch, field) => {
    const t = await campaignTenant(platform());
    const res = await t.api.post('/v1/campaigns', {
      name: 'x',
      agentId: t.agentId,
      callingWindow: { start: '09:00', end: '18:00' },
      ...patch,
    });
    expectError(res, 400, 'validation_error');
    expect(res.body.error.details.map((d: Json) => d.path)).toContain(field);
  });

  it('answers 400 naming agentId for an agent without an outbound number', async () => {
    const t = await campaignTenant(platform());
    const agent = await t.api.post('/v1/agents', { name: 'No number', instructions: 'Hi.' });
    const res = await t.api.post('/v1/campaigns', {
      name: 'x',
      agentId: agent.body.agent.id,
      callingWindow: { start: '09:00', end: '18:00' },
    });
    expectError(res, 400, 'validation_error');
    expect(res.body.error.details[0].path).toBe('agentId');
  });

  it('checks every contact on its own: bad numbers, duplicates, zones, variables, do-not-call', async () => {
    const t = await campaignTenant(platform());
    const agent = await t.api.post('/v1/agents', {
      name: 'Reminder',
      instructions: 'Remind {{firstName}} of the appointment at {{appointmentTime}} in {{clinic}}.',
      greeting: 'Hello {{firstName}}!',
    });
    await t.api.post('/v1/phone-numbers', {
      number: '+16285559901',
      agentId: agent.body.agent.id,
      provider: 'asterisk',
    });
    const campaign = await createCampaign(t.api, {
      agentId: agent.body.agent.id,
      variables: { clinic: 'Main St' },
    });
    expect(campaign.placeholders).toEqual(['firstName', 'appointmentTime', 'clinic']);
    expect((await t.api.post('/v1/dnc', { number: '+442071830003' })).status).toBe(201);
    const vars = { firstName: 'Ada', appointmentTime: '3 pm' };
    const res = await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: [
        { number: '+442071830001', variables: vars },
        { number: '+44 20 7183 0001', variables: vars },
        { number: '+4420', variables: vars },
        { number: '+14155550100', variables: vars },
        { number: '+14155550101', timezone: 'America/Nowhere', variables: vars },
        { number: '+14155550102', timezone: 'America/Denver', variables: vars },
        { number: '+442071830002', variables: { ...vars, lastName: 'L' } },
        { number: '+442071830004', variables: { firstName: 'Bo' } },
        { number: '+442071830003', variables: vars },
        { phone: '+442071830005' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 3,
      skippedDnc: 1,
      rejected: [
        { index: 1, number: '+442071830001', error: 'duplicate' },
        { index: 2, number: '+4420', error: 'invalid_number' },
        { index: 3, number: '+14155550100', error: 'timezone_required' },
        { index: 4, number: '+14155550101', error: 'invalid_timezone' },
        { index: 6, number: '+442071830002', error: 'unknown_variable lastName' },
        { index: 7, number: '+442071830004', error: 'missing_variable appointmentTime' },
        { index: 9, number: '', error: 'invalid_row' },
      ],
    });
    const again = await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: [{ number: '+442071830001', variables: vars }],
    });
    expect(again.body.rejected).toEqual([{ index: 0, number: '+442071830001', error: 'duplicate' }]);
    expect(await countsOf(t.api, campaign.id)).toMatchObject({ pending: 2, skipped_dnc: 1 });
    const contacts = await contactsByNumber(t.api, campaign.id);
    expect(contacts.get('+14155550102')).toMatchObject({ timezone: 'America/Denver', state: 'pending' });
    expect(contacts.get('+442071830001')).toMatchObject({ timezone: 'Europe/London' });
  });

  it('refuses a batch over 1,000 contacts and takes a 1,000-contact batch over 64 KB', async () => {
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, { agentId: t.agentId, timezone: 'America/Chicago' });
    const contact = (i: number) => ({
      number: `+1312555${String(i).padStart(4, '0')}`,
      timezone: 'America/Chicago',
    });
    const tooMany = await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: Array.from({ length: 1001 }, (_, i) => contact(i)),
    });
    expectError(tooMany, 400, 'validation_error');
    const full = await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: Array.from({ length: 1000 }, (_, i) => contact(i)),
    });
    expect(full.status).toBe(200);
    expect(full.body.accepted).toBe(1000);
    expect((await countsOf(t.api, campaign.id)).pending).toBe(1000);
  });
});

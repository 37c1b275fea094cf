import { describe, expect, it } from 'vitest';
import {
  campaignTenant,
  createCampaign,
  useCampaignPlatform,
} from '../../test/campaigns/campaign-test-kit.ts';
import { expectError, type Json } from '../../test/functions/api-test-client.ts';

/** PATCH /v1/campaigns/{id} against DynamoDB Local: what changes, when it may, and bad input. */
const platform = useCampaignPlatform();

describe('PATCH /v1/campaigns/{id}', () => {
  it('changes the named fields of a draft, merges retry per outcome and keeps the rest', async () => {
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, {
      agentId: t.agentId,
      timezone: 'America/Chicago',
      retry: { onBusy: { maxAttempts: 3, delayMinutes: 10 } },
      variables: { clinic: 'North' },
    });
    const res = await t.api.patch(`/v1/campaigns/${campaign.id}`, {
      name: '  Flu shots  ',
      schedule: { startAt: '2027-03-01T09:00:00+01:00', endAt: '2027-03-31T18:00:00Z' },
      callingWindow: { days: ['sat'], start: '10:00', end: '12:30' },
      maxConcurrentCalls: 3,
      retry: { onNoAnswer: { maxAttempts: 2, delayMinutes: 60 } },
      from: [t.from, t.from],
      variables: { clinic: 'South', doctor: 'Dr. Lee' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.campaign).toMatchObject({
      id: campaign.id,
      name: 'Flu shots',
      status: 'draft',
      agentId: t.agentId,
      timezone: 'America/Chicago',
      schedule: { startAt: '2027-03-01T08:00:00.000Z', endAt: '2027-03-31T18:00:00.000Z' },
      callingWindow: { days: ['sat'], start: '10:00', end: '12:30' },
      maxConcurrentCalls: 3,
      retry: {
        onNoAnswer: { maxAttempts: 2, delayMinutes: 60 },
        onBusy: { maxAttempts: 3, delayMinutes: 10 },
        onFailed: { maxAttempts: 1, delayMinutes: 0 },
      },
      from: [t.from],
      variables: { clinic: 'South', doctor: 'Dr. Lee' },
    });
    expect(res.body.campaign.updatedAt > campaign.updatedAt).toBe(true);
    expect((await t.api.get(`/v1/campaigns/${campaign.id}`)).body.campaign).toEqual(res.body.campaign);

    // null takes the caller id pool and the fallback zone away; an empty schedule has no bounds.
    const cleared = await t.api.patch(`/v1/campaigns/${campaign.id}`, {
      from: null,
      timezone: null,
      schedule: {},
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body.campaign.from).toBeUndefined();
    expect(cleared.body.campaign.timezone).toBeUndefined();
    expect(cleared.body.campaign.schedule).toEqual({});
    expect(cleared.body.campaign.name).toBe('Flu shots');
  });

  it('edits a paused campaign, and refuses a running, completed or canceled one with 409 campaign_not_editable', async () => {
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    const path = `/v1/campaigns/${campaign.id}`;
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, { contacts: [{ number: '+442071839001' }] });
    expect((await t.api.post(`${path}/start`)).status).toBe(200);

    const running = await t.api.patch(path, { maxConcurrentCalls: 5 });
    expectError(running, 409, 'conflict');
    expect(running.body.error.details).toEqual({ reason: 'campaign_not_editable', status: 'running' });

    await t.api.post(`${path}/pause`);
    const paused = await t.api.patch(path, { maxConcurrentCalls: 5 });
    expect(paused.status).toBe(200);
    expect(paused.body.campaign).toMatchObject({ status: 'paused', maxConcurrentCalls: 5 });

    await t.api.post(`${path}/cancel`);
    const canceled = await t.api.patch(path, { name: 'Again' });
    expectError(canceled, 409, 'conflict');
    expect(canceled.body.error.details.status).toBe('canceled');
    expect((await t.api.get(path)).body.campaign.name).toBe('Reminders');
  });

  it.each([
    [{ callingWindow: { start: '18:00', end: '09:00' } }, 'callingWindow.end'],
    [{ callingWindow: { start: '9am', end: '18:00' } }, 'callingWindow.start'],
    [{ schedule: { startAt: '2027-01-02T00:00:00Z', endAt: '2027-01-01T00:00:00Z' } }, 'schedule.endAt'],
    [{ retry: { onBusy: { maxAttempts: 11, delayMinutes: 5 } } }, 'retry.onBusy.maxAttempts'],
    [{ maxConcurrentCalls: 0 }, 'maxConcurrentCalls'],
    [{ name: ' ' }, 'name'],
    [{ from: '+14155550000' }, 'from'],
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ variables: { 'bad name': 'x' } }, 'variables.bad name'],
  ])('answers 400 naming the field for %j', async (patch, field) => {
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    const res = await t.api.patch(`/v1/campaigns/${campaign.id}`, patch);
    expectError(res, 400, 'validation_error');
    expect(res.body.error.details.map((d: Json) => d.path)).toContain(field);
    expect((await t.api.get(`/v1/campaigns/${campaign.id}`)).body.campaign.updatedAt).toBe(
      campaign.updatedAt,
    );
  });

  it('refuses to change the agent (contacts were checked against its placeholders)', async () => {
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    const res = await t.api.patch(`/v1/campaigns/${campaign.id}`, { agentId: 'agt_other' });
    expectError(res, 400, 'validation_error');
    expect(JSON.stringify(res.body.error)).toContain('agentId');
  });

  it('keeps a value the agent’s placeholders need once contacts rely on it', async () => {
    const t = await campaignTenant(platform());
    const agent = await t.api.post('/v1/agents', {
      name: 'R',
      instructions: 'Remind {{firstName}} at {{clinic}}.',
    });
    await t.api.post('/v1/phone-numbers', {
      number: '+16285559951',
      agentId: agent.body.agent.id,
      provider: 'asterisk',
    });
    const campaign = await createCampaign(t.api, {
      agentId: agent.body.agent.id,
      variables: { clinic: 'Main St', note: 'x' },
    });
    const path = `/v1/campaigns/${campaign.id}`;
    // Without contacts anything goes.
    expect((await t.api.patch(path, { variables: { note: 'y' } })).status).toBe(200);
    expect((await t.api.patch(path, { variables: { clinic: 'Main St' } })).status).toBe(200);
    const added = await t.api.post(`${path}/contacts`, {
      contacts: [{ number: '+442071839101', variables: { firstName: 'Ada' } }],
    });
    expect(added.body.accepted).toBe(1);
    const dropped = await t.api.patch(path, { variables: null });
    expectError(dropped, 400, 'validation_error');
    expect(dropped.body.error.details[0].path).toBe('variables.clinic');
    // Changing its value is fine.
    expect((await t.api.patch(path, { variables: { clinic: 'Elm St' } })).body.campaign.variables).toEqual({
      clinic: 'Elm St',
    });
  });

  it('answers 404 for another tenant’s campaign', async () => {
    const a = await campaignTenant(platform());
    const b = await campaignTenant(platform());
    const campaign = await createCampaign(a.api, { agentId: a.agentId });
    expectError(await b.api.patch(`/v1/campaigns/${campaign.id}`, { name: 'Mine' }), 404, 'not_found');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createSqsClient } from '#shared/queues/sqs-client.ts';
import {
  campaignTenant,
  contactsByNumber,
  countsOf,
  createCampaign,
  deliverDialCommands,
  drainQueue,
  finishCall,
  runDispatcher,
  useSqs,
} from '../../test/campaigns/campaign-test-kit.ts';
import { expectError, type Json } from '../../test/functions/api-test-client.ts';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';

let platform: TestPlatform;
let sqs: ReturnType<typeof createSqsClient>;
beforeAll(async () => {
  platform = await startTestPlatform();
  sqs = createSqsClient({ endpoint: platform.env.SQS_ENDPOINT });
  useSqs(sqs);
});
afterAll(async () => {
  sqs?.destroy();
  await platform?.stop();
});

const numbers = (first: number, n: number) =>
  Array.from({ length: n }, (_, i) => `+44207183${String(first + i).padStart(4, '0')}`);

/** Calls the tenant placed, newest first (through the calls API, as a customer would see them). */
async function outboundCalls(t: Awaited<ReturnType<typeof campaignTenant>>): Promise<Json[]> {
  const res = await t.api.get('/v1/calls?direction=outbound&limit=100');
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('campaign API', () => {
  it('creates a draft with defaults and shows zero counts for every state', async () => {
    const t = await campaignTenant(platform);
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
    const t = await campaignTenant(platform);
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
    const t = await campaignTenant(platform);
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
    const t = await campaignTenant(platform);
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
    const t = await campaignTenant(platform);
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

describe('dispatching', () => {
  it('never dials more than the campaign allows at once, nor a contact twice for duplicate commands', async () => {
    const t = await campaignTenant(platform);
    const campaign = await createCampaign(t.api, {
      agentId: t.agentId,
      maxConcurrentCalls: 2,
      variables: { clinic: 'North' },
    });
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: numbers(100, 5).map((number) => ({ number })),
    });
    // A draft is not dispatched.
    await runDispatcher();
    expect(await drainQueue(platform.env.QUEUE_CAMPAIGN_DIALS_URL as string)).toHaveLength(0);
    expect((await t.api.post(`/v1/campaigns/${campaign.id}/start`)).body.campaign.status).toBe('running');

    // Two overlapping dispatcher runs share the campaign's two slots (its lease), no more.
    await Promise.all([runDispatcher(), runDispatcher()]);
    expect(await countsOf(t.api, campaign.id)).toMatchObject({ pending: 3, dialing: 2 });
    // Every command delivered three times at once: one call per contact.
    const commands = await deliverDialCommands(3);
    expect(commands).toHaveLength(2);
    const calls = await outboundCalls(t);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c: Json) => c.to))).toEqual(new Set(commands.map((c: Json) => c.number)));
    expect(calls[0].metadata).toMatchObject({ campaignId: campaign.id });
    const stored = await getCall(dbFromEnv(), t.tenant.id, calls[0].id);
    expect(stored?.variables).toEqual({ clinic: 'North' });
    // A command delivered again after it was handled is stale.
    await deliverDialCommands(1);
    expect(await outboundCalls(t)).toHaveLength(2);

    // Full: the next run claims nothing until a call ends.
    await runDispatcher();
    expect(await drainQueue(platform.env.QUEUE_CAMPAIGN_DIALS_URL as string)).toHaveLength(0);
    await finishCall(t.tenant.id, calls[0].id, {
      status: 'completed',
      endReason: 'caller_hangup',
      answered: true,
    });
    await runDispatcher();
    expect(await deliverDialCommands()).toHaveLength(1);
    expect(await countsOf(t.api, campaign.id)).toMatchObject({ pending: 2, dialing: 2, completed: 1 });
  });

  it('pause stops new dials but never cuts a live call; resume and cancel', async () => {
    const t = await campaignTenant(platform);
    const campaign = await createCampaign(t.api, { agentId: t.agentId, maxConcurrentCalls: 1 });
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: numbers(200, 3).map((number) => ({ number })),
    });
    await t.api.post(`/v1/campaigns/${campaign.id}/start`);
    await runDispatcher();
    await deliverDialCommands();
    const [live] = await outboundCalls(t);
    await finishCall(t.tenant.id, live.id, {
      status: 'completed',
      endReason: 'caller_hangup',
      answered: false,
    });
    await runDispatcher();
    // Claimed, then paused before the command ran: the dialer gives the contact back.
    expect((await t.api.post(`/v1/campaigns/${campaign.id}/pause`)).body.campaign.status).toBe('paused');
    await deliverDialCommands();
    expect(await outboundCalls(t)).toHaveLength(1);
    expect(await countsOf(t.api, campaign.id)).toMatchObject({ pending: 2, dialing: 0, completed: 1 });
    await runDispatcher();
    expect(await drainQueue(platform.env.QUEUE_CAMPAIGN_DIALS_URL as string)).toHaveLength(0);
    expectError(await t.api.post(`/v1/campaigns/${campaign.id}/pause`), 409, 'conflict');

    await t.api.post(`/v1/campaigns/${campaign.id}/resume`);
    await runDispatcher();
    await deliverDialCommands();
    const calls = await outboundCalls(t);
    expect(calls).toHaveLength(2);
    // Pausing with a call in flight leaves the call alone; its outcome still lands.
    await t.api.post(`/v1/campaigns/${campaign.id}/pause`);
    expect((await t.api.get(`/v1/calls/${calls[0].id}`)).body.call.status).toBe('queued');
    await finishCall(t.tenant.id, calls[0].id, {
      status: 'completed',
      endReason: 'caller_hangup',
      answered: true,
    });
    expect(await countsOf(t.api, campaign.id)).toMatchObject({
      pending: 1,
      completed: 2,
      dialing: 0,
      in_call: 0,
    });

    const canceled = await t.api.post(`/v1/campaigns/${campaign.id}/cancel`);
    expect(canceled.body.campaign).toMatchObject({ status: 'canceled', endReason: 'canceled' });
    expectError(await t.api.post(`/v1/campaigns/${campaign.id}/resume`), 409, 'conflict');
    expectError(
      await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
        contacts: [{ number: numbers(300, 1)[0] }],
      }),
      409,
      'conflict',
    );
  });

  it('retries by outcome, then settles no_answer, busy, voicemail, failed and exhausted', async () => {
    const t = await campaignTenant(platform);
    const campaign = await createCampaign(t.api, {
      agentId: t.agentId,
      maxConcurrentCalls: 10,
      retry: {
        onNoAnswer: { maxAttempts: 2, delayMinutes: 0 },
        onBusy: { maxAttempts: 1, delayMinutes: 0 },
        onVoicemail: { maxAttempts: 2, delayMinutes: 0 },
        onFailed: { maxAttempts: 1, delayMinutes: 0 },
      },
    });
    const [noAnswer, busy, voicemail, failed, answered] = numbers(400, 5) as [
      string,
      string,
      string,
      string,
      string,
    ];
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: [noAnswer, busy, voicemail, failed, answered].map((number) => ({ number })),
    });
    await t.api.post(`/v1/campaigns/${campaign.id}/start`);
    const attempt = async () => {
      await runDispatcher();
      await deliverDialCommands();
      const calls = await outboundCalls(t);
      const live = new Map<string, Json>();
      for (const call of calls) if (call.status === 'queued') live.set(call.to, call);
      return live;
    };
    let live = await attempt();
    expect(live.size).toBe(5);
    const id = (number: string) => live.get(number).id;
    // Each outcome's event delivered twice: the second does nothing.
    await finishCall(t.tenant.id, id(noAnswer), { status: 'no_answer', endReason: 'no_answer' }, 2);
    await finishCall(t.tenant.id, id(busy), { status: 'busy', endReason: 'busy' }, 2);
    await finishCall(
      t.tenant.id,
      id(voicemail),
      { status: 'completed', endReason: 'voicemail', answered: true },
      2,
    );
    await finishCall(t.tenant.id, id(failed), { status: 'failed', endReason: 'provider_rejected' }, 2);
    await finishCall(
      t.tenant.id,
      id(answered),
      { status: 'completed', endReason: 'agent_hangup', answered: true },
      2,
    );
    let contacts = await contactsByNumber(t.api, campaign.id);
    expect(
      Object.fromEntries([...contacts].map(([n, c]) => [n, [c.state, c.attempts, c.lastOutcome]])),
    ).toEqual({
      [noAnswer]: ['scheduled', 1, 'no_answer'],
      [busy]: ['busy', 1, 'busy'],
      [voicemail]: ['scheduled', 1, 'voicemail'],
      [failed]: ['failed', 1, 'failed'],
      [answered]: ['completed', 1, 'completed'],
    });

    live = await attempt();
    expect([...live.keys()].sort()).toEqual([noAnswer, voicemail].sort());
    await finishCall(t.tenant.id, id(noAnswer), { status: 'no_answer', endReason: 'no_answer' });
    await finishCall(t.tenant.id, id(voicemail), {
      status: 'completed',
      endReason: 'voicemail',
      answered: true,
    });
    contacts = await contactsByNumber(t.api, campaign.id);
    expect(contacts.get(noAnswer)).toMatchObject({ state: 'exhausted', attempts: 2 });
    expect(contacts.get(voicemail)).toMatchObject({
      state: 'exhausted',
      attempts: 2,
      lastOutcome: 'voicemail',
    });
    expect(await countsOf(t.api, campaign.id)).toEqual({
      pending: 0,
      scheduled: 0,
      dialing: 0,
      in_call: 0,
      completed: 1,
      no_answer: 0,
      busy: 1,
      voicemail: 0,
      failed: 1,
      skipped_dnc: 0,
      exhausted: 2,
    });
    // Every contact is final: the next run completes the campaign.
    await runDispatcher();
    expect((await t.api.get(`/v1/campaigns/${campaign.id}`)).body.campaign).toMatchObject({
      status: 'completed',
      endReason: 'all_contacts_final',
    });
  });

  it('checks the do-not-call list again at dial time, and DELETE takes a number off it', async () => {
    const t = await campaignTenant(platform);
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    const [first, second] = numbers(500, 2) as [string, string];
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: [{ number: first }, { number: second }],
    });
    await t.api.post(`/v1/campaigns/${campaign.id}/start`);
    await runDispatcher();
    // Opted out after the upload and after the claim, before the dial.
    expect((await t.api.post('/v1/dnc', { number: first, reason: 'asked by email' })).status).toBe(201);
    expect((await t.api.post('/v1/dnc', { number: first })).status).toBe(200);
    await deliverDialCommands();
    const calls = await outboundCalls(t);
    expect(calls.map((c: Json) => c.to)).toEqual([second]);
    expect((await contactsByNumber(t.api, campaign.id)).get(first)).toMatchObject({
      state: 'skipped_dnc',
      attempts: 0,
    });
    const list = await t.api.get('/v1/dnc');
    expect(list.body.items).toEqual([
      expect.objectContaining({ number: first, source: 'api', reason: 'asked by email' }),
    ]);
    expect((await t.api.delete(`/v1/dnc/${encodeURIComponent(first)}`)).status).toBe(204);
    expectError(await t.api.delete(`/v1/dnc/${encodeURIComponent(first)}`), 404, 'not_found');
  });

  it('gives back a claim whose command was lost, and settles a call whose end event was lost', async () => {
    const t = await campaignTenant(platform);
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    const [lost, quiet] = numbers(600, 2) as [string, string];
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, { contacts: [{ number: lost }] });
    await t.api.post(`/v1/campaigns/${campaign.id}/start`);
    await runDispatcher();
    await drainQueue(platform.env.QUEUE_CAMPAIGN_DIALS_URL as string); // the command is lost
    expect(await countsOf(t.api, campaign.id)).toMatchObject({ dialing: 1, pending: 0 });
    const later = new Date(Date.now() + 3 * 60_000);
    await runDispatcher(later);
    // Given back and claimed again in the same run: a fresh command with a fresh token.
    const [command] = await deliverDialCommands();
    expect(command.number).toBe(lost);
    const [call] = await outboundCalls(t);
    expect(call.to).toBe(lost);

    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, { contacts: [{ number: quiet }] });
    // The call ends, but its event never reaches the campaign: the dispatcher settles it.
    await t.api.post(`/v1/calls/${call.id}/end`);
    await runDispatcher(new Date(Date.now() + 10 * 60_000));
    expect((await contactsByNumber(t.api, campaign.id)).get(lost)).toMatchObject({
      state: 'failed',
      lastCallId: call.id,
    });
  });
});

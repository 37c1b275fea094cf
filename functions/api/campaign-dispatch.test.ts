import { describe, expect, it } from 'vitest';
import { getCall } from '#shared/data/calls.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import {
  campaignTenant,
  contactsByNumber,
  countsOf,
  createCampaign,
  deliverDialCommands,
  drainQueue,
  finishCall,
  numbers,
  outboundCalls,
  runDispatcher,
  useCampaignPlatform,
} from '../../test/campaigns/campaign-test-kit.ts';
import { expectError, type Json } from '../../test/functions/api-test-client.ts';

const platform = useCampaignPlatform();

describe('dispatching', () => {
  it('never dials more than the campaign allows at once, nor a contact twice for duplicate commands', async () => {
    const t = await campaignTenant(platform());
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
    expect(await drainQueue(platform().env.QUEUE_CAMPAIGN_DIALS_URL as string)).toHaveLength(0);
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
    expect(await drainQueue(platform().env.QUEUE_CAMPAIGN_DIALS_URL as string)).toHaveLength(0);
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
    const t = await campaignTenant(platform());
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
    expect(await drainQueue(platform().env.QUEUE_CAMPAIGN_DIALS_URL as string)).toHaveLength(0);
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
    const t = await campaignTenant(platform());
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
});

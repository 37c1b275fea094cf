import { describe, expect, it } from 'vitest';
import {
  campaignTenant,
  contactsByNumber,
  countsOf,
  createCampaign,
  deliverDialCommands,
  drainQueue,
  numbers,
  outboundCalls,
  runDispatcher,
  useCampaignPlatform,
} from '../../test/campaigns/campaign-test-kit.ts';
import { expectError, type Json } from '../../test/functions/api-test-client.ts';

const platform = useCampaignPlatform();

describe('dispatching: checks at dial time', () => {
  it('checks the do-not-call list again at dial time, and DELETE takes a number off it', async () => {
    const t = await campaignTenant(platform());
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
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    const [lost, quiet] = numbers(600, 2) as [string, string];
    await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, { contacts: [{ number: lost }] });
    await t.api.post(`/v1/campaigns/${campaign.id}/start`);
    await runDispatcher();
    await drainQueue(platform().env.QUEUE_CAMPAIGN_DIALS_URL as string); // the command is lost
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

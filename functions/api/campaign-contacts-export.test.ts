import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '#shared/exports/csv.ts';
import { campaignTenant, contactsByNumber, createCampaign } from '../../test/campaigns/campaign-test-kit.ts';
import { type ApiClient, expectError, type Json } from '../../test/functions/api-test-client.ts';
import { waitFor } from '../../test/functions/post-call-test-kit.ts';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  // The export consumer runs on the platform's queue, as in production.
  platform = await startTestPlatform({ startPollers: true, queueVisibilitySeconds: 1 });
}, 60_000);
afterAll(() => platform?.stop());

/** Requests an export and returns the finished job once its file is ready. */
async function exported(api: ApiClient, body: Record<string, unknown>): Promise<Json> {
  const created = await api.post('/v1/exports', body);
  expect(created.status).toBe(202);
  expect(created.body.export).toMatchObject({ type: 'campaign_contacts', status: 'queued' });
  return waitFor('the contacts export', async () => {
    const res = await api.get(`/v1/exports/${created.body.export.id}`);
    return res.body.export.status === 'completed' ? res.body.export : undefined;
  });
}

describe('campaign contacts export', () => {
  it('writes every contact as the API shows it, in CSV and JSONL, filtered by state', async () => {
    const t = await campaignTenant(platform);
    const agent = await t.api.post('/v1/agents', {
      name: 'Reminder',
      instructions: 'Remind {{firstName}} of the visit in {{clinic}}.',
      greeting: 'Hello {{firstName}}!',
    });
    await t.api.post('/v1/phone-numbers', {
      number: '+16285559902',
      agentId: agent.body.agent.id,
      provider: 'asterisk',
    });
    const campaign = await createCampaign(t.api, {
      agentId: agent.body.agent.id,
      variables: { clinic: 'Main St' },
    });
    expect((await t.api.post('/v1/dnc', { number: '+442071830013' })).status).toBe(201);
    const added = await t.api.post(`/v1/campaigns/${campaign.id}/contacts`, {
      contacts: [
        { number: '+442071830011', variables: { firstName: '=cmd|calc' } },
        { number: '+442071830012', variables: { firstName: 'Ada, "the first"' } },
        { number: '+442071830013', variables: { firstName: 'Opted out' } },
        { number: '+14155550112', timezone: 'America/Denver', variables: { firstName: 'Bo' } },
      ],
    });
    expect(added.body).toEqual({ accepted: 4, skippedDnc: 1, rejected: [] });
    const shown = await contactsByNumber(t.api, campaign.id);
    expect(shown.size).toBe(4);

    const csv = await exported(t.api, { type: 'campaign_contacts', campaignId: campaign.id });
    expect(csv).toMatchObject({ rowsWritten: 4, percent: 100, format: 'csv', campaignId: campaign.id });
    const file = await fetch(csv.url);
    expect(file.status).toBe(200);
    const [header, ...rows] = parseCsv(await file.text()) as [string[], ...string[][]];
    expect(header).toEqual(expect.arrayContaining(['number', 'state', 'attempts', 'timezone']));
    expect(header.filter((c) => c.startsWith('variables.'))).toEqual([
      'variables.clinic',
      'variables.firstName',
    ]);
    const col = (name: string) => header.indexOf(name);
    // A cell starting with `+` is written as text (`'+44…`): spreadsheets neither run it nor turn
    // the number into an integer without its plus sign.
    const numberOf = (row: string[]) => (row[col('number')] as string).replace(/^'/, '');
    expect(rows.every((r) => r[col('number')]?.startsWith(`'+`))).toBe(true);
    expect(rows.map(numberOf).sort()).toEqual([...shown.keys()].sort());
    for (const row of rows) {
      const contact = shown.get(numberOf(row)) as Json;
      expect(row[col('state')]).toBe(contact.state);
      expect(row[col('timezone')]).toBe(contact.timezone ?? '');
      expect(Number(row[col('attempts')])).toBe(contact.attempts ?? 0);
    }
    const first = (n: string) => rows.find((r) => numberOf(r) === n)?.[col('variables.firstName')];
    // Formula-looking cells are neutralised; quotes and commas survive RFC 4180 quoting.
    expect(first('+442071830011')).toBe(`'=cmd|calc`);
    expect(first('+442071830012')).toBe('Ada, "the first"');

    const jsonl = await exported(t.api, {
      type: 'campaign_contacts',
      campaignId: campaign.id,
      format: 'jsonl',
      filters: { state: 'skipped_dnc' },
    });
    expect(jsonl).toMatchObject({ rowsWritten: 1, format: 'jsonl' });
    const lines = (await (await fetch(jsonl.url)).text()).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        number: '+442071830013',
        state: 'skipped_dnc',
        'variables.firstName': 'Opted out',
      }),
    ]);
  }, 120_000);

  it('refuses another tenant’s campaign and a campaign export without its campaign', async () => {
    const owner = await campaignTenant(platform);
    const other = await campaignTenant(platform);
    const campaign = await createCampaign(owner.api, { agentId: owner.agentId });
    expectError(
      await other.api.post('/v1/exports', { type: 'campaign_contacts', campaignId: campaign.id }),
      404,
      'not_found',
    );
    const missing = await owner.api.post('/v1/exports', { type: 'campaign_contacts' });
    expectError(missing, 400, 'validation_error');
    expect(missing.body.error.details[0].path).toBe('campaignId');
  });
});

import { describe, expect, it } from 'vitest';
import { handler as importHandler } from '../consumers/run-contact-import.ts';
import {
  campaignTenant,
  countsOf,
  createCampaign,
  drainQueue,
  useCampaignPlatform,
} from '../../test/campaigns/campaign-test-kit.ts';
import { type ApiClient, expectError, type Json } from '../../test/functions/api-test-client.ts';

const platform = useCampaignPlatform();

/** Creates an import, PUTs the file to the presigned URL, starts it and runs the consumer on its message. */
async function importFile(api: ApiClient, body: Record<string, unknown>, file: Buffer): Promise<Json> {
  const created = await api.post('/v1/imports', { ...body, sizeBytes: file.length });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.import.status).toBe('awaiting_upload');
  const id = created.body.import.id;
  expectError(await api.post(`/v1/imports/${id}/start`), 409, 'conflict');
  const put = await fetch(created.body.upload.url, {
    method: 'PUT',
    headers: created.body.upload.headers,
    body: new Uint8Array(file),
  });
  expect(put.status).toBe(200);
  const started = await api.post(`/v1/imports/${id}/start`);
  expect(started.status).toBe(202);
  expect(started.body.import.status).toBe('queued');
  const records = await drainQueue(platform().env.QUEUE_CONTACT_IMPORTS_URL as string);
  expect(records).toHaveLength(1);
  expect((await importHandler({ Records: records })).batchItemFailures).toEqual([]);
  // A redelivered message never reruns a finished job.
  expect((await importHandler({ Records: records })).batchItemFailures).toEqual([]);
  const res = await api.get(`/v1/imports/${id}`);
  expect(res.status).toBe(200);
  return res.body.import;
}

describe('CSV imports', () => {
  it('imports the good rows and reports every bad one by row number', async () => {
    const t = await campaignTenant(platform());
    const agent = await t.api.post('/v1/agents', {
      name: 'R',
      instructions: 'Call {{firstName}} about {{slot}}.',
    });
    await t.api.post('/v1/phone-numbers', {
      number: '+16285559911',
      agentId: agent.body.agent.id,
      provider: 'asterisk',
    });
    const campaign = await createCampaign(t.api, {
      agentId: agent.body.agent.id,
      timezone: 'America/Chicago',
    });
    await t.api.post('/v1/dnc', { number: '+442071830105' });
    const csv = [
      'Phone Number,firstName,slot,timezone',
      '+442071830101,Ada,Mon 3pm,',
      '"+44 20 7183 0102","Grace, Jr.",Tue 9am,',
      'not a number,Bo,Wed,',
      '+442071830101,Ada again,Mon 3pm,',
      '+13125550103,Cy,Thu,', // Chicago: the campaign's zone is one of the US's
      '+442071830104,Di,Fri,Europe/Atlantis',
      '+442071830105,Ed,Fri,',
      '+442071830106,,Fri,',
      '+442071830107,Fay,Fri,,extra',
    ].join('\r\n');
    const file = Buffer.concat([
      Buffer.from(`${csv}\r\n`),
      Buffer.from('+442071830108,Gus\xff,Sat,\n', 'latin1'),
    ]);
    const job = await importFile(t.api, { type: 'campaign_contacts', campaignId: campaign.id }, file);
    expect(job).toMatchObject({
      status: 'completed',
      percent: 100,
      rowsRead: 10,
      rowsImported: 4,
      rowsRejected: 6,
      skippedDnc: 1,
    });
    expect(job.errors).toEqual([
      { index: 3, number: 'not a number', error: 'invalid_number' },
      { index: 4, number: '+442071830101', error: 'duplicate' },
      { index: 6, number: '+442071830104', error: 'invalid_timezone' },
      { index: 8, number: '+442071830106', error: 'missing_variable firstName' },
      { index: 9, number: '+442071830107', error: 'invalid_row' },
      { index: 10, number: '+442071830108', error: 'invalid_encoding' },
    ]);
    const report = await fetch(job.errorReportUrl);
    expect(report.status).toBe(200);
    expect((await report.text()).split('\r\n').slice(0, 3)).toEqual([
      'row,number,error',
      '3,not a number,invalid_number',
      "4,'+442071830101,duplicate",
    ]);
    // (A leading + is guarded like every formula-like cell of the platform's CSV files.)
    expect(await countsOf(t.api, campaign.id)).toMatchObject({ pending: 3, skipped_dnc: 1 });
    const contacts = await t.api.get(`/v1/campaigns/${campaign.id}/contacts?state=pending`);
    const grace = contacts.body.items.find((c: Json) => c.number === '+442071830102');
    expect(grace.variables).toEqual({ firstName: 'Grace, Jr.', slot: 'Tue 9am' });
  });

  it('reads UTF-16 files with a byte-order mark and imports do-not-call numbers', async () => {
    const t = await campaignTenant(platform());
    const text = 'number,reason\n+442071830201,asked by letter\n+44207,typo\n+14155550202,\n';
    const file = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const job = await importFile(t.api, { type: 'dnc' }, file);
    expect(job).toMatchObject({ status: 'completed', rowsRead: 3, rowsImported: 2, rowsRejected: 1 });
    expect(job.errors).toEqual([{ index: 2, number: '+44207', error: 'invalid_number' }]);
    const list = await t.api.get('/v1/dnc');
    expect(list.body.items.map((e: Json) => [e.number, e.source, e.reason])).toEqual([
      ['+14155550202', 'import', undefined],
      ['+442071830201', 'import', 'asked by letter'],
    ]);
  });

  it('fails a file without a number column as a whole, saying why', async () => {
    const t = await campaignTenant(platform());
    const campaign = await createCampaign(t.api, { agentId: t.agentId });
    const job = await importFile(
      t.api,
      { type: 'campaign_contacts', campaignId: campaign.id },
      Buffer.from('name,city\nAda,London\n'),
    );
    expect(job).toMatchObject({ status: 'failed', rowsImported: 0 });
    expect(job.error).toContain('number column');
  });

  it('answers 400 for an import into another tenant’s campaign, 404 for another tenant’s import', async () => {
    const a = await campaignTenant(platform());
    const b = await campaignTenant(platform());
    const campaign = await createCampaign(a.api, { agentId: a.agentId });
    const res = await b.api.post('/v1/imports', {
      type: 'campaign_contacts',
      campaignId: campaign.id,
      sizeBytes: 10,
    });
    expectError(res, 400, 'validation_error');
    const own = await a.api.post('/v1/imports', { type: 'dnc', sizeBytes: 10 });
    expectError(await b.api.get(`/v1/imports/${own.body.import.id}`), 404, 'not_found');
    expectError(await b.api.get(`/v1/campaigns/${campaign.id}`), 404, 'not_found');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { dbFromEnv } from '../data/client.ts';
import type { Contact } from './campaign-types.ts';
import { putNewContacts } from './contact-batch-store.ts';
import { getContact, listContactsDue, putNewContact } from './contact-store.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});

let campaignCounter = 0;
const newCampaignId = () => `cmp_batch${Date.now().toString(36)}${campaignCounter++}`;
const NOW = '2026-03-02T10:00:00.000Z';

function contact(campaignId: string, i: number, extra: Partial<Contact> = {}): Contact {
  return {
    campaignId,
    tenantId: 'ten_batch',
    number: `+4420${String(71000000 + i).padStart(8, '0')}`,
    timezone: 'Europe/London',
    variables: { firstName: `Name${i}` },
    state: 'pending',
    attempts: 0,
    nextAttemptAt: NOW,
    createdAt: NOW,
    updatedAt: NOW,
    ...extra,
  };
}

describe('putNewContacts: many new contacts, each only if its number is new', () => {
  it('stores every new contact, indexed under its state, in a few requests', async () => {
    const campaignId = newCampaignId();
    const contacts = Array.from({ length: 250 }, (_, i) => contact(campaignId, i));
    const db = dbFromEnv();
    expect(await putNewContacts(db, contacts)).toEqual(contacts.map(() => true));
    const due = await listContactsDue(db, campaignId, 'pending', new Date(NOW), 300);
    expect(due).toHaveLength(250);
    expect(await getContact(db, campaignId, contacts[7]?.number as string)).toMatchObject({
      state: 'pending',
      variables: { firstName: 'Name7' },
    });
  });

  it('never replaces a contact the campaign has: a second run (a resumed import) stores nothing', async () => {
    const campaignId = newCampaignId();
    const db = dbFromEnv();
    const dialing = contact(campaignId, 3, { state: 'dialing', dialToken: 'tok', attempts: 1 });
    expect(await putNewContact(db, dialing)).toBe(true);
    const contacts = Array.from({ length: 120 }, (_, i) => contact(campaignId, i));
    const first = await putNewContacts(db, contacts);
    expect(first.filter((ok) => !ok)).toHaveLength(1);
    expect(first[3]).toBe(false);
    expect(await getContact(db, campaignId, dialing.number)).toMatchObject({
      state: 'dialing',
      dialToken: 'tok',
      attempts: 1,
    });
    expect(await putNewContacts(db, contacts)).toEqual(contacts.map(() => false));
  });

  it('two writers adding overlapping numbers at once: each number is stored by exactly one of them', async () => {
    const campaignId = newCampaignId();
    const db = dbFromEnv();
    const first = Array.from({ length: 150 }, (_, i) => contact(campaignId, i));
    const second = Array.from({ length: 150 }, (_, i) =>
      contact(campaignId, 100 + i, { variables: { firstName: 'B' } }),
    );
    const [a, b] = await Promise.all([putNewContacts(db, first), putNewContacts(db, second)]);
    for (let n = 100; n < 150; n++) {
      expect(Number(a[n] === true) + Number(b[n - 100] === true), `number ${n}`).toBe(1);
    }
    expect(a.slice(0, 100).every(Boolean)).toBe(true);
    expect(b.slice(50).every(Boolean)).toBe(true);
    const due = await listContactsDue(db, campaignId, 'pending', new Date(NOW), 300);
    expect(due).toHaveLength(250);
  });
});

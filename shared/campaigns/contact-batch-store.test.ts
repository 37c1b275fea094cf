import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/platform.ts';
import { createDb, type Db, dbFromEnv } from '../data/client.ts';
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

/** A client on the same table whose first TransactWriteItems is preceded by `before`. */
function dbRacingFirstTransaction(before: () => Promise<void>): Db {
  const db = createDb({
    tableName: process.env.TABLE_NAME || 'ai-caller-local-main',
    endpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    region: process.env.AWS_REGION || undefined,
  });
  let raced = false;
  db.doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && !raced) {
        raced = true;
        await before();
      }
      return next(args);
    },
    { step: 'initialize', name: 'raceBeforeTransaction' },
  );
  return db;
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

  it('a number added between the check and the write is kept and reported, the rest of its chunk stored', async () => {
    const campaignId = newCampaignId();
    const contacts = Array.from({ length: 150 }, (_, i) => contact(campaignId, i));
    const racer = contact(campaignId, 42, { state: 'dialing', dialToken: 'other-writer' });
    const db = dbRacingFirstTransaction(async () => {
      expect(await putNewContact(dbFromEnv(), racer)).toBe(true);
    });
    const stored = await putNewContacts(db, contacts);
    expect(stored.map((ok, i) => (ok ? -1 : i)).filter((i) => i >= 0)).toEqual([42]);
    expect(await getContact(db, campaignId, racer.number)).toMatchObject({ dialToken: 'other-writer' });
    const due = await listContactsDue(db, campaignId, 'pending', new Date(NOW), 300);
    expect(due).toHaveLength(149);
  });
});

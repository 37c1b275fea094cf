import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../data/client.ts';
import { dynamo, isConditionFailure, translateDynamoError } from '../data/dynamo-errors.ts';
import { type Page, queryPage, stripKeys } from '../data/pagination.ts';
import { CALL_INDEX } from '../data/table.ts';
import { buildUpdate } from '../data/update-expression.ts';
import { campaignKeys, contactIndex, contactStatePk, INDEX_UPPER } from './campaign-keys.ts';
import { addContactCounts } from './campaign-store.ts';
import type { Contact, ContactState } from './campaign-types.ts';

/** Where a contact sorts in its state's index: due time, check time, or last change. */
export function indexTimeOf(
  contact: Pick<Contact, 'state' | 'nextAttemptAt' | 'checkAt' | 'updatedAt'>,
): string {
  if (contact.state === 'pending' || contact.state === 'scheduled')
    return contact.nextAttemptAt ?? contact.updatedAt;
  if (contact.state === 'dialing' || contact.state === 'in_call') return contact.checkAt ?? contact.updatedAt;
  return contact.updatedAt;
}

/** The stored item of a contact: its keys, its state index and its fields. */
export function contactItem(contact: Contact): Record<string, unknown> {
  return {
    ...campaignKeys.contact(contact.campaignId, contact.number),
    type: 'contact',
    ...contact,
    ...contactIndex(contact.campaignId, contact.state, indexTimeOf(contact), contact.number),
  };
}

/** Stores a new contact; false when the campaign already has this number. */
export async function putNewContact(db: Db, contact: Contact): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: contactItem(contact),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw translateDynamoError(error);
  }
}

export async function getContact(db: Db, campaignId: string, number: string): Promise<Contact | undefined> {
  const out = await dynamo(() =>
    db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: campaignKeys.contact(campaignId, number),
        ConsistentRead: true,
      }),
    ),
  );
  return out.Item ? stripKeys<Contact>(out.Item) : undefined;
}

export interface ContactMove {
  /** The state the contact must be in. */
  from: ContactState;
  to: ContactState;
  /** Fields to set (undefined ones are skipped) and to remove. */
  set?: Partial<Contact>;
  remove?: (keyof Contact)[];
  /** Added to `attempts`. */
  addAttempts?: number;
  /** More conditions, e.g. `#dialToken = :token`, with their placeholders. */
  require?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
}

/**
 * Moves one contact between states with a conditional write (the state it must be in, plus any
 * further condition), refiles it in the state index and adjusts the counts. Returns the contact
 * as written, or undefined when the condition failed: someone else moved it first, which callers
 * treat as "not mine to do" (a duplicate message, a stale command, an overlapping run).
 */
export async function moveContact(
  db: Db,
  contact: Pick<Contact, 'campaignId' | 'number'>,
  move: ContactMove,
  now: Date,
): Promise<Contact | undefined> {
  const updatedAt = now.toISOString();
  const set: Record<string, unknown> = { ...move.set, state: move.to, updatedAt };
  const time = indexTimeOf({
    state: move.to,
    nextAttemptAt: move.set?.nextAttemptAt,
    checkAt: move.set?.checkAt,
    updatedAt,
  });
  Object.assign(set, contactIndex(contact.campaignId, move.to, time, contact.number));
  const condition = ['#state = :fromState', ...(move.require ? [`(${move.require.expression})`] : [])].join(
    ' AND ',
  );
  let written: Contact;
  try {
    const out = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: campaignKeys.contact(contact.campaignId, contact.number),
        ...buildUpdate({
          set,
          remove: move.remove as string[] | undefined,
          add: move.addAttempts ? { attempts: move.addAttempts } : undefined,
          condition: {
            expression: condition,
            names: { '#state': 'state', ...move.require?.names },
            values: { ':fromState': move.from, ...move.require?.values },
          },
        }),
        ReturnValues: 'ALL_NEW',
      }),
    );
    written = stripKeys<Contact>(out.Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw translateDynamoError(error);
  }
  if (move.from !== move.to)
    await addContactCounts(db, contact.campaignId, { [move.from]: -1, [move.to]: 1 });
  return written;
}

/** Contacts in `state` whose index time is at or before `now`, earliest first: one Query. */
export async function listContactsDue(
  db: Db,
  campaignId: string,
  state: ContactState,
  now: Date,
  limit: number,
): Promise<Contact[]> {
  const out = await dynamo(() =>
    db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: CALL_INDEX.byStatus,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :upper',
        ExpressionAttributeValues: {
          ':pk': contactStatePk(campaignId, state),
          ':upper': `${now.toISOString()}#${INDEX_UPPER}`,
        },
        Limit: limit,
      }),
    ),
  );
  return (out.Items ?? []).map((item) => stripKeys<Contact>(item));
}

/** A page of a campaign's contacts: all of them by number, or one state's in index order. */
export function listContacts(
  db: Db,
  campaignId: string,
  state: ContactState | undefined,
  page: { limit: number; cursor?: string; signingKey: string },
): Promise<Page<Contact>> {
  const input = state
    ? {
        IndexName: CALL_INDEX.byStatus,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': contactStatePk(campaignId, state) },
      }
    : {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `CAMPAIGN#${campaignId}`, ':prefix': 'CONTACT#' },
      };
  return queryPage(db, input, { ...page, scope: `contacts:${campaignId}:${state ?? 'all'}` }, (item) =>
    stripKeys<Contact>(item),
  );
}

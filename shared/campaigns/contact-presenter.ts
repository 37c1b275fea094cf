import type { z } from 'zod';
import type { ContactSchema, DncEntrySchema } from './campaign-schemas.ts';
import type { Contact } from './campaign-types.ts';
import type { DncEntry } from './dnc-store.ts';

export function presentContact(contact: Contact): z.output<typeof ContactSchema> {
  const waiting = contact.state === 'pending' || contact.state === 'scheduled';
  return {
    number: contact.number,
    timezone: contact.timezone,
    variables: contact.variables ?? {},
    state: contact.state,
    attempts: contact.attempts,
    ...(waiting && contact.nextAttemptAt ? { nextAttemptAt: contact.nextAttemptAt } : {}),
    ...(contact.callId ? { callId: contact.callId } : {}),
    ...(contact.lastCallId ? { lastCallId: contact.lastCallId } : {}),
    ...(contact.lastOutcome ? { lastOutcome: contact.lastOutcome } : {}),
    ...(contact.lastError ? { lastError: contact.lastError } : {}),
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
  };
}

export function presentDncEntry(entry: DncEntry): z.output<typeof DncEntrySchema> {
  return {
    number: entry.number,
    source: entry.source,
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.callId ? { callId: entry.callId } : {}),
    createdAt: entry.createdAt,
  };
}

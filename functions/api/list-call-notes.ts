import { requireCall } from '#shared/calls/call-deps.ts';
import { PageQuerySchema } from '#shared/api/common-schemas.ts';
import { presentNote } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listCallNotes } from '#shared/data/notes.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { cursorKey, parseQuery, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/calls/{id}/notes, oldest first. */
export const handler = httpHandler(
  async ({ request }) => {
    const db = dbFromEnv();
    const query = parseQuery(request, PageQuerySchema);
    const call = await requireCall(db, tenantIdOf(request), pathId(request, 'call', 'Call'));
    const page = await listCallNotes(db, call.id, { ...query, signingKey: await cursorKey() });
    return { status: 200, body: { items: page.items.map(presentNote), nextCursor: page.nextCursor } };
  },
  { auth: 'apiKey' },
);

import { requireCall } from '#shared/calls/call-deps.ts';
import { CreateNoteBodySchema } from '#shared/api/call-schemas.ts';
import { presentNote } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { createCallNote } from '#shared/data/notes.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/calls/{id}/notes */
export const handler = httpHandler(
  async ({ request }) => {
    const db = dbFromEnv();
    const tenantId = tenantIdOf(request);
    const callId = pathId(request, 'call', 'Call');
    const input = parseBody(request, CreateNoteBodySchema);
    await requireCall(db, tenantId, callId);
    const note = await createCallNote(db, { tenantId, callId, ...input });
    return { status: 201, body: { note: presentNote(note) } };
  },
  { auth: 'apiKey' },
);

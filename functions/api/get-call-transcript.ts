import { requireCall } from '#shared/calls/call-deps.ts';
import { presentTranscriptTurn } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { listTranscriptTurns } from '#shared/data/transcripts.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/calls/{id}/transcript: every completed turn, in order. */
export const handler = httpHandler(
  async ({ request }) => {
    const db = dbFromEnv();
    const call = await requireCall(db, tenantIdOf(request), pathId(request, 'call', 'Call'));
    const turns = await listTranscriptTurns(db, call.id);
    return { status: 200, body: { items: turns.map(presentTranscriptTurn), nextCursor: null } };
  },
  { auth: 'apiKey' },
);

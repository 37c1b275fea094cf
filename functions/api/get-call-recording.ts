import { recordingLink } from '#shared/calls/call-recording.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { recordingsFromEnv } from '#shared/recordings/recording-objects.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** GET /v1/calls/{id}/recording: a presigned playback URL valid for RECORDING_URL_TTL_SECONDS. */
export const handler = httpHandler(
  async ({ request }) => {
    const link = await recordingLink(
      { db: dbFromEnv(), target: recordingsFromEnv(), urlTtlSeconds: env().RECORDING_URL_TTL_SECONDS },
      tenantIdOf(request),
      pathId(request, 'call', 'Call'),
    );
    return { status: 200, headers: { 'cache-control': 'no-store' }, body: link };
  },
  { auth: 'apiKey' },
);

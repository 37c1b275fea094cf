import { deleteCallRecording } from '#shared/calls/call-recording.ts';
import { env } from '#shared/config/env.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { recordingsFromEnv } from '#shared/recordings/recording-objects.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** DELETE /v1/calls/{id}/recording: the WAV is deleted at once; the call keeps `recording.status: deleted`. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const callId = pathId(request, 'call', 'Call');
    await deleteCallRecording(
      { db: dbFromEnv(), target: recordingsFromEnv(), urlTtlSeconds: env().RECORDING_URL_TTL_SECONDS },
      tenantIdOf(request),
      callId,
    );
    logger.info('call recording deleted', { callId });
    return { status: 204 };
  },
  { auth: 'apiKey' },
);

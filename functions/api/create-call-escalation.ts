import { escalateCall } from '#shared/calls/call-escalation.ts';
import { CreateEscalationBodySchema } from '#shared/api/call-schemas.ts';
import { presentEscalation } from '#shared/api/presenters.ts';
import { dbFromEnv } from '#shared/data/client.ts';
import { queueUrlsFromEnv } from '#shared/queues/publisher.ts';
import { sqsFromEnv } from '#shared/queues/sqs-client.ts';
import { httpHandler } from '../lib/http-handler.ts';
import { parseBody, pathId, tenantIdOf } from '../lib/route-helpers.ts';

/** POST /v1/calls/{id}/escalations: recorded, and announced as `call.escalated`. */
export const handler = httpHandler(
  async ({ request, logger }) => {
    const callId = pathId(request, 'call', 'Call');
    const input = parseBody(request, CreateEscalationBodySchema);
    const escalation = await escalateCall(
      { db: dbFromEnv(), sqs: sqsFromEnv(), queueUrls: queueUrlsFromEnv() },
      tenantIdOf(request),
      callId,
      input,
    );
    logger.info('call escalated', { callId, escalationId: escalation.id, priority: escalation.priority });
    return { status: 201, body: { escalation: presentEscalation(escalation) } };
  },
  { auth: 'apiKey' },
);

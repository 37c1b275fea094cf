import { admitCall } from '../calls/admission.ts';
import type { Call } from '../calls/call-types.ts';
import { newStreamTokenId, signStreamToken } from '../calls/stream-token.ts';
import { getAgent } from '../data/agents.ts';
import type { Db } from '../data/client.ts';
import { NotFoundError } from '../errors/app-error.ts';
import { newId } from '../ids/ids.ts';
import { cancelUnjoinedWebCalls } from './cancel-unjoined-web-calls.ts';
import { webCallUrls } from './web-call-urls.ts';

/** How long a browser has to connect with its token unless the request asks otherwise. */
export const DEFAULT_WEB_TOKEN_TTL_SECONDS = 300;

export interface WebCallInput {
  tenantId: string;
  agentId: string;
  metadata?: Record<string, string>;
  /** Token lifetime; the call is canceled as `not_joined` if no browser connects in time. */
  ttlSeconds?: number;
}

export interface CreatedWebCall {
  call: Call;
  token: string;
  expiresAt: string;
  /** The ready-to-open call page. */
  url: string;
  /** The WebSocket for custom clients speaking the browser protocol directly. */
  websocketUrl: string;
  /** The tenant's earlier web calls this request found unjoined and canceled (publish `call.ended`). */
  canceledUnjoined: Call[];
}

/**
 * Admits a browser call and mints its single-use stream token. The call record is created here
 * (status `queued`, provider `web`) through the same admission path as phone calls, so it holds a
 * concurrency slot until the browser connects and the call ends, or until it is canceled as not
 * joined after the token expired (see `cancelUnjoinedWebCalls`).
 */
export async function createWebCall(
  db: Db,
  input: WebCallInput,
  options: { signingKey: string; publicMediaUrl: string; now?: Date },
): Promise<CreatedWebCall> {
  const now = options.now ?? new Date();
  const agent = await getAgent(db, input.tenantId, input.agentId);
  if (!agent) throw new NotFoundError('Agent not found.');
  // Abandoned call links hold concurrency slots until swept; sweep before taking a new slot.
  const canceledUnjoined = await cancelUnjoinedWebCalls(db, input.tenantId, {
    signingKey: options.signingKey,
    now,
  });
  const exp = Math.floor(now.getTime() / 1000) + (input.ttlSeconds ?? DEFAULT_WEB_TOKEN_TTL_SECONDS);
  const expiresAt = new Date(exp * 1000).toISOString();
  const callId = newId('call', now.getTime());
  const { call } = await admitCall(
    db,
    {
      tenantId: input.tenantId,
      agentId: agent.id,
      direction: 'inbound',
      provider: 'web',
      from: 'web',
      to: 'web',
      metadata: input.metadata ?? {},
      media: { transport: 'web', tokenExpiresAt: expiresAt },
    },
    { now, id: callId },
  );
  const token = signStreamToken(
    { callId, tenantId: input.tenantId, agentId: agent.id, provider: 'web', exp, jti: newStreamTokenId() },
    options.signingKey,
  );
  return { call, token, expiresAt, ...webCallUrls(options.publicMediaUrl, token), canceledUnjoined };
}

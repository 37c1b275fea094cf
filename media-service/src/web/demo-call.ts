import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Env } from '#shared/config/env.ts';
import { toAppError } from '#shared/errors/app-error.ts';
import { publishUnjoinedEnded } from '#shared/web-calls/cancel-unjoined-web-calls.ts';
import { createWebCall } from '#shared/web-calls/create-web-call.ts';
import type { SessionDeps } from '../session/session-deps.ts';

/** The demo agent from `WEB_DEMO_AGENT`, honoured only on a local stage (the demo needs no key). */
export function demoAgentOf(env: Env): { tenantId: string; agentId: string } | undefined {
  if (env.STAGE !== 'local' || !env.WEB_DEMO_AGENT) return undefined;
  const [tenantId, agentId] = env.WEB_DEMO_AGENT.split('/') as [string, string];
  return { tenantId, agentId };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * `POST /call/demo/token`: mints a call link for the demo agent, as `POST /v1/web-calls` does for a
 * tenant's backend. Only the demo page itself may ask (a browser marks cross-site requests).
 */
export async function mintDemoCall(
  req: IncomingMessage,
  res: ServerResponse,
  demo: { tenantId: string; agentId: string },
  deps: Pick<SessionDeps, 'db' | 'sqs' | 'queueUrls' | 'secrets' | 'env' | 'logger'>,
): Promise<void> {
  if (req.method !== 'POST') {
    json(res, 405, { error: { code: 'method_not_allowed', message: 'Use POST.' } });
    return;
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    json(res, 403, { error: { code: 'forbidden', message: 'Only the demo page may create demo calls.' } });
    return;
  }
  try {
    const created = await createWebCall(deps.db, demo, {
      signingKey: await deps.secrets.require('INTERNAL_SIGNING_KEY'),
      publicMediaUrl: deps.env.PUBLIC_MEDIA_URL,
    });
    await publishUnjoinedEnded(deps.sqs, deps.queueUrls, created.canceledUnjoined).catch((err) =>
      deps.logger.error('call.ended publish failed for unjoined web calls', { err }),
    );
    deps.logger.info('demo web call created', { callId: created.call.id });
    json(res, 201, { callId: created.call.id, token: created.token, expiresAt: created.expiresAt });
  } catch (error) {
    const appError = toAppError(error);
    if (appError.status >= 500) deps.logger.error('demo web call failed', { err: error });
    json(res, appError.status, { error: { code: appError.code, message: appError.message } });
  }
}

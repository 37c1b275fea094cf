import type { IncomingMessage, ServerResponse } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import type { MediaRoutes } from '../server.ts';
import type { SessionDeps, StartCallSessionInput } from '../session/session-deps.ts';
import { startCallSession } from '../session/start-call-session.ts';
import { type AdmissionProgress, runAdmittedCall } from '../session/run-admitted-call.ts';
import { admitStreamConnection, type StreamRefusal } from '../session/stream-admission.ts';
import { admitResume } from '../resume/resume-admission.ts';
import { webResumeTokens } from '../resume/web-resume-tokens.ts';
import { loadCallPage, type PageProblem, pageTokenProblem } from './call-page.ts';
import { demoAgentOf, mintDemoCall } from './demo-call.ts';
import { MAX_CLIENT_FRAME_BYTES, WEB_CLOSE, type WebCloseName } from './web-protocol.ts';
import { createWebTransport, WEB_PING_INTERVAL_MS } from './web-transport.ts';

const REFUSAL_CLOSE: Record<StreamRefusal, WebCloseName> = {
  token_invalid: 'tokenInvalid',
  token_expired: 'tokenExpired',
  token_replayed: 'tokenUsed',
  call_unavailable: 'callUnavailable',
  capacity: 'unavailable',
  draining: 'unavailable',
  unavailable: 'unavailable',
};

const PAGE_STATUS: Record<PageProblem, number> = {
  '': 200,
  token_invalid: 401,
  token_expired: 410,
  unavailable: 503,
};

export interface WebCallRouteOptions {
  /**
   * Runs the call once the browser is admitted: the one CallSession every transport shares (a
   * stand-in only in tests that look at the transport alone).
   */
  startSession?: (input: StartCallSessionInput) => unknown;
  pingIntervalMs?: number;
  publicDir?: string;
}

/**
 * Browser calls on the media service: the call page (`/call?token=…`, plus `/call/demo` locally),
 * its static files, and the `/web?token=…` WebSocket, which admits the connection with its
 * single-use token before anything else and then runs the call as a third transport of the same
 * call session as Twilio and Asterisk. `/web?resume=…` continues a live call whose connection
 * dropped or whose task drained, with the resume token the page was given.
 */
export function registerWebCallRoutes(
  routes: MediaRoutes,
  deps: SessionDeps,
  options: WebCallRouteOptions = {},
): void {
  const startSession = options.startSession ?? startCallSession;
  const page = loadCallPage(options.publicDir);
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIENT_FRAME_BYTES,
    perMessageDeflate: false,
  });

  const acceptBrowser = async (ws: WebSocket, url: URL, progress: AdmissionProgress) => {
    const resumeToken = url.searchParams.get('resume');
    const admission =
      resumeToken !== null
        ? await admitResume(deps, { kind: 'token', token: resumeToken, provider: 'web' })
        : await admitStreamConnection(deps, {
            token: url.searchParams.get('token') ?? undefined,
            provider: 'web',
          });
    if (!admission.ok) {
      const close = WEB_CLOSE[REFUSAL_CLOSE[admission.reason]];
      deps.logger.info('browser call refused', { callId: admission.callId, reason: admission.reason });
      ws.close(close.code, close.reason);
      return;
    }
    progress.hold(admission.slot);
    if (ws.readyState !== ws.OPEN) {
      // The browser left while it was being admitted; the call stays queued until swept as not joined.
      admission.slot.release();
      return;
    }
    const transport = createWebTransport(ws, {
      callId: admission.call.id,
      agentName: admission.agent.name,
      logger: deps.logger,
      pingIntervalMs: options.pingIntervalMs ?? WEB_PING_INTERVAL_MS,
      resumeToken: webResumeTokens(
        deps,
        admission.call,
        'resume' in admission ? admission.resume.owner.generation : 1,
      ),
    });
    await startSession({
      call: admission.call,
      agent: admission.agent,
      transport,
      slot: admission.slot,
      deps,
      resume: 'resume' in admission ? admission.resume : undefined,
    });
  };

  routes.upgrade.set('/web', (req, socket, head, url) => {
    sockets.handleUpgrade(req, socket, head, (ws) => {
      void runAdmittedCall({
        transport: 'web',
        logger: deps.logger,
        admitAndStart: (progress) => acceptBrowser(ws, url, progress),
        closeCaller: () => ws.close(WEB_CLOSE.internal.code, WEB_CLOSE.internal.reason),
      });
    });
  });

  routes.http.set('/call', async (_req: IncomingMessage, res: ServerResponse, url: URL) => {
    const key = await deps.secrets.get('INTERNAL_SIGNING_KEY');
    const problem = key ? pageTokenProblem(url.searchParams.get('token'), key) : 'unavailable';
    page.renderPage(res, PAGE_STATUS[problem], 'token', problem);
  });
  for (const path of page.assetPaths) {
    routes.http.set(path, (req, res) => page.serveAsset(req, res, path));
  }

  const demo = demoAgentOf(deps.env);
  if (demo) {
    routes.http.set('/call/demo', (_req, res) => page.renderPage(res, 200, 'demo', ''));
    routes.http.set('/call/demo/token', (req, res) => mintDemoCall(req, res, demo, deps));
  }
}

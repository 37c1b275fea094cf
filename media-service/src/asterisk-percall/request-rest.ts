import {
  AriRequestError,
  type AriErrorKind,
  type AriRest,
  type ChannelSummary,
  WEBSOCKET_EXTERNAL_MEDIA,
} from '../asterisk/ari-rest.ts';

/** One ARI REST exchange: over a per-call WebSocket (`RESTRequest`) or plain HTTP. */
export type AriExchange = (
  method: 'GET' | 'POST' | 'DELETE',
  uri: string,
  body?: unknown,
) => Promise<{ statusCode: number; body?: string }>;

/** Asterisk's status codes, as the stable kinds the call code branches on. */
export function kindForStatus(statusCode: number, message: string): AriErrorKind {
  if (/not in stasis/i.test(message) || statusCode === 422) return 'not_in_stasis';
  if (statusCode === 404 || /not found/i.test(message)) return 'not_found';
  if (statusCode >= 500) return 'unreachable';
  return 'rejected';
}

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
  ).toString();

/**
 * The `AriRest` calls of the Asterisk transport over an `AriExchange`: the same operations the
 * classic transport makes through `ari-client`, here built from ARI's REST paths directly (a
 * per-call WebSocket has no Swagger client), with errors classified by status code.
 */
export function createExchangeRest(exchange: AriExchange): AriRest {
  async function call<T = unknown>(
    operation: string,
    method: 'GET' | 'POST' | 'DELETE',
    uri: string,
    body?: unknown,
  ): Promise<T> {
    let answer: Awaited<ReturnType<AriExchange>>;
    try {
      answer = await exchange(method, uri, body);
    } catch (error) {
      throw new AriRequestError(
        operation,
        'unreachable',
        error instanceof Error ? error.message : String(error),
        error,
      );
    }
    let parsed: unknown;
    try {
      parsed = answer.body ? JSON.parse(answer.body) : undefined;
    } catch {
      parsed = answer.body;
    }
    if (answer.statusCode >= 200 && answer.statusCode < 300) return parsed as T;
    const message =
      typeof (parsed as { message?: unknown })?.message === 'string'
        ? (parsed as { message: string }).message
        : `status ${answer.statusCode}`;
    throw new AriRequestError(operation, kindForStatus(answer.statusCode, message), message);
  }
  const summary = (c: ChannelSummary): ChannelSummary => ({ id: c.id, name: c.name, state: c.state });
  const channel = (id: string) => `channels/${encodeURIComponent(id)}`;
  const bridge = (id: string) => `bridges/${encodeURIComponent(id)}`;

  return {
    answer: (channelId) => call('answer', 'POST', `${channel(channelId)}/answer`),
    hangup: (channelId, reason = 'normal') =>
      call('hangup', 'DELETE', `${channel(channelId)}?${query({ reason })}`),
    originate: async (o) =>
      summary(
        await call<ChannelSummary>(
          'originate',
          'POST',
          `channels?${query({
            endpoint: o.endpoint,
            // ARI takes either an app or a dialplan location, never both.
            ...(o.dialplan ?? { app: o.app, appArgs: o.appArgs }),
            callerId: o.callerId,
            timeout: o.timeoutSeconds,
            channelId: o.channelId,
          })}`,
          // Channel variables go in the body (`{"variables": {...}}`), as ARI documents.
          o.variables ? { variables: o.variables } : undefined,
        ),
      ),
    externalMedia: async (o) => {
      const answer = await call<ChannelSummary & { channelvars?: Record<string, string> }>(
        'externalMedia',
        'POST',
        `channels/externalMedia?${query({
          app: o.app,
          external_host: o.externalHost,
          format: o.format,
          channelId: o.channelId,
          encapsulation: 'rtp',
          transport: 'udp',
          direction: 'both',
        })}`,
      );
      const vars = answer.channelvars ?? {};
      return {
        ...summary(answer),
        rtpAddress: vars.UNICASTRTP_LOCAL_ADDRESS ?? '',
        rtpPort: Number(vars.UNICASTRTP_LOCAL_PORT),
      };
    },
    externalMediaWebSocket: async (o) => {
      const answer = await call<ChannelSummary & { channelvars?: Record<string, string> }>(
        'externalMedia',
        'POST',
        `channels/externalMedia?${query({ app: o.app, format: o.format, channelId: o.channelId, ...WEBSOCKET_EXTERNAL_MEDIA })}`,
      );
      const connectionId =
        answer.channelvars?.MEDIA_WEBSOCKET_CONNECTION_ID ??
        (
          await call<{ value: string }>(
            'getVariable',
            'GET',
            `${channel(answer.id)}/variable?${query({ variable: 'MEDIA_WEBSOCKET_CONNECTION_ID' })}`,
          )
        ).value;
      return { ...summary(answer), connectionId };
    },
    getVariable: async (channelId, variable) =>
      (
        await call<{ value: string }>(
          'getVariable',
          'GET',
          `${channel(channelId)}/variable?${query({ variable })}`,
        )
      ).value,
    continueInDialplan: (channelId, o) =>
      call(
        'continueInDialplan',
        'POST',
        `${channel(channelId)}/continue?${query({ context: o.context, extension: o.extension, priority: o.priority })}`,
      ),
    createBridge: async (o) => {
      const created = await call<{ id: string }>(
        'createBridge',
        'POST',
        `bridges?${query({ type: o.type ?? 'mixing', bridgeId: o.bridgeId, name: o.name })}`,
      );
      return { id: created.id };
    },
    addChannels: (bridgeId, channelIds) =>
      call(
        'addChannels',
        'POST',
        `${bridge(bridgeId)}/addChannel?${query({ channel: channelIds.join(',') })}`,
      ),
    removeChannels: (bridgeId, channelIds) =>
      call(
        'removeChannels',
        'POST',
        `${bridge(bridgeId)}/removeChannel?${query({ channel: channelIds.join(',') })}`,
      ),
    startMoh: (bridgeId, mohClass) =>
      call('startMoh', 'POST', `${bridge(bridgeId)}/moh${mohClass ? `?${query({ mohClass })}` : ''}`),
    destroyBridge: (bridgeId) => call('destroyBridge', 'DELETE', bridge(bridgeId)),
    listChannels: async () => (await call<ChannelSummary[]>('listChannels', 'GET', 'channels')).map(summary),
    listBridges: async () =>
      (await call<{ id: string; name: string; channels: string[] }[]>('listBridges', 'GET', 'bridges')).map(
        (b) => ({
          id: b.id,
          name: b.name,
          channels: [...b.channels],
        }),
      ),
    subscribeToChannel: (app, channelId) =>
      call(
        'subscribeToChannel',
        'POST',
        `applications/${encodeURIComponent(app)}/subscription?${query({ eventSource: `channel:${channelId}` })}`,
      ),
  };
}

/** ARI over HTTP (`ARI_URL`, Basic auth): what a task uses outside any per-call connection (dialing). */
export function httpExchange(input: {
  ariUrl: string;
  username: string;
  password: string;
  timeoutMs?: number;
}): AriExchange {
  const base = `${input.ariUrl.replace(/\/+$/, '').replace(/\/ari$/, '')}/ari/`;
  const authorization = `Basic ${Buffer.from(`${input.username}:${input.password}`).toString('base64')}`;
  return async (method, uri, body) => {
    const response = await fetch(base + uri, {
      method,
      headers: {
        authorization,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(input.timeoutMs ?? 5_000),
    });
    const text = await response.text();
    return { statusCode: response.status, ...(text ? { body: text } : {}) };
  };
}

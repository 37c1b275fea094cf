import type Ari from 'ari-client';
import { UnavailableError } from '#shared/errors/app-error.ts';
import { type CircuitBreaker, CircuitOpenError } from './circuit-breaker.ts';

/**
 * The ARI REST calls this bridge makes, typed, with errors translated where they happen.
 * `ari-client` rejects with an Error whose message is Asterisk's JSON body (`{"message":"…"}`)
 * and loses the status code, so the stable codes below come from the message Asterisk sends.
 */
export type AriErrorKind = 'not_found' | 'not_in_stasis' | 'rejected' | 'unreachable';

export class AriRequestError extends Error {
  readonly kind: AriErrorKind;
  readonly operation: string;
  constructor(operation: string, kind: AriErrorKind, message: string, cause?: unknown) {
    super(`ARI ${operation} failed: ${message}`, { cause });
    this.name = 'AriRequestError';
    this.kind = kind;
    this.operation = operation;
  }
}

export interface ChannelSummary {
  id: string;
  name: string;
  state: string;
}

export interface ExternalMediaChannel extends ChannelSummary {
  /** Asterisk's RTP socket for this channel: where our RTP must go. */
  rtpAddress: string;
  rtpPort: number;
}

/** A chan_websocket ExternalMedia channel (`transport=websocket`, `connection_type=server`). */
export interface WebSocketMediaChannel extends ChannelSummary {
  /** `MEDIA_WEBSOCKET_CONNECTION_ID`: the app connects to `/media/<connectionId>`. */
  connectionId: string;
}

/** ExternalMedia over chan_websocket, as Asterisk 22.5+ takes it. */
export const WEBSOCKET_EXTERNAL_MEDIA = {
  encapsulation: 'none',
  transport: 'websocket',
  connection_type: 'server',
  direction: 'both',
} as const;

export interface AriRest {
  answer(channelId: string): Promise<void>;
  hangup(
    channelId: string,
    reason?: 'normal' | 'busy' | 'congestion' | 'no_answer' | 'rejected' | 'unallocated' | 'failure',
  ): Promise<void>;
  /**
   * Dials `endpoint`: on answer the channel enters `app` with `appArgs`, or, with `dialplan`, runs
   * the dialplan there first (which then hands it to the app with `Stasis()`).
   */
  originate(input: {
    endpoint: string;
    app: string;
    appArgs: string;
    callerId?: string;
    timeoutSeconds: number;
    channelId: string;
    dialplan?: { context: string; extension: string; priority: number };
    variables?: Record<string, string>;
  }): Promise<ChannelSummary>;
  /** Subscribes the app to a channel's events (one that is not in the app yet). */
  subscribeToChannel(app: string, channelId: string): Promise<void>;
  externalMedia(input: {
    app: string;
    externalHost: string;
    format: string;
    channelId: string;
  }): Promise<ExternalMediaChannel>;
  externalMediaWebSocket(input: {
    app: string;
    format: string;
    channelId: string;
  }): Promise<WebSocketMediaChannel>;
  getVariable(channelId: string, variable: string): Promise<string>;
  continueInDialplan(
    channelId: string,
    input: { context: string; extension: string; priority: number },
  ): Promise<void>;
  /** A mixing bridge unless `type` says `holding` (callers on hold, hearing music). */
  createBridge(input: {
    bridgeId: string;
    name: string;
    type?: 'mixing' | 'holding';
  }): Promise<{ id: string }>;
  addChannels(bridgeId: string, channelIds: string[]): Promise<void>;
  removeChannels(bridgeId: string, channelIds: string[]): Promise<void>;
  /** Music on hold to everyone in the bridge (`POST /bridges/{id}/moh`). */
  startMoh(bridgeId: string, mohClass?: string): Promise<void>;
  destroyBridge(bridgeId: string): Promise<void>;
  listChannels(): Promise<ChannelSummary[]>;
  listBridges(): Promise<{ id: string; name: string; channels: string[] }[]>;
}

function classify(operation: string, error: unknown): AriRequestError {
  if (error instanceof AriRequestError) return error;
  if (error instanceof CircuitOpenError || error instanceof UnavailableError) {
    return new AriRequestError(operation, 'unreachable', error.message, error);
  }
  const text = error instanceof Error ? error.message : String(error);
  let answered: string | undefined;
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body?.message === 'string') answered = body.message;
  } catch {
    // not an answer from Asterisk: a transport failure
  }
  if (answered === undefined) return new AriRequestError(operation, 'unreachable', text, error);
  if (/not in stasis/i.test(answered))
    return new AriRequestError(operation, 'not_in_stasis', answered, error);
  if (/not found/i.test(answered)) return new AriRequestError(operation, 'not_found', answered, error);
  return new AriRequestError(operation, 'rejected', answered, error);
}

export function createAriRest(input: {
  client: () => Ari.Client | undefined;
  breaker: CircuitBreaker;
  timeoutMs: number;
}): AriRest {
  async function call<T>(operation: string, run: (client: Ari.Client) => Promise<T>): Promise<T> {
    try {
      return await input.breaker.run(
        async () => {
          const client = input.client();
          if (!client) throw new UnavailableError('ARI is not connected.');
          let timer: NodeJS.Timeout | undefined;
          try {
            return await Promise.race([
              run(client),
              new Promise<never>((_, reject) => {
                timer = setTimeout(
                  () => reject(new Error(`timed out after ${input.timeoutMs} ms`)),
                  input.timeoutMs,
                );
              }),
            ]);
          } finally {
            clearTimeout(timer);
          }
        },
        (error) => classify(operation, error).kind === 'unreachable',
      );
    } catch (error) {
      throw classify(operation, error);
    }
  }
  const summary = (c: { id: string; name: string; state: string }): ChannelSummary => ({
    id: c.id,
    name: c.name,
    state: c.state,
  });

  return {
    answer: (channelId) => call('answer', (c) => c.channels.answer({ channelId })),
    hangup: (channelId, reason = 'normal') => call('hangup', (c) => c.channels.hangup({ channelId, reason })),
    originate: (o) =>
      call('originate', async (c) =>
        summary(
          await c.channels.originate({
            endpoint: o.endpoint,
            // ARI takes either an app or a dialplan location, never both.
            ...(o.dialplan ?? { app: o.app, appArgs: o.appArgs }),
            callerId: o.callerId,
            timeout: o.timeoutSeconds,
            channelId: o.channelId,
            ...(o.variables ? { variables: o.variables } : {}),
          }),
        ),
      ),
    externalMedia: (o) =>
      call('externalMedia', async (c) => {
        const channel = (await c.channels.externalMedia({
          app: o.app,
          external_host: o.externalHost,
          format: o.format,
          channelId: o.channelId,
          encapsulation: 'rtp',
          transport: 'udp',
          direction: 'both',
        })) as unknown as ChannelSummary & { channelvars?: Record<string, string> };
        const vars = channel.channelvars ?? {};
        let address = vars.UNICASTRTP_LOCAL_ADDRESS;
        let port = vars.UNICASTRTP_LOCAL_PORT;
        // Older servers omit channelvars in the answer; the variables are set on the channel.
        address ??= (
          (await c.channels.getChannelVar({
            channelId: channel.id,
            variable: 'UNICASTRTP_LOCAL_ADDRESS',
          })) as { value: string }
        ).value;
        port ??= (
          (await c.channels.getChannelVar({ channelId: channel.id, variable: 'UNICASTRTP_LOCAL_PORT' })) as {
            value: string;
          }
        ).value;
        return { ...summary(channel), rtpAddress: address, rtpPort: Number(port) };
      }),
    externalMediaWebSocket: (o) =>
      call('externalMedia', async (c) => {
        const channel = (await c.channels.externalMedia({
          app: o.app,
          format: o.format,
          channelId: o.channelId,
          ...WEBSOCKET_EXTERNAL_MEDIA,
        } as unknown as Parameters<typeof c.channels.externalMedia>[0])) as unknown as ChannelSummary & {
          channelvars?: Record<string, string>;
        };
        const connectionId =
          channel.channelvars?.MEDIA_WEBSOCKET_CONNECTION_ID ??
          (
            (await c.channels.getChannelVar({
              channelId: channel.id,
              variable: 'MEDIA_WEBSOCKET_CONNECTION_ID',
            })) as { value: string }
          ).value;
        return { ...summary(channel), connectionId };
      }),
    subscribeToChannel: (app, channelId) =>
      call('subscribeToChannel', async (c) => {
        await c.applications.subscribe({ applicationName: app, eventSource: `channel:${channelId}` });
      }),
    getVariable: (channelId, variable) =>
      call(
        'getVariable',
        async (c) => ((await c.channels.getChannelVar({ channelId, variable })) as { value: string }).value,
      ),
    continueInDialplan: (channelId, o) =>
      call('continueInDialplan', (c) => c.channels.continueInDialplan({ channelId, ...o })),
    createBridge: (o) =>
      call('createBridge', async (c) => {
        const bridge = await c.bridges.create({
          type: o.type ?? 'mixing',
          bridgeId: o.bridgeId,
          name: o.name,
        });
        return { id: bridge.id };
      }),
    addChannels: (bridgeId, channelIds) =>
      call('addChannels', (c) => c.bridges.addChannel({ bridgeId, channel: channelIds })),
    removeChannels: (bridgeId, channelIds) =>
      call('removeChannels', (c) => c.bridges.removeChannel({ bridgeId, channel: channelIds })),
    startMoh: (bridgeId, mohClass) =>
      call('startMoh', (c) => c.bridges.startMoh({ bridgeId, ...(mohClass ? { mohClass } : {}) })),
    destroyBridge: (bridgeId) => call('destroyBridge', (c) => c.bridges.destroy({ bridgeId })),
    listChannels: () => call('listChannels', async (c) => (await c.channels.list()).map(summary)),
    listBridges: () =>
      call('listBridges', async (c) =>
        (await c.bridges.list()).map((b) => ({ id: b.id, name: b.name, channels: [...b.channels] })),
      ),
  };
}

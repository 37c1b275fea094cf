import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FakeAsterisk } from './ari-asterisk-state.ts';
import {
  type AriRequest,
  bridgeJson,
  channelJson,
  type FakeAriOptions,
  type FakeBridge,
  type FakeChannel,
  HANGUP_CAUSES,
  now,
} from './ari-model.ts';

/** Answers a REST call and records it (with its status) in the server's request log. */
export type SendAnswer = (res: ServerResponse, req: AriRequest, status: number, body?: unknown) => void;

/**
 * The channel and bridge REST calls of the fake ARI server (`ari-server.ts`): list, ExternalMedia,
 * originate, bridge create/destroy/addChannel, and the channel operations an AI bridge uses, with the
 * status codes and event sequences recorded on a real Asterisk 22.
 */
export function createAriRest(asterisk: FakeAsterisk, options: FakeAriOptions, send: SendAnswer) {
  const { channels, bridges, heldStasisStarts, emit, emitChannel, newChannel, enterStasis, destroyChannel } =
    asterisk;

  /** Handles a channel/bridge call (path without the `/ari` prefix); anything else answers 404. */
  function handle(res: ServerResponse, record: AriRequest, method: string, path: string) {
    const q = record.query;
    if (method === 'GET' && path === '/channels') {
      // Listed when the gate opens: what exists then, as a slow answer from a busy Asterisk would.
      const answer = () => send(res, record, 200, [...channels.values()].map(channelJson));
      if (options.channelListGate) return void options.channelListGate.then(answer);
      return answer();
    }
    if (method === 'GET' && path === '/bridges')
      return send(res, record, 200, [...bridges.values()].map(bridgeJson));

    if (method === 'POST' && path === '/channels/externalMedia') {
      if (q.get('transport') === 'websocket') return webSocketMedia(res, record, q);
      return externalMedia(res, record, q);
    }
    if (method === 'POST' && /^\/applications\/[^/]+\/subscription$/.test(path)) {
      return send(res, record, 200, { name: decodeURIComponent(path.split('/')[2]!), channel_ids: [] });
    }
    if (method === 'POST' && path === '/channels') return originate(res, record, q);
    if (method === 'POST' && path === '/bridges') {
      const bridge: FakeBridge = {
        id: q.get('bridgeId') ?? crypto.randomUUID(),
        name: q.get('name') ?? '',
        channels: [],
        creationtime: now(),
        type: (q.get('type') ?? 'mixing').split(',').includes('holding') ? 'holding' : 'mixing',
      };
      bridges.set(bridge.id, bridge);
      return send(res, record, 200, bridgeJson(bridge));
    }

    const bridgeOp = /^\/bridges\/([^/]+)(?:\/(\w+))?$/.exec(path);
    if (bridgeOp) {
      const bridge = bridges.get(decodeURIComponent(bridgeOp[1]!));
      if (!bridge) return send(res, record, 404, { message: 'Bridge not found' });
      if (method === 'DELETE' && !bridgeOp[2]) return destroyBridge(res, record, bridge);
      if (method === 'POST' && bridgeOp[2] === 'addChannel') return addChannel(res, record, bridge, q);
      if (method === 'POST' && bridgeOp[2] === 'removeChannel') return removeChannel(res, record, bridge, q);
      if (bridgeOp[2] === 'moh' && (method === 'POST' || method === 'DELETE')) {
        bridge.moh = method === 'POST' ? (q.get('mohClass') ?? 'default') : undefined;
        return send(res, record, 204);
      }
      return send(res, record, 404, { message: 'Resource not found' });
    }

    const subscription = /^\/applications\/([^/]+)\/subscription$/.exec(path);
    if (method === 'POST' && subscription) {
      const source = q.get('eventSource') ?? '';
      const channelId = /^channel:(.+)$/.exec(source)?.[1];
      if (!channelId) return send(res, record, 400, { message: 'Invalid event source URI scheme' });
      if (!channels.has(channelId)) return send(res, record, 422, { message: 'Event source does not exist' });
      return send(res, record, 200, {
        name: decodeURIComponent(subscription[1]!),
        channel_ids: [channelId],
        bridge_ids: [],
        endpoint_ids: [],
        device_names: [],
        events_allowed: [],
        events_disallowed: [],
      });
    }

    const channelOp = /^\/channels\/([^/]+)(?:\/(\w+))?$/.exec(path);
    if (channelOp) {
      const channel = channels.get(decodeURIComponent(channelOp[1]!));
      if (!channel) return send(res, record, 404, { message: 'Channel not found' });
      return channelOperation(res, record, method, channelOp[2], channel);
    }
    send(res, record, 404, { message: 'Resource not found' });
  }

  function destroyBridge(res: ServerResponse, record: AriRequest, bridge: FakeBridge): void {
    bridges.delete(bridge.id);
    for (const id of bridge.channels) {
      const channel = channels.get(id);
      if (!channel) continue;
      channel.bridgeId = undefined;
      emit('ChannelLeftBridge', {
        bridge: bridgeJson({ ...bridge, channels: [] }),
        channel: channelJson(channel),
      });
    }
    emit('BridgeDestroyed', { bridge: bridgeJson({ ...bridge, channels: [] }) });
    send(res, record, 204);
  }

  function channelOperation(
    res: ServerResponse,
    record: AriRequest,
    method: string,
    op: string | undefined,
    channel: FakeChannel,
  ) {
    const q = record.query;
    if (method === 'DELETE' && !op) {
      send(res, record, 204);
      destroyChannel(channel, 16, 'Normal Clearing');
      return;
    }
    if (method === 'GET' && op === 'variable') {
      const value = channel.variables[q.get('variable') ?? ''];
      if (value === undefined) return send(res, record, 404, { message: 'Provided variable was not found' });
      return send(res, record, 200, { value });
    }
    if (!channel.inStasis) return send(res, record, 409, { message: 'Channel not in Stasis application' });
    if (method === 'POST' && op === 'answer') {
      send(res, record, 204);
      if (channel.state !== 'Up') {
        channel.state = 'Up';
        emitChannel('ChannelStateChange', channel);
      }
      return;
    }
    if (method === 'POST' && (op === 'continue' || op === 'redirect')) {
      send(res, record, 204);
      const bridge = channel.bridgeId ? bridges.get(channel.bridgeId) : undefined;
      if (bridge) {
        bridge.channels = bridge.channels.filter((id) => id !== channel.id);
        channel.bridgeId = undefined;
        emit('ChannelLeftBridge', { bridge: bridgeJson(bridge), channel: channelJson(channel) });
      }
      channel.inStasis = false;
      emitChannel('StasisEnd', channel);
      return;
    }
    send(res, record, 404, { message: 'Resource not found' });
  }

  function externalMedia(res: ServerResponse, record: AriRequest, q: URLSearchParams) {
    const app = q.get('app');
    const host = q.get('external_host');
    const format = q.get('format');
    if (!app || !host || !format)
      return send(res, record, 400, { message: 'app, external_host and format are required' });
    const peer = options.rtpPeerFor?.(host, format) ?? { address: '127.0.0.1', port: 10090 };
    const channel = newChannel(`UnicastRTP/${host}-0x${randomBytes(6).toString('hex')}`, {
      id: q.get('channelId') ?? undefined,
      variables: { UNICASTRTP_LOCAL_ADDRESS: peer.address, UNICASTRTP_LOCAL_PORT: String(peer.port) },
    });
    send(res, record, 200, {
      ...channelJson(channel),
      channelvars: { UNICASTRTP_LOCAL_PORT: String(peer.port), UNICASTRTP_LOCAL_ADDRESS: peer.address },
    });
    // Recorded order after the answer: Dial, ChannelStateChange(Up), Dial ANSWER, Varset, StasisStart.
    const dial = (dialstatus: string) =>
      emit('Dial', {
        dialstatus,
        forward: '',
        dialstring: `${host}/c(${format})`,
        peer: channelJson(channel),
      });
    const start = () => {
      if (!channels.has(channel.id)) return;
      dial('');
      channel.state = 'Up';
      emitChannel('ChannelStateChange', channel);
      dial('ANSWER');
      emitChannel('ChannelVarset', channel, { variable: 'STASISSTATUS', value: '' });
      enterStasis(channel, q.get('data') ? [q.get('data')!] : [], app);
    };
    // A lost event, as a stalled Asterisk leaves it: the client must give up on its own.
    if (options.withholdExternalStasis?.(channel.id)) return;
    if (options.addChannelRace) {
      // As recorded: the StasisStart lands a few ms after the REST answer; an addChannel before it is refused.
      heldStasisStarts.set(channel.id, start);
      setTimeout(() => {
        if (heldStasisStarts.delete(channel.id)) start();
      }, 30);
    } else setImmediate(start);
  }

  /** chan_websocket ExternalMedia (`connection_type=server`): out of Stasis until its `/media` socket connects. */
  function webSocketMedia(res: ServerResponse, record: AriRequest, q: URLSearchParams) {
    const app = q.get('app');
    if (!app || !q.get('format')) return send(res, record, 400, { message: 'app and format are required' });
    if (q.get('encapsulation') !== 'none' || q.get('connection_type') !== 'server')
      return send(res, record, 400, { message: "encapsulation must be 'none' for the websocket transport" });
    const connectionId = crypto.randomUUID();
    const channel = newChannel(`WebSocket/INCOMING/0x${randomBytes(6).toString('hex')}`, {
      id: q.get('channelId') ?? undefined,
      externalApp: app,
      variables: { MEDIA_WEBSOCKET_CONNECTION_ID: connectionId, MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE: '160' },
    });
    send(res, record, 200, {
      ...channelJson(channel),
      channelvars: { MEDIA_WEBSOCKET_CONNECTION_ID: connectionId, MEDIA_WEBSOCKET_OPTIMAL_FRAME_SIZE: '160' },
    });
  }

  function originate(res: ServerResponse, record: AriRequest, q: URLSearchParams) {
    const endpoint = q.get('endpoint');
    const app = q.get('app');
    const context = q.get('context');
    if (!endpoint) return send(res, record, 400, { message: 'Endpoint must be specified' });
    if (app && (context || q.get('extension'))) {
      return send(res, record, 400, {
        message: "'app' is mutually exclusive with 'context' and 'extension'",
      });
    }
    const bodyVariables = (record.body as { variables?: Record<string, string> } | undefined)?.variables;
    const callerId = /<([^>]*)>/.exec(q.get('callerId') ?? '')?.[1] ?? q.get('callerId') ?? '';
    const channel = newChannel(`${endpoint.split('@')[0]}-${randomBytes(4).toString('hex')}`, {
      id: q.get('channelId') ?? undefined,
      caller: { name: '', number: callerId },
      originate: app
        ? { app, appArgs: (q.get('appArgs') ?? '').split(',').filter(Boolean), endpoint }
        : undefined,
      dialplanOriginate: context
        ? {
            context,
            extension: q.get('extension') ?? 's',
            priority: Number(q.get('priority') ?? 1),
            endpoint,
          }
        : undefined,
      variables: { ...(bodyVariables ?? {}) },
    });
    send(res, record, 200, channelJson(channel));
    const outcome = options.originateOutcome?.(endpoint) ?? 'answer';
    setImmediate(() => {
      if (!channels.has(channel.id)) return;
      channel.state = 'Ringing';
      emitChannel('ChannelStateChange', channel);
      if (outcome === 'hold') return;
      if (outcome === 'answer') {
        channel.state = 'Up';
        emitChannel('ChannelStateChange', channel);
        if (channel.originate) enterStasis(channel, channel.originate.appArgs, channel.originate.app);
        else if (channel.dialplanOriginate) runAmdDialplan(channel, channel.dialplanOriginate.endpoint);
        return;
      }
      const [cause, text] = HANGUP_CAUSES[outcome];
      destroyChannel(channel, cause, text, false);
    });
  }

  /**
   * The AMD context of docs/voicemail-detection.md: AMD() sets AMDSTATUS and AMDCAUSE, then
   * `Stasis(${AI_CALLER_APP},${AI_CALLER_APP_ARGS})` hands the channel to the app.
   */
  function runAmdDialplan(channel: FakeChannel, endpoint: string): void {
    const outcome = options.amdOutcome?.(endpoint) ?? { status: 'HUMAN', cause: 'HUMAN-1500-1500' };
    channel.dialplan = { ...channel.dialplan, app_name: 'AMD', app_data: '' };
    for (const [variable, value] of [
      ['AMDSTATUS', outcome.status],
      ['AMDCAUSE', outcome.cause],
    ] as const) {
      channel.variables[variable] = value;
      emitChannel('ChannelVarset', channel, { variable, value });
    }
    const app = channel.variables.AI_CALLER_APP;
    if (!app) return; // a dialplan without Stasis(): the channel stays in the dialplan
    enterStasis(channel, (channel.variables.AI_CALLER_APP_ARGS ?? '').split(',').filter(Boolean), app);
  }

  function addChannel(res: ServerResponse, record: AriRequest, bridge: FakeBridge, q: URLSearchParams) {
    const ids = (q.get('channel') ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return send(res, record, 400, { message: 'Missing parameter channel' });
    const found = ids.map((id) => channels.get(id));
    if (found.some((c) => !c)) return send(res, record, 400, { message: 'Channel not found' });
    if (found.some((c) => !c!.inStasis)) {
      send(res, record, 422, { message: 'Channel not in Stasis application' });
      // The recorded race: the ExternalMedia StasisStart lands just after the refusal.
      for (const id of ids) {
        const held = heldStasisStarts.get(id);
        if (held) {
          heldStasisStarts.delete(id);
          setImmediate(held);
        }
      }
      return;
    }
    send(res, record, 204);
    for (const channel of found as FakeChannel[]) {
      if (bridge.channels.includes(channel.id)) continue;
      // A channel is in one bridge at a time: Asterisk moves it, leaving the old bridge first.
      const previous = channel.bridgeId ? bridges.get(channel.bridgeId) : undefined;
      if (previous) leaveBridge(previous, channel);
      bridge.channels.push(channel.id);
      channel.bridgeId = bridge.id;
      emit('ChannelEnteredBridge', { bridge: bridgeJson(bridge), channel: channelJson(channel) });
    }
  }

  function leaveBridge(bridge: FakeBridge, channel: FakeChannel): void {
    bridge.channels = bridge.channels.filter((id) => id !== channel.id);
    channel.bridgeId = undefined;
    emit('ChannelLeftBridge', { bridge: bridgeJson(bridge), channel: channelJson(channel) });
  }

  /** `POST /bridges/{id}/removeChannel`: 422 for a channel not in this bridge, as Asterisk answers. */
  function removeChannel(res: ServerResponse, record: AriRequest, bridge: FakeBridge, q: URLSearchParams) {
    const ids = (q.get('channel') ?? '').split(',').filter(Boolean);
    if (ids.length === 0) return send(res, record, 400, { message: 'Missing parameter channel' });
    const found = ids.map((id) => channels.get(id));
    if (found.some((c) => !c)) return send(res, record, 400, { message: 'Channel not found' });
    if (found.some((c) => !c!.inStasis))
      return send(res, record, 422, { message: 'Channel not in Stasis application' });
    if (found.some((c) => c!.bridgeId !== bridge.id))
      return send(res, record, 422, { message: 'Channel not in this bridge' });
    send(res, record, 204);
    for (const channel of found as FakeChannel[]) leaveBridge(bridge, channel);
  }

  return { handle };
}

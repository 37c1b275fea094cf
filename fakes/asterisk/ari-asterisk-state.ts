import type { WebSocket } from 'ws';
import { ASTERISK_ID, bridgeJson, channelJson, type FakeBridge, type FakeChannel, now } from './ari-model.ts';

/** An events socket, with the apps it subscribed to (`?app=` on the upgrade). */
export type AppSocket = WebSocket & { apps?: string[] };

/** Where per-call apps live (`ari-percall.ts`): channels entering them, and their events. */
export interface PerCallRouter {
  enterStasis(channel: FakeChannel, args: string[], app: string): boolean;
  deliver(event: Record<string, unknown>, channelIds: string[]): void;
  channelDestroyed(channelId: string): void;
}

/** The app a channel was originated into or is in Stasis of, if any. */
function appOf(channel: FakeChannel | undefined): string | undefined {
  if (!channel) return undefined;
  if (channel.originate) return channel.originate.app;
  if (channel.externalApp) return channel.externalApp;
  if (channel.dialplan.app_name === 'Stasis') return channel.dialplan.app_data.split(',')[0] || undefined;
  return undefined;
}

/**
 * The simulated Asterisk of the fake ARI server (`ari-server.ts`): its channels and bridges, the
 * events sockets it reports to, and the channel lifecycle with the event sequences recorded on a real
 * Asterisk 22. Every change that tests may wait for calls `notify`, which wakes the `waitUntil`ers.
 */
export function createFakeAsterisk() {
  const channels = new Map<string, FakeChannel>();
  const bridges = new Map<string, FakeBridge>();
  const sockets = new Set<AppSocket>();
  /** ExternalMedia StasisStarts held back for the addChannel race, by channel id. */
  const heldStasisStarts = new Map<string, () => void>();
  const waiters: { match: () => boolean; resolve: () => void }[] = [];
  let perCall: PerCallRouter | undefined;
  let sequence = 0;
  // Asterisk channel ids are `<epoch seconds>.<sequence>`; a fresh base per server keeps them unique across tests.
  const idBase = Math.floor(Date.now() / 1000) + Math.floor(Math.random() * 1_000_000);

  // Tests also wait on state outside this fake (a media task's open connections or live calls),
  // which changes with no event here: while anyone waits, conditions are re-checked every 10 ms too.
  let recheck: NodeJS.Timeout | undefined;
  const notify = () => {
    for (const waiter of [...waiters]) {
      if (waiter.match()) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    if (waiters.length === 0 && recheck) {
      clearInterval(recheck);
      recheck = undefined;
    }
  };
  const waitUntil = (match: () => boolean) =>
    new Promise<void>((resolve) => {
      if (match()) return resolve();
      waiters.push({ match, resolve });
      recheck ??= setInterval(notify, 10).unref();
    });

  /**
   * Sends an event to the app sockets, with the envelope Asterisk adds. Asterisk sends a channel's
   * events to the app it was originated into or is in Stasis of: when an events socket serves that
   * app, only such sockets get them (per-call mode's consult legs reach their owner's dialer app
   * alone). Otherwise (a per-call app's channel, followed by a subscription, which is not modelled)
   * every socket gets them.
   */
  function emit(type: string, fields: Record<string, unknown>, about?: FakeChannel): void {
    const event = { type, timestamp: now(), ...fields, asterisk_id: ASTERISK_ID, application: 'app' };
    const channelId = (fields.channel as { id?: string } | undefined)?.id;
    const app = appOf(about ?? (channelId ? channels.get(channelId) : undefined));
    const serving = app ? [...sockets].filter((socket) => socket.apps?.includes(app)) : [];
    for (const socket of serving.length > 0 ? serving : sockets) {
      const apps = socket.apps ?? [];
      socket.send(JSON.stringify({ ...event, application: apps[0] ?? 'app' }));
    }
    if (perCall) {
      const channel = fields.channel as { id?: string } | undefined;
      const bridge = fields.bridge as { channels?: string[] } | undefined;
      perCall.deliver(event, [...(channel?.id ? [channel.id] : []), ...(bridge?.channels ?? [])]);
    }
    // Every event reports a change (a channel ringing, answered, left a bridge) a test may wait for.
    notify();
  }
  const emitChannel = (type: string, c: FakeChannel, extra: Record<string, unknown> = {}) =>
    emit(type, { ...extra, channel: channelJson(c) }, c);

  function newChannel(name: string, fields: Partial<FakeChannel> = {}): FakeChannel {
    const channel: FakeChannel = {
      id: fields.id ?? `${idBase}.${sequence++}`,
      name,
      state: 'Down',
      caller: { name: '', number: '' },
      connected: { name: '', number: '' },
      dialplan: {
        context: 'default',
        exten: 's',
        priority: 1,
        app_name: 'AppDial2',
        app_data: '(Outgoing Line)',
      },
      creationtime: now(),
      variables: {},
      inStasis: false,
      ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    };
    channels.set(channel.id, channel);
    return channel;
  }

  function enterStasis(channel: FakeChannel, args: string[], app: string): void {
    if (perCall?.enterStasis(channel, args, app)) return;
    channel.inStasis = true;
    channel.dialplan = { ...channel.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    emitChannel('StasisStart', channel, { args });
    notify();
  }

  /** Tears a channel down the way Asterisk reports it: HangupRequest, LeftBridge, StasisEnd, Destroyed. */
  function destroyChannel(
    channel: FakeChannel,
    cause: number,
    causeText: string,
    hangupRequest = true,
  ): void {
    if (!channels.has(channel.id)) return;
    if (hangupRequest) emitChannel('ChannelHangupRequest', channel, { cause: 32, soft: true });
    const bridge = channel.bridgeId ? bridges.get(channel.bridgeId) : undefined;
    if (bridge) {
      bridge.channels = bridge.channels.filter((id) => id !== channel.id);
      emit('ChannelLeftBridge', { bridge: bridgeJson(bridge), channel: channelJson(channel) });
    }
    if (channel.inStasis) emitChannel('StasisEnd', channel);
    channels.delete(channel.id);
    heldStasisStarts.delete(channel.id);
    emitChannel('ChannelDestroyed', channel, { cause, cause_txt: causeText });
    perCall?.channelDestroyed(channel.id);
    notify();
  }

  return {
    channels,
    bridges,
    sockets,
    heldStasisStarts,
    notify,
    waitUntil,
    emit,
    emitChannel,
    newChannel,
    enterStasis,
    destroyChannel,
    setPerCall(router: PerCallRouter): void {
      perCall = router;
    },
  };
}

export type FakeAsterisk = ReturnType<typeof createFakeAsterisk>;

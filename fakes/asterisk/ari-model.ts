import type { IncomingMessage } from 'node:http';
import { loadRecording } from '../../test/fixtures/asterisk-22/recordings.ts';

/** The state and JSON shapes of the fake ARI server (`ari-server.ts`), as Asterisk 22 sends them. */
export const API_DOCS = [
  'asterisk',
  'endpoints',
  'channels',
  'bridges',
  'recordings',
  'sounds',
  'playbacks',
  'deviceStates',
  'mailboxes',
  'events',
  'applications',
];
export const ASTERISK_ID = '02:fc:00:00:00:01';
export const recordedInfo = loadRecording('ari-ulaw').rest.find((r) => r.path === '/asterisk/info')!.body;

export interface FakeChannel {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  dialplan: { context: string; exten: string; priority: number; app_name: string; app_data: string };
  creationtime: string;
  variables: Record<string, string>;
  inStasis: boolean;
  bridgeId?: string;
  /** The app an ExternalMedia channel enters once its media is connected. */
  externalApp?: string;
  /** Originated with app=…: Asterisk puts it in Stasis when the far end answers. */
  originate?: { app: string; appArgs: string[]; endpoint: string };
  /** Originated into the dialplan (context=…): what runs when the far end answers. */
  dialplanOriginate?: { context: string; extension: string; priority: number; endpoint: string };
}

/** What Asterisk's AMD() concludes on a call: `AMDSTATUS` and `AMDCAUSE`. */
export interface AmdOutcome {
  status: 'MACHINE' | 'HUMAN' | 'NOTSURE' | 'HANGUP';
  cause: string;
}

export interface FakeBridge {
  id: string;
  name: string;
  channels: string[];
  creationtime: string;
  /** `mixing` unless created with `type=holding`. */
  type?: 'mixing' | 'holding';
  /** The music-on-hold class playing to the bridge (`POST /bridges/{id}/moh`), if any. */
  moh?: string;
}

export interface AriRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  status: number;
  /** The per-call connection it came over (REST over WebSocket); absent for HTTP. */
  conn?: number;
}

/** What the far end of an originated call does. */
export type OriginateOutcome = 'answer' | 'busy' | 'no_answer' | 'failed' | 'hold';

export interface FakeAriOptions {
  username?: string;
  password?: string;
  /** Where Asterisk's side of ExternalMedia RTP lives (the RTP peer), given the external_host asked for. */
  rtpPeerFor?: (externalHost: string, format: string) => { address: string; port: number };
  /** Hold an ExternalMedia channel's StasisStart until an addChannel with it has been refused (the recorded race). */
  addChannelRace?: boolean;
  /** True for an ExternalMedia channel whose StasisStart never comes (it stays out of Stasis until hung up). */
  withholdExternalStasis?: (channelId: string) => boolean;
  originateOutcome?: (endpoint: string) => OriginateOutcome;
  /**
   * For calls originated into the dialplan: the AMD() verdict the documented AMD context reaches
   * before `Stasis(${AI_CALLER_APP},${AI_CALLER_APP_ARGS})` (HUMAN by default).
   */
  amdOutcome?: (endpoint: string) => AmdOutcome;
  /** GET /channels answers only once this settles (a start-up cleanup still in flight). */
  channelListGate?: Promise<void>;
}

export const HANGUP_CAUSES: Record<Exclude<OriginateOutcome, 'answer' | 'hold'>, [number, string]> = {
  busy: [17, 'User busy'],
  no_answer: [19, 'No user response'],
  failed: [34, 'Circuit/channel congestion'],
};

export const now = () => new Date().toISOString().replace('Z', '+0000');
export const channelJson = (c: FakeChannel) => ({
  id: c.id,
  name: c.name,
  state: c.state,
  protocol_id: '',
  caller: c.caller,
  connected: c.connected,
  accountcode: '',
  dialplan: c.dialplan,
  creationtime: c.creationtime,
  language: 'en',
});
export const bridgeJson = (b: FakeBridge) => ({
  id: b.id,
  technology: b.type === 'holding' ? 'holding_bridge' : 'simple_bridge',
  bridge_type: b.type ?? 'mixing',
  bridge_class: 'stasis',
  creator: 'Stasis',
  name: b.name,
  channels: [...b.channels],
  creationtime: b.creationtime,
  video_mode: 'talker',
});

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The ARI events this bridge acts on, parsed from the events socket's JSON. Parsing never throws:
 * malformed text is `undefined`, and an event type we do not act on (Asterisk sends many:
 * ChannelVarset, Dial, ChannelConnectedLine, …) comes back as `{ type: 'other' }` to be ignored.
 */
export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  dialplan?: { context: string; exten: string };
}

export type AriEvent =
  | { type: 'StasisStart'; channel: AriChannel; args: string[] }
  | { type: 'StasisEnd'; channel: AriChannel }
  | { type: 'ChannelStateChange'; channel: AriChannel }
  | { type: 'ChannelDtmfReceived'; channel: AriChannel; digit: string; durationMs: number }
  | { type: 'ChannelHangupRequest'; channel: AriChannel; cause?: number }
  | { type: 'ChannelDestroyed'; channel: AriChannel; cause: number; causeText: string }
  | { type: 'other'; name: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function channelOf(value: unknown): AriChannel | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.name !== 'string') return undefined;
  const caller = isRecord(value.caller) ? value.caller : {};
  const dialplan = isRecord(value.dialplan) ? value.dialplan : undefined;
  return {
    id: value.id,
    name: value.name,
    state: typeof value.state === 'string' ? value.state : 'Unknown',
    caller: {
      name: typeof caller.name === 'string' ? caller.name : '',
      number: typeof caller.number === 'string' ? caller.number : '',
    },
    dialplan: dialplan
      ? { context: String(dialplan.context ?? ''), exten: String(dialplan.exten ?? '') }
      : undefined,
  };
}

export function parseAriEvent(text: string): AriEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || typeof raw.type !== 'string') return undefined;
  const channel = channelOf(raw.channel);
  const other = { type: 'other' as const, name: raw.type };
  switch (raw.type) {
    case 'StasisStart':
      if (!channel) return other;
      return { type: 'StasisStart', channel, args: Array.isArray(raw.args) ? raw.args.map(String) : [] };
    case 'StasisEnd':
    case 'ChannelStateChange':
      return channel ? { type: raw.type, channel } : other;
    case 'ChannelDtmfReceived':
      if (!channel || typeof raw.digit !== 'string') return other;
      return {
        type: 'ChannelDtmfReceived',
        channel,
        digit: raw.digit,
        durationMs: Number(raw.duration_ms ?? 0),
      };
    case 'ChannelHangupRequest':
      if (!channel) return other;
      return {
        type: 'ChannelHangupRequest',
        channel,
        cause: typeof raw.cause === 'number' ? raw.cause : undefined,
      };
    case 'ChannelDestroyed':
      if (!channel) return other;
      return {
        type: 'ChannelDestroyed',
        channel,
        cause: typeof raw.cause === 'number' ? raw.cause : 0,
        causeText: typeof raw.cause_txt === 'string' ? raw.cause_txt : '',
      };
    default:
      return other;
  }
}

/**
 * Q.850 causes of a call that never connected, as call statuses. 17 user busy; 18/19 no answer;
 * 21 rejected and 1/3/34/38/… network trouble are failures.
 */
export function statusForUnansweredCause(cause: number): 'busy' | 'no_answer' | 'failed' | 'canceled' {
  if (cause === 17) return 'busy';
  if (cause === 18 || cause === 19) return 'no_answer';
  if (cause === 16) return 'canceled';
  return 'failed';
}

/**
 * The channel ExternalMedia creates (`UnicastRTP/…` for rtp/udp, `WebSocket/…` for chan_websocket);
 * it enters our app too, and is never a caller.
 */
export const isExternalMediaChannel = (channel: Pick<AriChannel, 'name'>): boolean =>
  channel.name.startsWith('UnicastRTP/') || channel.name.startsWith('WebSocket/');

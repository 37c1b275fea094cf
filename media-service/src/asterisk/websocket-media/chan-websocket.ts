/**
 * The control side of Asterisk's chan_websocket media protocol (22.6+/20.16+, the `media`
 * sub-protocol on `/media/<MEDIA_WEBSOCKET_CONNECTION_ID>`): BINARY frames carry the audio, TEXT
 * frames carry one control line each. Asterisk sends `MEDIA_START key:value …` first, then flow
 * control (`MEDIA_XOFF`/`MEDIA_XON`) and status lines; the app may send commands such as
 * `FLUSH_MEDIA` or `HANGUP`. Parsing never throws and keeps lines it does not know.
 */
export type ChanWebSocketEvent =
  | {
      kind: 'media_start';
      connectionId: string;
      channel: string;
      channelId: string;
      format: string;
      optimalFrameSize: number;
      ptimeMs: number;
    }
  | { kind: 'xoff' }
  | { kind: 'xon' }
  | { kind: 'other'; name: string; fields: Record<string, string> };

/** Commands the app sends as TEXT frames. */
export const CHAN_WEBSOCKET_COMMAND = {
  /** Drop every frame Asterisk has queued for playback (barge-in). */
  flushMedia: 'FLUSH_MEDIA',
  hangup: 'HANGUP',
} as const;

/** `KEY a:b c:d` → name `KEY` and fields `{a: 'b', c: 'd'}` (values never contain spaces). */
function splitLine(text: string): { name: string; fields: Record<string, string> } {
  const [name = '', ...parts] = text.trim().split(/\s+/);
  const fields: Record<string, string> = {};
  for (const part of parts) {
    const colon = part.indexOf(':');
    if (colon > 0) fields[part.slice(0, colon)] = part.slice(colon + 1);
  }
  return { name, fields };
}

export function parseChanWebSocketText(text: string): ChanWebSocketEvent {
  const { name, fields } = splitLine(text);
  switch (name) {
    case 'MEDIA_START': {
      const frame = Number(fields.optimal_frame_size);
      const ptime = Number(fields.ptime);
      return {
        kind: 'media_start',
        connectionId: fields.connection_id ?? '',
        channel: fields.channel ?? '',
        channelId: fields.channel_id ?? '',
        format: fields.format ?? '',
        optimalFrameSize: Number.isInteger(frame) && frame > 0 ? frame : 160,
        ptimeMs: Number.isInteger(ptime) && ptime > 0 ? ptime : 20,
      };
    }
    case 'MEDIA_XOFF':
      return { kind: 'xoff' };
    case 'MEDIA_XON':
      return { kind: 'xon' };
    default:
      return { kind: 'other', name, fields };
  }
}

import type { WebSocket } from 'ws';
import type { EndReason, TranscriptTurn } from '#shared/calls/call-types.ts';
import type { Logger } from '#shared/logging/logger.ts';
import type { CallTransport, TransportAudioFormat, TransportEvents } from '../session/call-transport.ts';
import {
  encodeServerMessage,
  parseClientFrame,
  type ServerMessage,
  WEB_AUDIO_FORMAT,
  WEB_CLOSE,
} from './web-protocol.ts';

/** How often the server pings: the page treats three missed JSON pings as a lost connection. */
export const WEB_PING_INTERVAL_MS = 5_000;
/** A fresh resume token this often, well inside its lifetime, so the page always holds a valid one. */
export const WEB_RESUME_REFRESH_MS = 20_000;
/** Without a WebSocket pong for this long the browser is gone (network loss, closed laptop). */
const PONG_TIMEOUT_MS = 3 * WEB_PING_INTERVAL_MS;

const AUDIO_FORMAT: TransportAudioFormat = { type: 'audio/pcm', rate: 24000 };

export interface WebTransportOptions {
  callId: string;
  /** Shown on the page as who the caller is talking to. */
  agentName: string;
  logger: Logger;
  pingIntervalMs?: number;
  /**
   * Mints a resume token for this call. When given, the page holds a fresh one at all times and a
   * connection that drops (or a task that drains) is continued by the page reconnecting with it.
   */
  resumeToken?: () => Promise<{ token: string; expiresInMs: number } | undefined>;
}

/**
 * The browser leg of a call: one WebSocket speaking the protocol in `web-protocol.ts`. Audio is
 * already in the model's format (`audio/pcm`, 24 kHz), so frames pass straight through. Playback
 * progress comes from the page's playback worklet (`playback` messages), which plays the part
 * Twilio's mark echoes play on phone calls.
 */
export function createWebTransport(socket: WebSocket, options: WebTransportOptions): CallTransport {
  const logger = options.logger.child({ callId: options.callId, transport: 'web' });
  const pingIntervalMs = options.pingIntervalMs ?? WEB_PING_INTERVAL_MS;
  let events: TransportEvents | undefined;
  /** The agent item the page is told its binary frames belong to. */
  let announcedItem: string | undefined;
  let closed = false;
  let lastPongAt = Date.now();
  let pinger: NodeJS.Timeout | undefined;
  let resumeRefresh: NodeJS.Timeout | undefined;
  const resumable = Boolean(options.resumeToken);

  const send = (message: ServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(encodeServerMessage(message));
  };

  const shutDown = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    clearInterval(pinger);
    clearInterval(resumeRefresh);
    socket.off('message', onMessage);
    socket.off('close', onClose);
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)
      socket.close(code, reason);
  };

  /** The caller leg failed or ended from the browser side: tell the session once. */
  const lost = (reason: 'caller_hangup' | 'media_error', detail: string) => {
    if (closed) return;
    const session = events;
    shutDown(reason === 'caller_hangup' ? WEB_CLOSE.normal.code : WEB_CLOSE.protocolError.code, detail);
    session?.closed(reason, detail);
  };

  function onMessage(data: Buffer, isBinary: boolean) {
    const frame = parseClientFrame(data, isBinary);
    switch (frame.kind) {
      case 'audio':
        // Audio before `ready` has nowhere to go yet; the page only sends after `ready`.
        events?.callerAudio(frame.pcm);
        return;
      case 'message': {
        const message = frame.message;
        if (message.type === 'end') lost('caller_hangup', 'caller_hangup');
        else events?.played(message.itemId, message.playedMs);
        return;
      }
      case 'ignored':
        return;
      case 'invalid':
        logger.warn('browser sent an invalid frame', { problem: frame.problem });
        send({ type: 'error', code: WEB_CLOSE.protocolError.reason, message: frame.problem });
        lost('media_error', WEB_CLOSE.protocolError.reason);
        return;
    }
  }

  function onClose(code: number) {
    if (closed) return;
    // 1000 (the page's hang-up) and 1001 (tab closed) are the caller leaving; anything else broke.
    const clean = code === 1000 || code === 1001;
    closed = true;
    clearInterval(pinger);
    clearInterval(resumeRefresh);
    // A page holding a resume token reconnects after a broken connection, on any task.
    const broken = resumable ? 'leg_lost' : 'media_error';
    events?.closed(clean ? 'caller_hangup' : broken, clean ? 'browser_closed' : `close_${code}`);
  }

  socket.on('message', onMessage);
  socket.on('close', onClose);
  socket.on('error', (error) => logger.warn('browser socket error', { err: error }));
  socket.on('pong', () => {
    lastPongAt = Date.now();
  });

  return {
    provider: 'web',
    audioFormat: AUDIO_FORMAT,
    media: { transport: 'web' },
    resumable,

    attach(subscriber) {
      events = subscriber;
      send({ type: 'ready', callId: options.callId, agentName: options.agentName, ...WEB_AUDIO_FORMAT });
      pinger = setInterval(() => {
        if (Date.now() - lastPongAt > PONG_TIMEOUT_MS) {
          logger.warn('browser stopped answering pings');
          socket.terminate();
          return;
        }
        socket.ping();
        send({ type: 'ping' });
      }, pingIntervalMs);
      pinger.unref();
      if (options.resumeToken) {
        const issue = () => {
          options
            .resumeToken?.()
            .then((minted) => {
              if (minted) send({ type: 'resume', ...minted });
            })
            .catch((error: unknown) => logger.warn('resume token not issued', { err: error }));
        };
        issue();
        resumeRefresh = setInterval(issue, WEB_RESUME_REFRESH_MS);
        resumeRefresh.unref();
      }
    },

    sendAgentAudio(itemId, audio) {
      if (closed || socket.readyState !== socket.OPEN) return;
      if (itemId !== announcedItem) {
        announcedItem = itemId;
        send({ type: 'agent.audio', itemId });
      }
      // The model's base64 decoded once here; the bytes are already the page's playback format.
      socket.send(Buffer.from(audio.base64, 'base64'), { binary: true });
    },

    clearPlayback() {
      if (!announcedItem) return;
      send({ type: 'clear', itemId: announcedItem });
      // Anything sent afterwards is announced again, so the page never files it under a cut item.
      announcedItem = undefined;
    },

    async hangUp(reason: EndReason) {
      send({ type: 'ended', reason });
      shutDown(WEB_CLOSE.normal.code, WEB_CLOSE.normal.reason);
    },

    showPartial(role, itemId, delta) {
      send({ type: 'transcript.delta', role, itemId, delta });
    },

    showTurn(turn: TranscriptTurn) {
      if (turn.role === 'tool') return;
      send({
        type: 'transcript.done',
        role: turn.role,
        itemId: turn.itemId ?? `turn-${turn.seq}`,
        text: turn.text,
        ...(turn.interrupted ? { interrupted: true } : {}),
      });
    },

    close(reason: EndReason) {
      if (closed) return;
      if (reason === 'handover' && resumable) {
        shutDown(WEB_CLOSE.moved.code, WEB_CLOSE.moved.reason);
        return;
      }
      send({ type: 'ended', reason });
      shutDown(WEB_CLOSE.normal.code, WEB_CLOSE.normal.reason);
    },
  };
}

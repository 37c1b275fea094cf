import WebSocket, { type RawData } from 'ws';
import type { SecretStore } from '#shared/config/secrets.ts';
import { getCallOwner } from '#shared/data/call-owners.ts';
import type { Db } from '#shared/data/client.ts';
import { getMediaTask } from '#shared/data/media-tasks.ts';
import type { Logger } from '#shared/logging/logger.ts';
import { signRelayedStream } from './relay-token.ts';

/** Where a media task takes consult streams relayed by the other tasks (`stream-relay-route.ts`). */
export const STREAM_RELAY_PATH = '/internal/twilio/stream';
/** Frames kept while the owner is looked up and connected (~10 s of 20 ms media frames). */
const MAX_HELD_FRAMES = 500;
const OWNER_CONNECT_TIMEOUT_MS = 3_000;
/** Close codes a peer may send (RFC 6455 §7.4): 1005/1006/1015 only describe what happened. */
const sendable = (code: number) =>
  (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
  (code >= 3000 && code <= 4999);

/**
 * A stream's frames from its `start` on, kept until this task knows whether it runs the stream
 * itself (`drop`) or hands it to another task (`forwardTo`: the kept frames first, in order, then
 * every later one as it arrives). Nothing is lost while the owner is looked up.
 */
export interface HeldFrames {
  forwardTo(target: WebSocket): void;
  drop(): void;
}

export function holdFrames(socket: WebSocket, first: readonly string[]): HeldFrames {
  const held: { data: RawData | string; isBinary: boolean }[] = first.map((data) => ({
    data,
    isBinary: false,
  }));
  let target: WebSocket | undefined;
  const onMessage = (data: RawData, isBinary: boolean) => {
    if (target) {
      if (target.readyState === WebSocket.OPEN) target.send(data, { binary: isBinary });
      return;
    }
    if (held.length >= MAX_HELD_FRAMES) {
      socket.off('message', onMessage);
      socket.close(1008, 'relay_backlog');
      return;
    }
    held.push({ data, isBinary });
  };
  socket.on('message', onMessage);
  return {
    forwardTo(next) {
      for (const frame of held.splice(0)) next.send(frame.data, { binary: frame.isBinary });
      target = next;
    },
    drop() {
      held.length = 0;
      socket.off('message', onMessage);
    },
  };
}

export interface StreamRelayDeps {
  db: Db;
  secrets: SecretStore;
  /** This task: a call it owns is never relayed to itself. */
  taskId: string;
  logger: Logger;
}

/**
 * - `relaying`: the stream now belongs to the owner task; this task only passes frames along.
 * - `no_owner`: no other task holds the call live (or it cannot be reached): close as before.
 * - `gone`: the stream closed while the owner was looked up.
 */
export type StreamRelayOutcome = 'relaying' | 'no_owner' | 'gone';

/**
 * A warm transfer's consult stream (the person) that landed on a task that did not dial it: the
 * load balancer picks any task for Twilio's connection, but only the task running the call holds
 * the consult's token id (`ConsultDesk`). This task finds the owner (call owner record, then its
 * address) and opens `STREAM_RELAY_PATH` there with a signed relay token; frames then pass through
 * verbatim both ways, and each side is closed when the other closes. The owner's Twilio stream
 * route takes the relayed socket exactly like a direct consult stream, and never relays it again.
 */
export async function relayConsultStream(input: {
  twilio: WebSocket;
  callId: string;
  held: HeldFrames;
  deps: StreamRelayDeps;
}): Promise<StreamRelayOutcome> {
  const { twilio, callId, held, deps } = input;
  const owner = await getCallOwner(deps.db, callId);
  if (owner?.state !== 'live' || owner.taskId === deps.taskId) {
    deps.logger.warn('consult stream: no other task runs the call', { callId, owner: owner?.state });
    return 'no_owner';
  }
  const task = await getMediaTask(deps.db, owner.taskId);
  if (!task) {
    deps.logger.warn('consult stream: the owner task has no address', { callId, ownerTaskId: owner.taskId });
    return 'no_owner';
  }
  const token = await signRelayedStream(
    callId,
    deps.taskId,
    await deps.secrets.require('INTERNAL_SIGNING_KEY'),
  );
  if (twilio.readyState !== WebSocket.OPEN) return 'gone';
  const logger = deps.logger.child({ callId, ownerTaskId: owner.taskId });
  const upstream = new WebSocket(`${task.url.replace(/^http/, 'ws')}${STREAM_RELAY_PATH}`, {
    headers: { authorization: `Bearer ${token}` },
    handshakeTimeout: OWNER_CONNECT_TIMEOUT_MS,
    perMessageDeflate: false,
  });
  let opened = false;
  upstream.on('open', () => {
    opened = true;
    if (twilio.readyState !== WebSocket.OPEN) return upstream.close(1000, 'stream_closed');
    held.forwardTo(upstream);
    logger.info('consult stream relayed to the owner task');
  });
  upstream.on('message', (data, isBinary) => {
    if (twilio.readyState === WebSocket.OPEN) twilio.send(data, { binary: isBinary });
  });
  upstream.on('error', (error) => logger.warn('consult stream relay socket error', { err: error }));
  upstream.on('close', (code, reason) => {
    held.drop();
    if (twilio.readyState !== WebSocket.OPEN && twilio.readyState !== WebSocket.CONNECTING) return;
    if (!opened) {
      logger.warn('owner task did not take the consult stream', { code });
      twilio.close(1008, 'consult_unreachable');
    } else twilio.close(sendable(code) ? code : 1000, reason.toString());
  });
  twilio.on('close', (code, reason) => {
    held.drop();
    if (upstream.readyState === WebSocket.OPEN)
      upstream.close(sendable(code) ? code : 1000, reason.toString());
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  });
  return 'relaying';
}

import { createSocket, type Socket } from 'node:dgram';
import type { TelemetrySink } from '#shared/observability/telemetry-sink.ts';
import type { SegmentDocument } from './call-segment.ts';

/** Where finished segments go. */
export interface SegmentEmitter {
  emit(segment: SegmentDocument): void;
  close(): void;
}

/** The X-Ray daemon's UDP protocol: a JSON header line, then the segment document. */
const DAEMON_HEADER = '{"format": "json", "version": 1}\n';

/**
 * Sends segments to the X-Ray daemon (the media task's sidecar in AWS) over UDP: one datagram per
 * segment, fire and forget, so tracing never waits on the network and never fails a call.
 */
export function daemonEmitter(address: string, onError: (error: Error) => void): SegmentEmitter {
  const [host, portText] = address.includes(':') ? address.split(':') : ['127.0.0.1', address];
  const port = Number(portText) || 2000;
  let socket: Socket | undefined;
  return {
    emit(segment) {
      socket ??= createSocket('udp4').on('error', onError).unref();
      socket.send(`${DAEMON_HEADER}${JSON.stringify(segment)}`, port, host, (error) => {
        if (error) onError(error);
      });
    },
    close() {
      socket?.close();
      socket = undefined;
    },
  };
}

/** Writes segments to a telemetry sink (the local platform's `.local/telemetry.jsonl`, tests). */
export function sinkEmitter(sink: TelemetrySink): SegmentEmitter {
  return { emit: (segment) => sink.write({ xraySegment: segment }), close: () => {} };
}

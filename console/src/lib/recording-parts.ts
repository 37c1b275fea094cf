import type { RecordingLink } from '../api/types.ts';
import { formatDuration } from './format.ts';

/** One playable file of a call's recording, labelled for the player list. */
export interface RecordingPart {
  key: string;
  url: string;
  label: string;
  detail: string;
}

/**
 * The players to show for a recording. A call that stayed on one media task has one file; a call
 * resumed on another task after a failover continues in a new segment (its own WAV file), so it
 * gets one player per segment, labelled with where it starts in the call. Segments the API left
 * out (lost with a dead task before any audio was stored) show up as the gap in the offsets, and
 * `failedSegments` on the call names them.
 */
export function recordingParts(link: RecordingLink): RecordingPart[] {
  const segments = link.segments ?? [];
  if (segments.length <= 1) {
    return [
      { key: 'whole', url: link.url, label: 'Call recording', detail: formatDuration(link.durationSeconds) },
    ];
  }
  return segments.map((segment, index) => ({
    key: `segment-${segment.segment}`,
    url: segment.url,
    label: `Part ${index + 1} of ${segments.length}`,
    detail: `${startsAt(segment.offsetSeconds)} · ${formatDuration(segment.durationSeconds)}`,
  }));
}

function startsAt(offsetSeconds: number): string {
  return offsetSeconds < 1 ? 'from the start' : `from ${formatDuration(offsetSeconds)} into the call`;
}

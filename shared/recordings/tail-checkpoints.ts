import type { RecordingCheckpoint, RecordingPart } from './recording-types.ts';

export type { RecordingCheckpoint };

/**
 * The S3 key of a checkpoint object: beside the segment's recording, under `<key>.tail/`, named by
 * part and sequence number (a retry puts the same object again). IAM grants deletes on
 * `recordings/*.tail/*` only (infra/lib/constructs/bindings.ts).
 */
export function checkpointKey(
  segmentKey: string,
  checkpoint: Pick<RecordingCheckpoint, 'partNumber' | 'seq'>,
): string {
  return `${segmentKey}.tail/${checkpoint.partNumber}-${checkpoint.seq}`;
}

/** What the sweeper completes a dead task's segment from. */
export interface SweepPlan {
  /** The full parts, contiguous from part 1 (a part after a missing one would splice the audio). */
  parts: RecordingPart[];
  /**
   * The last part, assembled from checkpoints of the part after the full ones: contiguous from
   * the part's start; undefined when there are none.
   */
  tail?: { partNumber: number; checkpoints: RecordingCheckpoint[]; bytes: number };
}

/**
 * Picks the parts and the checkpoints a dead task's segment is completed from: the uploaded
 * parts 1..k without a gap, then the checkpoints of part k+1 in order for as long as each starts
 * where the one before ended (the first at 0). Checkpoints of earlier parts (already uploaded) and
 * later ones (after a part whose upload was cut short) are left out.
 */
export function sweepPlan(
  parts: readonly RecordingPart[],
  checkpoints: readonly RecordingCheckpoint[],
): SweepPlan {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const full: RecordingPart[] = [];
  for (const part of sorted) {
    if (part.partNumber !== full.length + 1) break;
    full.push(part);
  }
  const partNumber = full.length + 1;
  const mine = checkpoints.filter((c) => c.partNumber === partNumber).sort((a, b) => a.seq - b.seq);
  const chain: RecordingCheckpoint[] = [];
  let end = 0;
  for (const checkpoint of mine) {
    if (checkpoint.seq !== chain.length || checkpoint.from !== end || checkpoint.to <= checkpoint.from) break;
    chain.push(checkpoint);
    end = checkpoint.to;
  }
  if (chain.length === 0) return { parts: full };
  return { parts: full, tail: { partNumber, checkpoints: chain, bytes: end } };
}

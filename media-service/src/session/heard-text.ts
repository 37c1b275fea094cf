/**
 * The part of an interrupted agent transcript the caller actually heard. The model's transcript
 * has no timings, so the text is cut in proportion to the audio played (`heardMs` of `totalMs`),
 * backed up to a word boundary so a turn never ends mid-word.
 */
export function heardText(transcript: string, heardMs: number, totalMs: number): string {
  const text = transcript.trim();
  if (totalMs <= 0 || heardMs <= 0 || !text) return '';
  if (heardMs >= totalMs) return text;
  const cutAt = Math.floor((text.length * heardMs) / totalMs);
  if (cutAt >= text.length) return text;
  if (/\s/.test(text.charAt(cutAt))) return text.slice(0, cutAt).trimEnd();
  const lastSpace = text.lastIndexOf(' ', cutAt);
  return lastSpace <= 0 ? '' : text.slice(0, lastSpace).trimEnd();
}

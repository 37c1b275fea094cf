import type { ExtractedDocument } from './extracted-document.ts';

export interface Chunk {
  /** What is embedded, searched and shown: the heading path, then the passage. */
  text: string;
  /** `Title › Heading › Sub-heading` of the passage. */
  heading: string;
}

export interface ChunkOptions {
  maxChars: number;
  overlapChars: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { maxChars: 1_200, overlapChars: 200 };

/** Splits text at paragraph, then sentence, then word boundaries into pieces of at most `max`. */
function pieces(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const units = text
    .split(/\n+/)
    .flatMap((para) => (para.length <= max ? [para] : para.split(/(?<=[.!?])\s+/)));
  const out: string[] = [];
  for (const unit of units) {
    if (unit.length <= max) {
      out.push(unit);
      continue;
    }
    let rest = unit;
    while (rest.length > max) {
      const cut = rest.lastIndexOf(' ', max) > max / 2 ? rest.lastIndexOf(' ', max) : max;
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut).trimStart();
    }
    if (rest) out.push(rest);
  }
  return out;
}

/** The end of `text`, at most `chars`, starting at a word boundary. */
function tail(text: string, chars: number): string {
  if (chars <= 0 || text.length <= chars) return chars <= 0 ? '' : text;
  const slice = text.slice(-chars);
  const space = slice.indexOf(' ');
  return space >= 0 ? slice.slice(space + 1) : slice;
}

/**
 * Chunks by headings: a passage never spans two sections, so each chunk is about one thing and
 * carries its heading path (search matches on headings, and the model knows where a fact is).
 * Long sections are packed into chunks of `maxChars`, each starting with the last
 * `overlapChars` of the one before, so a fact cut at a boundary is still whole in one chunk.
 */
export function chunkDocument(doc: ExtractedDocument, options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of doc.sections) {
    // A page's h1 usually repeats its title: say it once.
    const headings =
      section.headings[0]?.toLowerCase() === doc.title.toLowerCase()
        ? section.headings.slice(1)
        : section.headings;
    const heading = [doc.title, ...headings].filter(Boolean).join(' › ');
    const budget = Math.max(200, options.maxChars - heading.length - 1);
    let current = '';
    const emit = () => {
      if (current.trim())
        chunks.push({ heading, text: heading ? `${heading}\n${current.trim()}` : current.trim() });
    };
    for (const piece of pieces(section.text, budget - options.overlapChars)) {
      if (current && current.length + piece.length + 1 > budget) {
        emit();
        current = tail(current, options.overlapChars);
      }
      current = current ? `${current}\n${piece}` : piece;
    }
    emit();
  }
  return chunks;
}

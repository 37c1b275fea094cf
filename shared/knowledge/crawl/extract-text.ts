import { extractText, getDocumentProxy } from 'unpdf';
import { type ExtractedDocument, normalizeSpace, type Section } from './extracted-document.ts';

const empty = (title: string, sections: Section[]): ExtractedDocument => ({
  title,
  sections,
  links: [],
  noindex: false,
  nofollow: false,
});

/** Markdown → sections by `#` headings (ATX style; setext headings read as text). */
export function extractMarkdown(markdown: string, fallbackTitle: string): ExtractedDocument {
  const sections: Section[] = [];
  const headings: string[] = [];
  let lines: string[] = [];
  let inFence = false;
  const flush = () => {
    const text = normalizeSpace(lines.join('\n'));
    if (text) sections.push({ headings: headings.filter(Boolean), text });
    lines = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      headings.length = Math.min(headings.length, level - 1);
      while (headings.length < level - 1) headings.push('');
      headings.push(heading[2] as string);
      continue;
    }
    lines.push(line);
  }
  flush();
  const firstHeading = sections.find((s) => s.headings.length)?.headings[0];
  return empty(firstHeading ?? fallbackTitle, sections);
}

export function extractPlainText(text: string, title: string): ExtractedDocument {
  const body = normalizeSpace(text);
  return empty(title, body ? [{ headings: [], text: body }] : []);
}

/** PDF → text, one section per page (`Page 3`), so citations can say where a fact stands. */
export async function extractPdf(bytes: Uint8Array, fallbackTitle: string): Promise<ExtractedDocument> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: false });
  const meta = await pdf.getMetadata().catch(() => undefined);
  const metaTitle = (meta?.info as { Title?: string } | undefined)?.Title;
  const sections = (text as string[])
    .map((pageText, i) => ({ headings: [`Page ${i + 1}`], text: normalizeSpace(pageText) }))
    .filter((s) => s.text);
  await pdf.cleanup().catch(() => undefined);
  return empty(metaTitle?.trim() || fallbackTitle, sections);
}

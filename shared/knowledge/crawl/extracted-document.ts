/** A run of text under one heading path (`["Pricing", "Enterprise"]`). */
export interface Section {
  headings: string[];
  text: string;
}

/** What any extractor (HTML, PDF, Markdown, text) produces for chunking. */
export interface ExtractedDocument {
  title: string;
  sections: Section[];
  /** Absolute links found in the document (HTML only), in order, unfiltered. */
  links: string[];
  /** `<link rel="canonical">`, when the page names one. */
  canonical?: string;
  /** `<meta name="robots" content="noindex">`: the page must not be indexed. */
  noindex: boolean;
  /** `nofollow`: the page's links must not be followed. */
  nofollow: boolean;
}

/** The text that identifies a version of the content (what the hash covers). */
export function documentText(doc: ExtractedDocument): string {
  return [doc.title, ...doc.sections.map((s) => `${s.headings.join(' > ')}\n${s.text}`)].join('\n\n');
}

export const normalizeSpace = (text: string) =>
  text
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

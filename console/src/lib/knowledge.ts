import type { KnowledgeBase, KnowledgeSource, KnowledgeSync } from '../api/contracts.ts';

/** What a person recognises a source by: its address, the title of a pasted text, the file's name. */
export function sourceLabel(source: KnowledgeSource): string {
  switch (source.type) {
    case 'website':
    case 'sitemap':
      return source.url;
    case 'text':
      return source.title;
    case 'file':
      return source.fileName;
  }
}

export function sourcesLabel(kb: Pick<KnowledgeBase, 'sources'>): string {
  return kb.sources.map(sourceLabel).join(', ');
}

/** A sync still moving (crawling, then indexing): the page keeps polling it and shows a progress bar. */
export function isSyncRunning(status: KnowledgeSync['status'] | null | undefined): boolean {
  return status === 'running' || status === 'indexing';
}

export function syncTone(status: KnowledgeSync['status']): 'good' | 'warn' | 'bad' | 'live' {
  if (status === 'completed') return 'good';
  if (status === 'completed_with_errors') return 'warn';
  if (status === 'failed') return 'bad';
  return 'live';
}

export type StartSource = 'website' | 'sitemap';

/** The body of `POST /v1/knowledge-bases` from the console's one-source form. */
export function newKnowledgeBaseBody(input: {
  name: string;
  type: StartSource;
  url: string;
  refresh: KnowledgeBase['refresh'];
}) {
  return {
    name: input.name.trim(),
    sources: [{ type: input.type, url: input.url.trim() }],
    refresh: input.refresh,
  };
}

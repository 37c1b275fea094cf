import { describe, expect, it } from 'vitest';
import type { KnowledgeSource, KnowledgeSync } from '../api/contracts.ts';
import { isSyncRunning, newKnowledgeBaseBody, sourceLabel, sourcesLabel, syncTone } from './knowledge.ts';

describe('knowledge sources as people read them', () => {
  const cases: [KnowledgeSource, string][] = [
    [
      { id: 's1', type: 'website', url: 'https://help.example.com', maxPages: 500, maxDepth: 5 },
      'https://help.example.com',
    ],
    [
      { id: 's2', type: 'sitemap', url: 'https://example.com/sitemap.xml', maxPages: 500 },
      'https://example.com/sitemap.xml',
    ],
    [{ id: 's3', type: 'text', title: 'Opening hours', content: 'Mon–Fri 8–18' }, 'Opening hours'],
    [
      {
        id: 's4',
        type: 'file',
        fileName: 'prices.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        uploaded: true,
      },
      'prices.pdf',
    ],
  ];
  it.each(cases)('%o → %s', (source, label) => {
    expect(sourceLabel(source)).toBe(label);
  });

  it('joins every source of a base', () => {
    expect(sourcesLabel({ sources: cases.map(([source]) => source) })).toBe(
      'https://help.example.com, https://example.com/sitemap.xml, Opening hours, prices.pdf',
    );
  });
});

describe('sync state', () => {
  const cases: [KnowledgeSync['status'] | null, boolean, string][] = [
    ['running', true, 'live'],
    ['indexing', true, 'live'],
    ['completed', false, 'good'],
    ['completed_with_errors', false, 'warn'],
    ['failed', false, 'bad'],
    [null, false, ''],
  ];
  it.each(cases)('%s: running %s, tone %s', (status, running, tone) => {
    expect(isSyncRunning(status)).toBe(running);
    if (status) expect(syncTone(status)).toBe(tone);
  });
});

describe('the new-base form', () => {
  it('sends one source of the chosen type, trimmed', () => {
    expect(
      newKnowledgeBaseBody({
        name: ' Help ',
        type: 'sitemap',
        url: ' https://x.test/sitemap.xml ',
        refresh: 'weekly',
      }),
    ).toEqual({
      name: 'Help',
      sources: [{ type: 'sitemap', url: 'https://x.test/sitemap.xml' }],
      refresh: 'weekly',
    });
  });
});

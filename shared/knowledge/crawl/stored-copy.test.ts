import { describe, expect, it } from 'vitest';
import type { DocumentRecord, DuplicateRecord } from '../document-store.ts';
import { storedCopy } from './stored-copy.ts';

const url = 'https://example.com/page';
const indexed: DocumentRecord = {
  url,
  sourceId: 's1',
  status: 'indexed',
  chunkCount: 2,
  contentHash: 'a'.repeat(64),
  etag: '"doc"',
  validatorsUrl: 'https://example.com/final',
};
const removed: DocumentRecord = { ...indexed, status: 'removed', chunkCount: 0 };
const duplicate: DuplicateRecord = {
  url,
  duplicateOf: 'https://example.com/original',
  contentHash: 'b'.repeat(64),
  etag: '"dup"',
  seenSyncId: 'sync1',
};

describe('storedCopy: which record a conditional request describes', () => {
  it.each([
    ['nothing stored', undefined, undefined, undefined, undefined],
    ['an indexed document', indexed, undefined, 'document', '"doc"'],
    ['an indexed document wins over an older duplicate record', indexed, duplicate, 'document', '"doc"'],
    ['a removed document and no duplicate record', removed, undefined, undefined, undefined],
    ['a removed document and a duplicate record', removed, duplicate, 'duplicate', '"dup"'],
    ['only a duplicate record', undefined, duplicate, 'duplicate', '"dup"'],
  ])('%s', (_name, document, dup, kind, etag) => {
    const copy = storedCopy(document, dup);
    expect(copy?.kind).toBe(kind);
    expect(copy?.validators.etag).toBe(etag);
  });

  it('keeps the URL the validators belong to, and reads stored nulls as absent', () => {
    expect(storedCopy(indexed, undefined)?.validators).toEqual({
      etag: '"doc"',
      lastModified: undefined,
      validatorsUrl: 'https://example.com/final',
    });
    const touched = { ...indexed, lastModified: null, validatorsUrl: null } as unknown as DocumentRecord;
    expect(storedCopy(touched, undefined)?.validators).toEqual({
      etag: '"doc"',
      lastModified: undefined,
      validatorsUrl: undefined,
    });
  });
});

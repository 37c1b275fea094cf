import { createHash } from 'node:crypto';
import { type ItemKey, tenantPk } from '../data/keys.ts';

/**
 * Item families of knowledge bases in MAIN_TABLE:
 *   TENANT#t / KB#kb                    knowledge base (gsi2: KBREFRESH#daily|weekly for the schedule)
 *   KB#kb / SYNC#sync                   sync with its counters (gsi1: KBSYNC#active while unfinished)
 *   KB#kb / PAGE#sync#h(url)            one frontier entry of a sync: queued → fetched|unchanged|failed|skipped
 *   KB#kb / DOC#h(url)                  document: validators, content hash, chunk count, outgoing links
 *   KB#kb / CONTENT#hash                the URL that owns a content; other URLs with it are duplicates
 *   KB#kb / DUP#h(url)                  a duplicate page's validators and links (conditional refresh)
 *   KB#kb / ROBOTS#sync#origin          robots.txt as fetched once per sync and origin
 *   KBHOST#host / KBHOST                next time the crawler may hit a host (politeness across syncs)
 *   KBHOST#host / LEASE#i               one of the host's concurrent-fetch leases (crawl/host-leases.ts)
 */
export const urlKey = (url: string) => createHash('sha256').update(url).digest('base64url').slice(0, 32);
export const kbPk = (kbId: string) => `KB#${kbId}`;

export const knowledgeKeys = {
  base: (tenantId: string, kbId: string): ItemKey => ({ pk: tenantPk(tenantId), sk: `KB#${kbId}` }),
  sync: (kbId: string, syncId: string): ItemKey => ({ pk: kbPk(kbId), sk: `SYNC#${syncId}` }),
  page: (kbId: string, syncId: string, url: string): ItemKey => ({
    pk: kbPk(kbId),
    sk: `PAGE#${syncId}#${urlKey(url)}`,
  }),
  document: (kbId: string, url: string): ItemKey => ({ pk: kbPk(kbId), sk: `DOC#${urlKey(url)}` }),
  duplicate: (kbId: string, url: string): ItemKey => ({ pk: kbPk(kbId), sk: `DUP#${urlKey(url)}` }),
  content: (kbId: string, hash: string): ItemKey => ({ pk: kbPk(kbId), sk: `CONTENT#${hash}` }),
  robots: (kbId: string, syncId: string, origin: string): ItemKey => ({
    pk: kbPk(kbId),
    sk: `ROBOTS#${syncId}#${origin}`,
  }),
  host: (host: string): ItemKey => ({ pk: `KBHOST#${host}`, sk: 'KBHOST' }),
  hostLease: (host: string, slot: number): ItemKey => ({ pk: `KBHOST#${host}`, sk: `LEASE#${slot}` }),
} as const;

export const ACTIVE_SYNCS_PK = 'KBSYNC#active';
export const refreshPk = (mode: string) => `KBREFRESH#${mode}`;

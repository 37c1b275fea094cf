import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../data/dynamo-errors.ts';
import { knowledgeKeys } from '../knowledge-keys.ts';
import { sendCrawlPage } from '../knowledge-messages.ts';
import { getDocument } from '../document-store.ts';
import { addPage, getPage, type PageKind } from '../sync-frontier.ts';
import type { CrawlDeps, CrawlEntry } from './crawl-context.ts';
import { fetchRobotsText, parseRobots, type RobotsRules } from './robots.ts';

/** robots.txt of an origin, fetched once per sync and kept with it. */
export async function robotsFor(
  deps: CrawlDeps,
  entry: CrawlEntry,
  origin: string,
): Promise<{ rules: RobotsRules; unreachable: boolean }> {
  const key = knowledgeKeys.robots(entry.kb.id, entry.syncId, origin);
  const stored = await deps.db.doc.send(new GetCommand({ TableName: deps.db.tableName, Key: key }));
  let text = stored.Item?.text as string | undefined;
  let unreachable = false;
  if (text === undefined) {
    const fetched = await fetchRobotsText(origin, {
      timeoutMs: deps.fetchTimeoutMs,
      allowPrivate: deps.allowPrivate,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    unreachable = fetched.unreachable;
    text = fetched.text;
    if (!unreachable)
      await deps.db.doc.send(
        new PutCommand({ TableName: deps.db.tableName, Item: { ...key, type: 'knowledgeRobots', text } }),
      );
  }
  return { rules: parseRobots(`${origin}/robots.txt`, text), unreachable };
}

/**
 * Reserves the next request slot for a host: returns how long to wait before fetching. Slots are
 * spaced `delayMs` apart across every crawler instance (the time lives in DynamoDB), which bounds
 * the rate a site sees however far the queue fans out.
 */
export async function reserveHostSlot(
  deps: CrawlDeps,
  host: string,
  delayMs: number,
  nowMs = Date.now(),
): Promise<number> {
  if (delayMs <= 0) return 0;
  const key = knowledgeKeys.host(host);
  for (let attempt = 0; attempt < 8; attempt++) {
    const out = await deps.db.doc.send(
      new GetCommand({ TableName: deps.db.tableName, Key: key, ConsistentRead: true }),
    );
    const previous = out.Item?.nextAt as number | undefined;
    const start = Math.max(nowMs, previous ?? 0);
    try {
      await deps.db.doc.send(
        new PutCommand({
          TableName: deps.db.tableName,
          Item: {
            ...key,
            type: 'knowledgeHost',
            nextAt: start + delayMs,
            expiresAt: Math.ceil((start + delayMs) / 1000) + 86_400,
          },
          ConditionExpression: previous === undefined ? 'attribute_not_exists(pk)' : 'nextAt = :previous',
          ExpressionAttributeValues: previous === undefined ? undefined : { ':previous': previous },
        }),
      );
      return start - nowMs;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return delayMs;
}

/**
 * Adds links to the frontier and sends their messages. On a redelivered message a link that
 * exists, is still queued and was added by this page may have lost its message in a crash: it
 * is sent again (processing is idempotent, a duplicate message does nothing).
 */
export async function enqueueChildren(
  deps: CrawlDeps,
  entry: CrawlEntry,
  urls: string[],
  kind: PageKind,
  depth: number,
  maxPages: number,
  sourceId: string = entry.page.sourceId,
): Promise<void> {
  const { kb, syncId, page } = entry;
  for (const url of urls) {
    const result = await addPage(
      deps.db,
      kb.id,
      syncId,
      { url, kind, sourceId, depth, parentUrl: page.url },
      maxPages,
    );
    if (result === 'limit' || result === 'not_running') return;
    if (result === 'exists') {
      if (!entry.redelivered) continue;
      const existing = await getPage(deps.db, kb.id, syncId, url);
      if (existing?.state !== 'queued' || existing.parentUrl !== page.url) continue;
    }
    await sendCrawlPage(deps.sqs, deps.queueUrls, { tenantId: kb.tenantId, kbId: kb.id, syncId, url });
  }
}

/**
 * Who holds a content for this sync: the URL of its claim, and whether that URL (another than
 * this entry's) still holds it: its document has that content, or it claimed it in this sync
 * (an owner seen only in this sync has no document yet but holds the claim all the same).
 */
async function readClaim(
  deps: CrawlDeps,
  entry: CrawlEntry,
  hash: string,
): Promise<{ owner?: string; held: boolean }> {
  const out = await deps.db.doc.send(
    new GetCommand({
      TableName: deps.db.tableName,
      Key: knowledgeKeys.content(entry.kb.id, hash),
      ConsistentRead: true,
    }),
  );
  const owner = out.Item?.url as string | undefined;
  if (!owner || owner === entry.page.url) return { owner, held: false };
  const ownerDoc = await getDocument(deps.db, entry.kb.id, owner);
  const ownerFresh = ownerDoc?.status === 'indexed' && ownerDoc.contentHash === hash;
  return { owner, held: ownerFresh || out.Item?.syncId === entry.syncId };
}

/** The other URL that holds a content for this sync, if any (nothing is claimed). */
export async function heldElsewhere(
  deps: CrawlDeps,
  entry: CrawlEntry,
  hash: string,
): Promise<string | undefined> {
  const claim = await readClaim(deps, entry, hash);
  return claim.held ? claim.owner : undefined;
}

/**
 * Decides which URL owns a content (the others are duplicates): the URL that indexed it before
 * keeps it, so the choice does not flip between syncs with the order pages happen to be fetched;
 * new content goes to the first URL that claims it, and a claim whose owner no longer has that
 * content is taken over. Returns the owner when it is another URL.
 */
export async function claimContent(
  deps: CrawlDeps,
  entry: CrawlEntry,
  hash: string,
  ownedBefore: boolean,
): Promise<string | undefined> {
  const key = knowledgeKeys.content(entry.kb.id, hash);
  const me = entry.page.url;
  if (ownedBefore) {
    await deps.db.doc.send(
      new PutCommand({
        TableName: deps.db.tableName,
        Item: { ...key, type: 'knowledgeContent', url: me, syncId: entry.syncId },
      }),
    );
    return undefined;
  }
  const { owner, held } = await readClaim(deps, entry, hash);
  if (held) return owner;
  try {
    await deps.db.doc.send(
      new PutCommand({
        TableName: deps.db.tableName,
        Item: { ...key, type: 'knowledgeContent', url: me, syncId: entry.syncId },
        ConditionExpression: owner ? '#url = :owner' : 'attribute_not_exists(pk)',
        ExpressionAttributeNames: owner ? { '#url': 'url' } : undefined,
        ExpressionAttributeValues: owner ? { ':owner': owner } : undefined,
      }),
    );
    return undefined;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const again = await deps.db.doc.send(
      new GetCommand({ TableName: deps.db.tableName, Key: key, ConsistentRead: true }),
    );
    const winner = again.Item?.url as string | undefined;
    return winner && winner !== me ? winner : undefined;
  }
}

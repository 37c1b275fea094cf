import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { getObjectBytes, type KnowledgeStorage, listKeys, storageKeys } from '../knowledge-storage.ts';
import { CHUNK_TABLE } from './lance-index.ts';

export interface PinnedIndex {
  tenantId: string;
  kbId: string;
  version: number;
}

/**
 * Index versions copied from S3 to local disk and kept open, per tenant and version. Versions are
 * immutable, so a copy never goes stale; a call pins the versions it started with and keeps
 * searching them while a newer one is published. Concurrent opens of one version share one copy.
 */
export class KnowledgeIndexCache {
  private readonly storage: KnowledgeStorage;
  private readonly dir: string;
  private readonly maxOpen: number;
  private readonly open = new Map<string, Promise<lancedb.Table | undefined>>();
  /** Evicted copies being removed from disk; a load of the same version waits for it. */
  private readonly discarding = new Map<string, Promise<void>>();

  constructor(options: { storage: KnowledgeStorage; dir?: string; maxOpen?: number }) {
    this.storage = options.storage;
    this.dir = options.dir ?? join(tmpdir(), 'ai-caller-knowledge');
    this.maxOpen = options.maxOpen ?? 256;
  }

  /** The table of a version (undefined for a version without chunks). */
  table(pin: PinnedIndex): Promise<lancedb.Table | undefined> {
    const key = `${pin.tenantId}/${pin.kbId}/v${pin.version}`;
    let entry = this.open.get(key);
    if (entry) {
      // Map order is recency order: re-insert on use.
      this.open.delete(key);
      this.open.set(key, entry);
      return entry;
    }
    entry = this.load(pin, key).catch((error) => {
      this.open.delete(key);
      throw error;
    });
    this.open.set(key, entry);
    while (this.open.size > this.maxOpen) {
      const oldest = this.open.keys().next().value as string;
      const evicted = this.open.get(oldest);
      this.open.delete(oldest);
      const removal: Promise<void> = this.discard(oldest, evicted).finally(() => {
        if (this.discarding.get(oldest) === removal) this.discarding.delete(oldest);
      });
      this.discarding.set(oldest, removal);
    }
    return entry;
  }

  /**
   * Closes an evicted version and deletes its local copy, so a long-lived task's disk holds at
   * most `maxOpen` versions however many syncs publish. Renamed first (atomic): nothing ever
   * opens a half-deleted copy.
   */
  private async discard(key: string, entry: Promise<lancedb.Table | undefined> | undefined): Promise<void> {
    await entry?.then((t) => t?.close()).catch(() => undefined);
    const trash = `${join(this.dir, key)}.${randomBytes(4).toString('hex')}.evicted`;
    try {
      await rename(join(this.dir, key), trash);
    } catch {
      return; // never copied (a version without chunks, or a failed load)
    }
    await rm(trash, { recursive: true, force: true });
  }

  /** Resolves once every evicted copy so far is gone from disk. */
  async discarded(): Promise<void> {
    await Promise.all([...this.discarding.values()]);
  }

  /** Opens the versions a call will search, so its first question does not wait for a download. */
  async warm(pins: PinnedIndex[]): Promise<void> {
    await Promise.all(pins.map((pin) => this.table(pin)));
  }

  private async load(pin: PinnedIndex, key: string): Promise<lancedb.Table | undefined> {
    await this.discarding.get(key);
    const local = join(this.dir, key);
    if (!existsSync(join(local, '.complete'))) {
      const prefix = `${storageKeys.indexDir(pin.tenantId, pin.kbId, pin.version)}/`;
      const keys = await listKeys(this.storage, prefix);
      if (keys.length === 0) return undefined;
      const staging = `${local}.${randomBytes(4).toString('hex')}.tmp`;
      await Promise.all(
        keys.map(async (objectKey) => {
          const target = join(staging, objectKey.slice(prefix.length));
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, await getObjectBytes(this.storage, objectKey));
        }),
      );
      await writeFile(join(staging, '.complete'), '');
      await mkdir(dirname(local), { recursive: true });
      try {
        await rename(staging, local);
      } catch {
        // Another process finished the same copy first; it is identical.
        await rm(staging, { recursive: true, force: true });
      }
    }
    const db = await lancedb.connect(local);
    return db.openTable(CHUNK_TABLE);
  }

  close(): void {
    for (const entry of this.open.values()) void entry.then((t) => t?.close()).catch(() => undefined);
    this.open.clear();
  }
}

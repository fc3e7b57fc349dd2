/**
 * The local Deta Base backend: every base of the app in memory, in key order, made durable by one journal
 * (`base.journal`). A write is applied to memory and acknowledged once its journal line is fsynced; a `putMany`
 * is one line, so a crash keeps all of it or none. Compaction drops overwritten, deleted and expired records.
 */
import { join } from 'node:path';
import type { BaseRecord, BaseRef, BaseStore, BaseWrite, ScanPage, ScanRequest } from '../../data/base-store';
import { MAX_PUT_ITEMS } from '../../data/limits';
import { Journal } from './journal';
import { SortedKeys } from './sorted-keys';

export const BASE_JOURNAL_FILE = 'base.journal';

/** Compact once the journal holds this many lines more than twice the live records. */
const DEFAULT_COMPACTION_SLACK = 10_000;

export interface JournalStoreOptions {
  /** Milliseconds since the epoch, to drop expired records when compacting. @default Date.now */
  readonly now?: () => number;
  /** Superseded lines tolerated before compacting. @default 10000 */
  readonly compactionSlack?: number;
}

type Entry = { p: string; b: string; put: BaseWrite[] } | { p: string; b: string; del: string };

interface Namespace {
  readonly ref: BaseRef;
  readonly keys: SortedKeys;
  readonly records: Map<string, BaseRecord>;
}

export class JournalBaseStore implements BaseStore {
  private readonly namespaces = new Map<string, Namespace>();
  private journal!: Journal;
  private version = 0;
  private compacting: Promise<void> | undefined;

  private constructor(
    private readonly now: () => number,
    private readonly compactionSlack: number,
  ) {}

  /** Opens (creating) the store in `dir`, replaying its journal. */
  static async open(dir: string, options: JournalStoreOptions = {}): Promise<JournalBaseStore> {
    const store = new JournalBaseStore(options.now ?? Date.now, options.compactionSlack ?? DEFAULT_COMPACTION_SLACK);
    store.journal = await Journal.open(join(dir, BASE_JOURNAL_FILE), (entry) => store.apply(entry as Entry));
    await store.compactIfWorthIt();
    return store;
  }

  /** Live records across every base. */
  get recordCount(): number {
    let count = 0;
    for (const namespace of this.namespaces.values()) count += namespace.records.size;
    return count;
  }

  get journalBytes(): number {
    return this.journal.sizeBytes;
  }

  async get(ref: BaseRef, key: string): Promise<BaseRecord | undefined> {
    this.journal.check();
    return this.namespaces.get(namespaceKey(ref))?.records.get(key);
  }

  async putMany(ref: BaseRef, records: readonly BaseWrite[]): Promise<{ readonly failed: readonly string[] }> {
    await this.write({ p: ref.projectId, b: ref.base, put: [...records] });
    return { failed: [] };
  }

  async insert(ref: BaseRef, record: BaseWrite, now: number): Promise<boolean> {
    const existing = this.namespaces.get(namespaceKey(ref))?.records.get(record.item.key);
    if (existing !== undefined && (existing.expires === undefined || existing.expires > now)) return false;
    await this.write({ p: ref.projectId, b: ref.base, put: [record] });
    return true;
  }

  async replaceIfVersion(ref: BaseRef, record: BaseWrite, version: string): Promise<boolean> {
    if (this.namespaces.get(namespaceKey(ref))?.records.get(record.item.key)?.version !== version) return false;
    await this.write({ p: ref.projectId, b: ref.base, put: [record] });
    return true;
  }

  async delete(ref: BaseRef, key: string): Promise<void> {
    if (!this.namespaces.get(namespaceKey(ref))?.records.has(key)) return;
    await this.write({ p: ref.projectId, b: ref.base, del: key });
  }

  async scan(ref: BaseRef, request: ScanRequest): Promise<ScanPage> {
    this.journal.check();
    const namespace = this.namespaces.get(namespaceKey(ref));
    if (namespace === undefined) return { records: [], done: true };
    const { keys, done } = namespace.keys.scan(request.range, request.descending ?? false, request.after, request.limit);
    return { records: keys.map((key) => namespace.records.get(key)!), done };
  }

  async close(): Promise<void> {
    await this.compacting;
    await this.journal.close();
  }

  /**
   * Applies `entry` to memory at once (so the check-then-write of insert and replaceIfVersion cannot interleave
   * with another write) and resolves when its line is durable.
   */
  private async write(entry: Entry): Promise<void> {
    this.apply(entry);
    await this.journal.append(entry);
    await this.compactIfWorthIt();
  }

  private apply(entry: Entry): void {
    const ref = { projectId: entry.p, base: entry.b };
    const key = namespaceKey(ref);
    let namespace = this.namespaces.get(key);
    if (namespace === undefined) {
      namespace = { ref, keys: new SortedKeys(), records: new Map() };
      this.namespaces.set(key, namespace);
    }
    if ('del' in entry) {
      namespace.records.delete(entry.del);
      namespace.keys.remove(entry.del);
      return;
    }
    for (const write of entry.put) {
      const record: BaseRecord = { item: write.item, expires: write.expires, version: String(++this.version) };
      if (!namespace.records.has(write.item.key)) namespace.keys.add(write.item.key);
      namespace.records.set(write.item.key, record);
    }
  }

  private async compactIfWorthIt(): Promise<void> {
    if (this.compacting !== undefined || this.journal.lineCount <= 2 * this.recordCount + this.compactionSlack) return;
    this.compacting = this.journal.compact(() => this.liveEntries()).finally(() => {
      this.compacting = undefined;
    });
    await this.compacting;
  }

  /** The live state as journal lines: each base's unexpired records, 25 to a line (expired ones are dropped). */
  private *liveEntries(): Iterable<Entry> {
    const now = this.now() / 1000;
    for (const namespace of this.namespaces.values()) {
      let batch: BaseWrite[] = [];
      for (const record of namespace.records.values()) {
        if (record.expires !== undefined && record.expires <= now) {
          // Gone for every reader already; forget it in memory too.
          namespace.records.delete(record.item.key);
          namespace.keys.remove(record.item.key);
          continue;
        }
        batch.push(record.expires === undefined ? { item: record.item } : { item: record.item, expires: record.expires });
        if (batch.length === MAX_PUT_ITEMS) {
          yield { p: namespace.ref.projectId, b: namespace.ref.base, put: batch };
          batch = [];
        }
      }
      if (batch.length > 0) yield { p: namespace.ref.projectId, b: namespace.ref.base, put: batch };
    }
  }
}

function namespaceKey(ref: BaseRef): string {
  // Project ids hold no `/`, so the pair is unambiguous.
  return `${ref.projectId}/${ref.base}`;
}

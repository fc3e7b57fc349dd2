/**
 * The local Deta Base backend: every base of the app in memory, in key order, made durable by one journal
 * (`base.journal`). A write is applied to memory and acknowledged once its journal line is fsynced; a `putMany`
 * is one line, so a crash keeps all of it or none. Compaction drops overwritten, deleted and expired records.
 */
import { join } from 'node:path';
import type { BaseRecord, BaseRef, BaseStore, BaseWrite, ScanPage, ScanRequest } from '../../data/base-store';
import { MAX_PUT_ITEMS } from '../../data/limits';
import { type JournalLog, JournaledState } from './journal';
import { OrderedMap } from './sorted-keys';

export const BASE_JOURNAL_FILE = 'base.journal';

/** Compact once the journal holds this many lines more than twice the live records. */
const DEFAULT_COMPACTION_SLACK = 10_000;

export interface JournalStoreOptions {
  /** Milliseconds since the epoch, to drop expired records when compacting. @default Date.now */
  readonly now?: () => number;
  /** Superseded lines tolerated before compacting. @default 10000 */
  readonly compactionSlack?: number;
  /** Where a failed compaction is reported. @default standard error */
  readonly log?: JournalLog;
}

type Entry = { p: string; b: string; put: BaseWrite[] } | { p: string; b: string; del: string };

interface Namespace {
  readonly ref: BaseRef;
  readonly records: OrderedMap<BaseRecord>;
}

export class JournalBaseStore extends JournaledState<Entry> implements BaseStore {
  private readonly namespaces = new Map<string, Namespace>();
  private version = 0;

  private constructor(
    private readonly now: () => number,
    compactionSlack: number,
    log: JournalLog | undefined,
  ) {
    super(compactionSlack, log);
  }

  /** Opens (creating) the store in `dir`, replaying its journal. */
  static async open(dir: string, options: JournalStoreOptions = {}): Promise<JournalBaseStore> {
    const store = new JournalBaseStore(options.now ?? Date.now, options.compactionSlack ?? DEFAULT_COMPACTION_SLACK, options.log);
    await store.openJournal(join(dir, BASE_JOURNAL_FILE));
    return store;
  }

  /** Records across every base (expired ones until the next compaction). */
  get recordCount(): number {
    let count = 0;
    for (const namespace of this.namespaces.values()) count += namespace.records.size;
    return count;
  }

  /** The names of the project's bases that hold records, in order (what an export enumerates). */
  async baseNames(projectId: string): Promise<string[]> {
    return [...this.namespaces.values()]
      .filter((namespace) => namespace.ref.projectId === projectId && namespace.records.size > 0)
      .map((namespace) => namespace.ref.base)
      .sort();
  }

  get journalBytes(): number {
    return this.journalFile.sizeBytes;
  }

  async get(ref: BaseRef, key: string): Promise<BaseRecord | undefined> {
    this.checkJournal();
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
    this.checkJournal();
    const records = this.namespaces.get(namespaceKey(ref))?.records;
    if (records === undefined) return { records: [], done: true };
    const { values, done } = records.scan(request.range, request.descending ?? false, request.after, request.limit);
    return { records: values, done };
  }

  protected apply(entry: Entry): void {
    const ref = { projectId: entry.p, base: entry.b };
    const key = namespaceKey(ref);
    let namespace = this.namespaces.get(key);
    if (namespace === undefined) {
      namespace = { ref, records: new OrderedMap() };
      this.namespaces.set(key, namespace);
    }
    if ('del' in entry) {
      namespace.records.delete(entry.del);
      return;
    }
    for (const write of entry.put) {
      namespace.records.set(write.item.key, { item: write.item, expires: write.expires, version: String(++this.version) });
    }
  }

  protected liveCount(): number {
    return this.recordCount;
  }

  /** The live state as journal lines: each base's unexpired records, 25 to a line (expired ones are dropped). */
  protected *liveEntries(): Iterable<Entry> {
    const now = this.now() / 1000;
    for (const namespace of this.namespaces.values()) {
      let batch: BaseWrite[] = [];
      for (const [key, record] of [...namespace.records.entries()]) {
        if (record.expires !== undefined && record.expires <= now) {
          // Gone for every reader already; forget it in memory too.
          namespace.records.delete(key);
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

/**
 * An append-only journal of JSON lines: the durable half of the local data stores. An append resolves only after
 * its line is written and fsynced, so an acknowledged write survives `kill -9` and power loss; concurrent appends
 * share one write and one fsync (group commit). One line is one atomic change: a line torn by a crash is never
 * acknowledged and is cut off when the journal is next opened. Compaction rewrites the live state to a new file
 * that replaces the old one by an atomic rename.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, existsSync, ftruncateSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class Journal {
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /** The flush or compaction in progress; the next one starts when it settles. */
  private busy: Promise<void> = Promise.resolve();
  private flushing = false;
  private lines: number;
  /** The write or fsync that failed: memory may then hold changes the disk does not, so nothing more is served. */
  private failure: Error | undefined;

  private constructor(
    readonly file: string,
    private handle: FileHandle,
    private bytes: number,
    lines: number,
  ) {
    this.lines = lines;
  }

  /**
   * Opens (creating) `file` and replays every complete line through `replay` in order. A torn last line (no
   * newline, from a crash mid-write) is cut off; an unreadable line anywhere else is an error naming it, since
   * dropping it would lose acknowledged data.
   */
  static async open(file: string, replay: (entry: unknown) => void): Promise<Journal> {
    let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) {
      // The crash came before the fsync, so nobody was told this write succeeded.
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, Buffer.byteLength(text.slice(0, complete)));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      text = text.slice(0, complete);
    }
    let lines = 0;
    let start = 0;
    while (start < text.length) {
      const end = text.indexOf('\n', start);
      const line = text.slice(start, end);
      lines++;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch (error) {
        throw new Error(
          `${file}:${lines}: unreadable journal line (${(error as Error).message}); the file was changed by something other than spaceport`,
          {
            cause: error,
          },
        );
      }
      replay(entry);
      start = end + 1;
    }
    const handle = await open(file, 'a');
    syncDirectory(dirname(file));
    return new Journal(file, handle, Buffer.byteLength(text), lines);
  }

  /** Lines in the file, live or superseded: what compaction would shrink. */
  get lineCount(): number {
    return this.lines;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Throws once a write has failed, naming the journal and the cause. */
  check(): void {
    if (this.failure !== undefined) {
      throw new Error(`${this.file} could not be written (${this.failure.message}); restart spaceport dev once the disk is fixed`);
    }
  }

  /** Appends `entry` as one line; resolves once it is on disk. */
  append(entry: unknown): Promise<void> {
    this.check();
    const line = JSON.stringify(entry) + '\n';
    return new Promise((resolve, reject) => {
      this.pending.push(line);
      this.waiters.push({ resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        this.busy = this.busy.then(() => this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    // Everything appended until this write starts joins it; later appends wait for the next one.
    const lines = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    this.flushing = false;
    const data = lines.join('');
    try {
      await this.handle.write(data);
      await this.handle.datasync();
      this.bytes += Buffer.byteLength(data);
      this.lines += lines.length;
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      this.failure = error as Error;
      for (const waiter of waiters) waiter.reject(error as Error);
    }
  }

  /**
   * Replaces the journal with `entries` (the live state, produced when the compaction runs, after every earlier
   * append has landed): written to a temporary file, fsynced, renamed over the journal, directory fsynced. Appends
   * made meanwhile wait and then land in the new file. A failure before the rename leaves the journal as it was and
   * appends carry on; a failure to reopen after the rename stops the journal (`check`), since an append to the old,
   * replaced file would be acknowledged and then lost.
   */
  compact(entries: () => Iterable<unknown>): Promise<void> {
    const run = async (): Promise<void> => {
      const temporary = `${this.file}.compacting`;
      let bytes = 0;
      let lines = 0;
      try {
        const fd = openSync(temporary, 'w', 0o600);
        try {
          let chunk = '';
          for (const entry of entries()) {
            chunk += JSON.stringify(entry) + '\n';
            lines++;
            if (chunk.length > 1 << 20) {
              bytes += writeSync(fd, chunk);
              chunk = '';
            }
          }
          bytes += writeSync(fd, chunk);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(temporary, this.file);
      } catch (error) {
        // Best effort: the original failure is what the log must name.
        try {
          rmSync(temporary, { force: true });
        } catch {
          /* left for the next compaction to overwrite */
        }
        throw error;
      }
      let handle: FileHandle;
      try {
        syncDirectory(dirname(this.file));
        handle = await open(this.file, 'a');
      } catch (error) {
        this.failure = error as Error;
        throw error;
      }
      const replaced = this.handle;
      this.handle = handle;
      this.bytes = bytes;
      this.lines = lines;
      // Everything written through it was fsynced; closing it cannot lose anything.
      await replaced.close().catch(() => undefined);
    };
    const done = this.busy.then(run);
    this.busy = done.catch(() => undefined);
    return done;
  }

  async close(): Promise<void> {
    await this.busy;
    await this.handle.close();
  }
}

/**
 * Creates `dir` and any missing parents so that they survive a power loss: each new directory's entry is fsynced in
 * its parent, or a journal or file written inside could outlive the directory that names it.
 */
export function makeDirectoryDurably(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return;
  for (let created = dir; ; created = dirname(created)) {
    syncDirectory(dirname(created));
    if (created === first) return;
  }
}

/** Makes a rename or a new file in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where a store reports what went wrong without failing a request: a compaction that could not run. */
export type JournalLog = (message: string) => void;

const stderrLog: JournalLog = (message) => process.stderr.write(`${message}\n`);

/**
 * In-memory state made durable by a journal. A write is applied to memory at once (so a store's check-then-write
 * cannot interleave with another write) and resolves when its line is durable; the journal is compacted to the
 * live state once it holds `compactionSlack` more lines than twice the live entries. Compaction is housekeeping:
 * it runs behind the write that triggered it, and its failure is logged, never turned into a failed write that
 * was already durable.
 */
export abstract class JournaledState<Entry> {
  private journal: Journal | undefined;
  private compacting: Promise<void> | undefined;
  /** After a failed compaction, the line count at which to try again (not on every following write). */
  private retryAtLines = 0;

  protected constructor(
    private readonly compactionSlack: number,
    private readonly log: JournalLog = stderrLog,
  ) {}

  /** Replays `file` through `apply`, then compacts it if that is worth it. */
  protected async openJournal(file: string): Promise<void> {
    this.journal = await Journal.open(file, (entry) => this.apply(entry as Entry));
    await this.compactIfWorthIt();
  }

  /** Changes memory as `entry` says (also when replaying). */
  protected abstract apply(entry: Entry): void;
  /** The live state as entries, for compaction. */
  protected abstract liveEntries(): Iterable<Entry>;
  /** How many entries the live state needs at least. */
  protected abstract liveCount(): number;

  protected get journalFile(): Journal {
    if (this.journal === undefined) throw new Error('the journal is not open');
    return this.journal;
  }

  /** Throws once a write has failed (`Journal.check`). */
  protected checkJournal(): void {
    this.journalFile.check();
  }

  protected async write(entry: Entry): Promise<void> {
    this.apply(entry);
    await this.journalFile.append(entry);
    // Not awaited: the write is durable now, whatever becomes of the compaction.
    void this.compactIfWorthIt();
  }

  /** Starts a compaction when the journal is worth one; the promise settles when it ends and never rejects. */
  private compactIfWorthIt(): Promise<void> {
    const journal = this.journalFile;
    const lines = journal.lineCount;
    if (this.compacting !== undefined || lines < this.retryAtLines || lines <= 2 * this.liveCount() + this.compactionSlack) {
      return this.compacting ?? Promise.resolve();
    }
    this.compacting = journal
      .compact(() => this.liveEntries())
      .catch((error: Error) => {
        this.retryAtLines = lines + this.compactionSlack + 1;
        this.log(`${journal.file}: compaction failed (${error.message}); retrying after ${this.compactionSlack + 1} more lines`);
      })
      .finally(() => {
        this.compacting = undefined;
      });
    return this.compacting;
  }

  async close(): Promise<void> {
    await this.compacting;
    await this.journal?.close();
  }
}

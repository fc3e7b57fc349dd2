/**
 * The local Deta Drive backend. File bytes live in `drive/blobs/<id>` under ids the store picks (never a path
 * built from a user's file name); which name holds which blob is kept in memory, in name order, and made durable
 * by a journal (`drive.journal`). Every file and part is written to a temporary file, fsynced and renamed into
 * place before it is acknowledged; uploads in progress (`drive/uploads/<id>/`) survive a restart.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { open, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  type ByteStream,
  type DriveRef,
  type DriveStore,
  type ListPage,
  type ListRequest,
  NoSuchUpload,
  type StoredFile,
} from '../../data/drive-store';
import { type JournalLog, JournaledState, makeDirectoryDurably, syncDirectory } from './journal';
import { OrderedMap } from './sorted-keys';

export const DRIVE_JOURNAL_FILE = 'drive.journal';
const DRIVE_DIR = 'drive';
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const COMPACTION_SLACK_LINES = 10_000;
const ABANDONED_UPLOAD_MS = 7 * 24 * 60 * 60 * 1000;

interface FileRecord {
  readonly blob: string;
  readonly size: number;
  readonly type: string;
}

type Entry = { p: string; d: string; n: string; f: FileRecord } | { p: string; d: string; del: string[] };

interface UploadMeta {
  readonly p: string;
  readonly d: string;
  readonly n: string;
  readonly type: string;
}

interface Namespace {
  readonly ref: DriveRef;
  readonly files: OrderedMap<FileRecord>;
}

export class FileDriveStore extends JournaledState<Entry> implements DriveStore {
  private readonly namespaces = new Map<string, Namespace>();
  private readonly blobs: string;
  private readonly uploads: string;

  private constructor(dir: string, log: JournalLog | undefined) {
    super(COMPACTION_SLACK_LINES, log);
    this.blobs = join(dir, DRIVE_DIR, 'blobs');
    this.uploads = join(dir, DRIVE_DIR, 'uploads');
  }

  /**
   * Opens (creating) the store in `dir`, replaying its journal and removing blobs no name refers to. `log` hears
   * of a failed compaction (default: standard error).
   */
  static async open(dir: string, log?: JournalLog): Promise<FileDriveStore> {
    const store = new FileDriveStore(dir, log);
    makeDirectoryDurably(store.blobs);
    makeDirectoryDurably(store.uploads);
    await store.openJournal(join(dir, DRIVE_JOURNAL_FILE));
    store.removeOrphanBlobs();
    store.removeAbandonedUploads(Date.now());
    return store;
  }

  /** The names of the project's drives that hold files, in order (what an export enumerates). */
  async driveNames(projectId: string): Promise<string[]> {
    return [...this.namespaces.values()]
      .filter((namespace) => namespace.ref.projectId === projectId && namespace.files.size > 0)
      .map((namespace) => namespace.ref.drive)
      .sort();
  }

  /** Files and their bytes across every drive, and the journal's size. */
  usage(): { files: number; bytes: number; journalBytes: number } {
    let files = 0;
    let bytes = 0;
    for (const namespace of this.namespaces.values()) {
      for (const [, file] of namespace.files.entries()) {
        files++;
        bytes += file.size;
      }
    }
    return { files, bytes, journalBytes: this.journalFile.sizeBytes };
  }

  async initiate(ref: DriveRef, name: string, contentType: string): Promise<string> {
    const uploadId = randomBytes(16).toString('hex');
    const dir = join(this.uploads, uploadId);
    mkdirSync(dir, { mode: 0o700 });
    const meta: UploadMeta = { p: ref.projectId, d: ref.drive, n: name, type: contentType };
    writeDurably(join(dir, 'meta.json'), JSON.stringify(meta));
    syncDirectory(this.uploads);
    return uploadId;
  }

  async putPart(ref: DriveRef, uploadId: string, name: string, part: number, body: ByteStream): Promise<void> {
    const dir = this.uploadDir(ref, uploadId, name);
    const temporary = join(dir, `${part}.${randomBytes(4).toString('hex')}.partial`);
    try {
      await writeStreamDurably(temporary, body);
      await rename(temporary, join(dir, String(part)));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    syncDirectory(dir);
  }

  async complete(ref: DriveRef, uploadId: string, name: string): Promise<void> {
    const dir = this.uploadDir(ref, uploadId, name);
    const meta = readMeta(dir)!;
    const parts = readdirSync(dir)
      .filter((file) => /^[0-9]+$/.test(file))
      .map(Number)
      .sort((a, b) => a - b);
    const blob = randomBytes(16).toString('hex');
    const temporary = join(this.blobs, `${blob}.partial`);
    try {
      await writeStreamDurably(temporary, Readable.from(concatenate(parts.map((part) => join(dir, String(part))))));
      await rename(temporary, join(this.blobs, blob));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    syncDirectory(this.blobs);
    const previous = this.namespaces.get(namespaceKey(ref))?.files.get(name);
    const size = statSync(join(this.blobs, blob)).size;
    await this.write({ p: ref.projectId, d: ref.drive, n: name, f: { blob, size, type: meta.type } });
    // Only once the new name is durable may the old bytes and the parts go.
    if (previous !== undefined) await unlink(join(this.blobs, previous.blob)).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }

  async abort(ref: DriveRef, uploadId: string, name: string): Promise<void> {
    await rm(this.uploadDir(ref, uploadId, name), { recursive: true, force: true });
  }

  async get(ref: DriveRef, name: string): Promise<StoredFile | undefined> {
    this.checkJournal();
    const file = this.namespaces.get(namespaceKey(ref))?.files.get(name);
    if (file === undefined) return undefined;
    // Open now, so an overwrite or delete after this point cannot change what this download reads.
    const handle = await open(join(this.blobs, file.blob), 'r');
    return { size: file.size, contentType: file.type, body: handle.createReadStream() };
  }

  async deleteMany(ref: DriveRef, names: readonly string[]): Promise<{ readonly failed: Readonly<Record<string, string>> }> {
    const files = this.namespaces.get(namespaceKey(ref))?.files;
    const blobs = names.flatMap((name) => {
      const file = files?.get(name);
      return file === undefined ? [] : [file.blob];
    });
    if (blobs.length > 0) {
      await this.write({ p: ref.projectId, d: ref.drive, del: [...names] });
      await Promise.all(blobs.map((blob) => unlink(join(this.blobs, blob)).catch(() => undefined)));
    }
    return { failed: {} };
  }

  async list(ref: DriveRef, request: ListRequest): Promise<ListPage> {
    this.checkJournal();
    const files = this.namespaces.get(namespaceKey(ref))?.files;
    if (files === undefined) return { names: [], done: true };
    const range = request.prefix ? { prefix: request.prefix } : {};
    const { keys, done } = files.scan(range, false, request.after, request.limit);
    return { names: keys, done };
  }

  /** The upload's directory, once it is known to belong to this drive and name. */
  private uploadDir(ref: DriveRef, uploadId: string, name: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new NoSuchUpload(uploadId);
    const dir = join(this.uploads, uploadId);
    const meta = readMeta(dir);
    if (meta === undefined || meta.p !== ref.projectId || meta.d !== ref.drive || meta.n !== name) throw new NoSuchUpload(uploadId);
    return dir;
  }

  protected apply(entry: Entry): void {
    const ref = { projectId: entry.p, drive: entry.d };
    const key = namespaceKey(ref);
    let namespace = this.namespaces.get(key);
    if (namespace === undefined) {
      namespace = { ref, files: new OrderedMap() };
      this.namespaces.set(key, namespace);
    }
    if ('del' in entry) {
      for (const name of entry.del) namespace.files.delete(name);
      return;
    }
    namespace.files.set(entry.n, entry.f);
  }

  protected liveCount(): number {
    let files = 0;
    for (const namespace of this.namespaces.values()) files += namespace.files.size;
    return files;
  }

  protected *liveEntries(): Iterable<Entry> {
    for (const namespace of this.namespaces.values()) {
      for (const [name, file] of namespace.files.entries()) yield { p: namespace.ref.projectId, d: namespace.ref.drive, n: name, f: file };
    }
  }

  /** Uploads never completed nor aborted (a client that died) are dropped after a week, like an S3 lifecycle rule. */
  private removeAbandonedUploads(now: number): void {
    for (const upload of readdirSync(this.uploads)) {
      const dir = join(this.uploads, upload);
      if (now - statSync(dir).mtimeMs > ABANDONED_UPLOAD_MS) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Blobs left by a crash between writing a file and recording it (or between recording a delete and unlinking). */
  private removeOrphanBlobs(): void {
    const referenced = new Set<string>();
    for (const namespace of this.namespaces.values()) for (const [, file] of namespace.files.entries()) referenced.add(file.blob);
    for (const blob of readdirSync(this.blobs)) {
      if (!referenced.has(blob)) rmSync(join(this.blobs, blob), { force: true });
    }
  }
}

function namespaceKey(ref: DriveRef): string {
  return `${ref.projectId}/${ref.drive}`;
}

function readMeta(dir: string): UploadMeta | undefined {
  const file = join(dir, 'meta.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as UploadMeta) : undefined;
}

function writeDurably(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `body` to `file` and fsyncs it (fsync flushes the file, whichever descriptor asks). */
async function writeStreamDurably(file: string, body: ByteStream): Promise<void> {
  await pipeline(Readable.from(body), createWriteStream(file, { mode: 0o600 }));
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function* concatenate(files: readonly string[]): AsyncIterable<Uint8Array> {
  for (const file of files) yield* createReadStream(file);
}

/**
 * Moving an app's data between a Deta Space export (`archive.ts`) and a Base and Drive backend, local or cloud:
 * `importArchive` and `exportArchive`. Writes go through the same Base and Drive semantics the API uses, so an
 * import stores exactly what the SDKs could have stored.
 *
 * Safe by default: the whole export is checked before anything is written (a malformed export imports nothing),
 * existing items and files are never replaced without `overwrite`, and a re-run after an interruption skips what
 * is already there (items by key, files by name and size), so it resumes without duplicates.
 */
import { Readable } from 'node:stream';
import { ArchiveError, writeArchive, type ArchiveFile, type ArchiveReader, type ArchivedItem } from './archive';
import { BaseApi } from './base';
import type { BaseRef, BaseStore, Item, JsonValue } from './base-store';
import { checkName, DriveApi } from './drive';
import type { ByteStream, DriveRef, DriveStore } from './drive-store';
import { DataError } from './errors';
import { isJsonObject } from './json';
import { TTL_ATTRIBUTE, toWrite } from './items';
import { MAX_PART_BYTES, MAX_PUT_ITEMS } from './limits';

/** Which bases and drives a project holds: what an export enumerates. */
export interface DataCatalog {
  baseNames(projectId: string): Promise<readonly string[]>;
  driveNames(projectId: string): Promise<readonly string[]>;
}

/** The catalog of stores that list their own bases and drives. */
export function dataCatalog(base: Pick<DataCatalog, 'baseNames'>, drive: Pick<DataCatalog, 'driveNames'>): DataCatalog {
  return { baseNames: (projectId) => base.baseNames(projectId), driveNames: (projectId) => drive.driveNames(projectId) };
}

/** Where data is imported to or exported from: one project's Bases and Drives in a backend. */
export interface DataTarget {
  readonly projectId: string;
  readonly base: BaseStore;
  readonly drive: DriveStore;
  readonly catalog: DataCatalog;
}

export interface TransferProgress {
  readonly items: number;
  readonly itemsTotal: number;
  readonly bytes: number;
  readonly bytesTotal: number;
}

export interface ImportOptions {
  /** Replace items and files that exist. @default false: they are skipped and reported */
  readonly overwrite?: boolean;
  /** Check everything and report what would happen; write nothing. @default false */
  readonly dryRun?: boolean;
  /** Milliseconds since the epoch: items whose `__expires` is past are reported, not imported. */
  readonly now?: () => number;
  /** Called as items and bytes are done. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Writes in flight at once. @default 8 */
  readonly concurrency?: number;
}

export interface BaseImport {
  readonly base: string;
  written: number;
  /** Keys that exist and were kept. */
  skipped: string[];
  /** Keys whose `__expires` had passed. */
  expired: string[];
  failed: { key: string; reason: string }[];
}

export interface DriveImport {
  readonly drive: string;
  written: number;
  bytes: number;
  skipped: { name: string; reason: string }[];
  failed: { name: string; reason: string }[];
}

export interface ImportReport {
  readonly dryRun: boolean;
  readonly bases: BaseImport[];
  readonly drives: DriveImport[];
  /** Entries of the export that are neither a Base nor a Drive file. */
  readonly ignored: readonly string[];
}

/** Problems listed in one `ArchiveError` before the rest are summed up. */
const MAX_LISTED_PROBLEMS = 20;

/** Checks the whole export, then (unless a dry run) imports it into `target`. */
export async function importArchive(archive: ArchiveReader, target: DataTarget, options: ImportOptions = {}): Promise<ImportReport> {
  const now = options.now ?? Date.now;
  const itemsTotal = await checkArchive(archive);
  const bytesTotal = archive.files.reduce((sum, file) => sum + file.size, 0);
  const progress = { items: 0, itemsTotal, bytes: 0, bytesTotal };
  const report = (): void => options.onProgress?.({ ...progress });
  const baseApi = new BaseApi(target.base, now);
  const driveApi = new DriveApi(target.drive);
  const concurrency = options.concurrency ?? 8;

  const bases: BaseImport[] = [];
  for (const base of archive.bases) {
    const ref: BaseRef = { projectId: target.projectId, base };
    const result: BaseImport = { base, written: 0, skipped: [], expired: [], failed: [] };
    bases.push(result);
    const pending: Item[] = [];
    const flush = async (): Promise<void> => {
      const batch = pending.splice(0);
      if (batch.length === 0) return;
      if (options.dryRun) {
        await inParallel(batch, concurrency, async (item) => {
          if (!options.overwrite && (await isLive(baseApi, ref, item.key))) result.skipped.push(item.key);
          else result.written++;
        });
      } else if (options.overwrite) {
        const reply = await baseApi.put(ref, { items: batch });
        const failed = new Set(((reply.body as { failed?: { items: Item[] } }).failed?.items ?? []).map((item) => item.key));
        for (const item of batch) {
          if (failed.has(item.key)) result.failed.push({ key: item.key, reason: 'the store could not write it' });
          else result.written++;
        }
      } else {
        await inParallel(batch, concurrency, async (item) => {
          try {
            await baseApi.insert(ref, { item });
            result.written++;
          } catch (error) {
            if (error instanceof DataError && error.status === 409) result.skipped.push(item.key);
            else result.failed.push({ key: item.key, reason: (error as Error).message });
          }
        });
      }
      progress.items += batch.length;
      report();
    };
    for await (const archived of archive.items(base)) {
      const item = toItem(archived);
      const expires = item[TTL_ATTRIBUTE];
      if (typeof expires === 'number' && expires * 1000 <= now()) {
        result.expired.push(item.key);
        progress.items++;
        continue;
      }
      pending.push(item);
      if (pending.length === MAX_PUT_ITEMS) await flush();
    }
    await flush();
  }

  const drives: DriveImport[] = [];
  for (const file of archive.files) {
    let result = drives.at(-1);
    if (result?.drive !== file.drive) drives.push((result = { drive: file.drive, written: 0, bytes: 0, skipped: [], failed: [] }));
    const ref: DriveRef = { projectId: target.projectId, drive: file.drive };
    const existing = await target.drive.get(ref, file.name);
    if (existing) (existing.body as Partial<Readable>).destroy?.();
    if (existing && !options.overwrite) {
      const reason =
        existing.size === file.size
          ? 'already there (same size)'
          : `exists with ${existing.size} bytes, the export has ${file.size}; --overwrite replaces it`;
      result.skipped.push({ name: file.name, reason });
      progress.bytes += file.size;
    } else if (options.dryRun) {
      result.written++;
      result.bytes += file.size;
      progress.bytes += file.size;
    } else {
      try {
        await uploadFile(driveApi, ref, file, await archive.openFile(file), (bytes) => {
          progress.bytes += bytes;
          report();
        });
        result.written++;
        result.bytes += file.size;
      } catch (error) {
        result.failed.push({ name: file.name, reason: (error as Error).message });
      }
    }
    report();
  }
  return { dryRun: options.dryRun ?? false, bases, drives, ignored: archive.ignored };
}

/**
 * Reads every item of the export and checks every name before anything is written: the item count, or an
 * `ArchiveError` listing each problem with its file and item.
 */
async function checkArchive(archive: ArchiveReader): Promise<number> {
  const problems: string[] = [];
  let items = 0;
  for (const base of archive.bases) {
    try {
      for await (const archived of archive.items(base)) {
        items++;
        try {
          toItem(archived);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }
    } catch (error) {
      if (!(error instanceof ArchiveError)) throw error;
      problems.push(error.message);
    }
  }
  for (const file of archive.files) {
    try {
      checkName(file.name);
    } catch (error) {
      problems.push(`drives/${file.drive}/${file.name}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `  ${problem}`);
    if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`  ... and ${problems.length - MAX_LISTED_PROBLEMS} more`);
    throw new ArchiveError(`${archive.path}: nothing was imported; fix these first:\n${listed.join('\n')}`);
  }
  return items;
}

/**
 * An archived value as the item to store, checked by the API's own rules; an import never generates keys, so an
 * item without one is a problem, and in the map layout the map's key is the item's key.
 */
function toItem(archived: ArchivedItem): Item {
  const { value, where, mapKey } = archived;
  if (!isJsonObject(value)) throw new ArchiveError(`${where}: an item must be a JSON object, not ${JSON.stringify(value)?.slice(0, 40)}`);
  let item: { [name: string]: JsonValue } = value;
  if (mapKey !== undefined) {
    if (item.key !== undefined && item.key !== mapKey)
      throw new ArchiveError(`${where}: its key ${JSON.stringify(item.key)} differs from the map's key`);
    item = { ...item, key: mapKey };
  } else if (item.key === undefined || item.key === null || item.key === '') {
    throw new ArchiveError(`${where}: no key (every exported item has one; an import never makes one up)`);
  }
  try {
    return toWrite(item, where).item;
  } catch (error) {
    throw new ArchiveError(`${where}: ${(error as Error).message}`);
  }
}

async function isLive(api: BaseApi, ref: BaseRef, key: string): Promise<boolean> {
  return (await api.get(ref, key)).status === 200;
}

/** The file in the SDKs' own 10 MiB parts, through the Drive semantics; aborted on any failure. */
async function uploadFile(api: DriveApi, ref: DriveRef, file: ArchiveFile, body: Readable, onBytes: (bytes: number) => void): Promise<void> {
  const { upload_id: uploadId } = (await api.initiate(ref, file.name, undefined)).body as { upload_id: string };
  try {
    let part = 0;
    for await (const chunk of parts(body)) {
      part++;
      await api.putPart(ref, uploadId, file.name, String(part), Readable.from([chunk]), chunk.length);
      onBytes(chunk.length);
    }
    await api.complete(ref, uploadId, file.name);
  } catch (error) {
    body.destroy();
    await api.abort(ref, uploadId, file.name).catch(noop);
    throw error;
  }
}

/** A stream cut into parts of exactly `MAX_PART_BYTES` (the last one shorter), holding one part in memory at a time. */
async function* parts(body: ByteStream): AsyncGenerator<Buffer> {
  let chunks: Buffer[] = [];
  let size = 0;
  for await (const data of body) {
    let chunk = Buffer.from(data);
    while (size + chunk.length >= MAX_PART_BYTES) {
      const take = MAX_PART_BYTES - size;
      yield Buffer.concat([...chunks, chunk.subarray(0, take)]);
      chunk = chunk.subarray(take);
      chunks = [];
      size = 0;
    }
    if (chunk.length > 0) {
      chunks.push(chunk);
      size += chunk.length;
    }
  }
  if (size > 0) yield Buffer.concat(chunks);
}

export interface ExportSummary {
  readonly bases: number;
  readonly items: number;
  readonly files: number;
  readonly bytes: number;
}

/** Records asked of the store per page while exporting. */
const EXPORT_PAGE = 1000;

/** Writes every live item and every file of `target` into an export zip at `path`, in Space's layout. */
export async function exportArchive(target: DataTarget, path: string, options: { now?: () => number } = {}): Promise<ExportSummary> {
  const now = options.now ?? Date.now;
  const writer = writeArchive(path);
  const summary = { bases: 0, items: 0, files: 0, bytes: 0 };
  for (const base of await target.catalog.baseNames(target.projectId)) {
    const ref: BaseRef = { projectId: target.projectId, base };
    summary.bases++;
    await writer.addBase(
      base,
      (async function* () {
        let after: string | undefined;
        for (;;) {
          const page = await target.base.scan(ref, { range: {}, after, limit: EXPORT_PAGE });
          for (const record of page.records) {
            if (record.expires !== undefined && record.expires * 1000 <= now()) continue;
            summary.items++;
            yield record.item;
          }
          if (page.done || page.records.length === 0) return;
          after = page.records.at(-1)!.item.key;
        }
      })(),
    );
  }
  for (const drive of await target.catalog.driveNames(target.projectId)) {
    const ref: DriveRef = { projectId: target.projectId, drive };
    let after: string | undefined;
    for (;;) {
      const page = await target.drive.list(ref, { after, limit: EXPORT_PAGE });
      for (const name of page.names) {
        const file = await target.drive.get(ref, name);
        if (!file) continue;
        await writer.addFile(drive, name, file.body);
        summary.files++;
        summary.bytes += file.size;
      }
      if (page.done || page.names.length === 0) break;
      after = page.names.at(-1);
    }
  }
  await writer.close();
  return summary;
}

async function inParallel<T>(values: readonly T[], limit: number, work: (value: T) => Promise<void>): Promise<void> {
  let index = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, values.length) }, async () => {
      while (index < values.length) await work(values[index++]!);
    }),
  );
}

function noop(): void {}

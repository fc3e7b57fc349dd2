/**
 * Deta Space's data export, as users downloaded it when Space shut down: a zip (or the directory it unpacks to) with
 * `bases/<base>.json`, one JSON document per Base, and `drives/<drive>/<file name>`, one folder per Drive.
 *
 * Some names the API accepts cannot be an entry's path as they are: a segment that is empty (`a//b`, `/a`), `.` or
 * `..`, or that holds a backslash; zip tools (and this reader) refuse or rewrite them. An export writes such a Base
 * under `spaceport-bases/` and such a Drive file under `spaceport-drives/`, every segment escaped (`_` and then
 * percent-encoded), and the reader decodes them: Space's own layout is read exactly as it was written.
 *
 * No source shows the inside of a `bases/*.json`, so every plausible layout is read: a JSON array of items, an object
 * with an `items` array (a Base `fetch` page), or an object mapping each key to its item. Items are streamed one at a
 * time, so a Base larger than memory is read in constant memory. `writeArchive` writes the first layout.
 */
import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import Assembler from 'stream-json/Assembler';
import { parser } from 'stream-json';
import yauzl from 'yauzl';
import yazl from 'yazl';
import type { ByteStream } from './drive-store';

export const BASES_DIR = 'bases';
export const DRIVES_DIR = 'drives';
const ESCAPED_BASES_DIR = 'spaceport-bases';
const ESCAPED_DRIVES_DIR = 'spaceport-drives';
const BASE_FILE_SUFFIX = '.json';

/** The export cannot be read as Space wrote it: the message names the file and, when it can, the item. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export interface ArchiveFile {
  readonly drive: string;
  /** The Drive name: the path under `drives/<drive>/`, `/`-separated. */
  readonly name: string;
  readonly size: number;
}

/** One value read from a `bases/*.json`, with where it was, for messages. */
export interface ArchivedItem {
  readonly value: unknown;
  /** `bases/notes.json item 3`, or `bases/notes.json item "k1"` in the map layout. */
  readonly where: string;
  /** The map layout's key, which is the item's key. */
  readonly mapKey?: string;
}

export interface ArchiveReader {
  /** The zip's or directory's path, for messages. */
  readonly path: string;
  /** Base names (the file names without `.json`), in order. */
  readonly bases: readonly string[];
  /** Every Drive file, by drive then name. */
  readonly files: readonly ArchiveFile[];
  /** Entries that are neither a Base nor a Drive file, ignored. */
  readonly ignored: readonly string[];
  /** The items of one Base, one at a time. */
  items(base: string): AsyncGenerator<ArchivedItem>;
  /** One Drive file's bytes. */
  openFile(file: ArchiveFile): Promise<Readable>;
  close(): void;
}

/** Opens an export zip or unpacked directory and indexes it; nothing is read from its files yet. */
export async function openArchive(path: string): Promise<ArchiveReader> {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new ArchiveError(`${path}: no such file or directory`);
  }
  return stats.isDirectory() ? openDirectory(path) : openZip(path);
}

interface Entry {
  readonly path: string;
  readonly size: number;
  readonly open: () => Promise<Readable>;
}

function openDirectory(root: string): ArchiveReader {
  const entries: Entry[] = [];
  const walk = (dir: string): void => {
    for (const dirent of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, dirent.name);
      // Symbolic links could point anywhere on the machine: an export holds files, nothing else is read.
      if (dirent.isDirectory()) walk(full);
      else if (dirent.isFile())
        entries.push({ path: relative(root, full).split(sep).join('/'), size: statSync(full).size, open: async () => createReadStream(full) });
    }
  };
  walk(root);
  return indexEntries(root, entries, () => {});
}

async function openZip(path: string): Promise<ArchiveReader> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  ).catch((error: Error) => {
    throw new ArchiveError(`${path}: not a readable zip file (${error.message})`);
  });
  const entries: Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      // yauzl refuses absolute paths, `..` and backslashes in names: an entry may never leave the export.
      if (!entry.fileName.endsWith('/')) {
        entries.push({
          path: entry.fileName,
          size: entry.uncompressedSize,
          open: () => new Promise((done, fail) => zip.openReadStream(entry, (error, stream) => (error ? fail(error) : done(stream)))),
        });
      } else if (entry.uncompressedSize > 0) {
        reject(
          new ArchiveError(
            `${path}: entry '${entry.fileName}' ends with / but holds ${entry.uncompressedSize} bytes: a Drive file name cannot end with /`,
          ),
        );
        return;
      }
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', (error: Error) =>
      reject(new ArchiveError(`${path}: ${error.message.replace(/^invalid relative path: /, 'entry leaves the export (refused): ')}`)),
    );
    zip.readEntry();
  }).catch((error) => {
    zip.close();
    throw error;
  });
  return indexEntries(path, entries, () => zip.close());
}

function indexEntries(path: string, entries: readonly Entry[], close: () => void): ArchiveReader {
  const bases = new Map<string, Entry>();
  const files: (ArchiveFile & { entry: Entry })[] = [];
  const ignored: string[] = [];
  const unescape = (entry: Entry, segment: string): string => {
    try {
      if (segment.startsWith(ESCAPE)) return decodeURIComponent(segment.slice(ESCAPE.length));
    } catch {
      /* reported below */
    }
    throw new ArchiveError(`${path}: entry '${entry.path}' is not a name escaped by spaceport (${JSON.stringify(segment)})`);
  };
  for (const entry of entries) {
    const [top, ...rest] = entry.path.split('/');
    const baseFile = rest.length === 1 && rest[0]!.endsWith(BASE_FILE_SUFFIX) && rest[0]!.length > BASE_FILE_SUFFIX.length;
    if (top === BASES_DIR && baseFile) {
      bases.set(rest[0]!.slice(0, -BASE_FILE_SUFFIX.length), entry);
    } else if (top === ESCAPED_BASES_DIR && baseFile) {
      bases.set(unescape(entry, rest[0]!.slice(0, -BASE_FILE_SUFFIX.length)), entry);
    } else if (top === DRIVES_DIR && rest.length >= 2 && rest.every((segment) => segment !== '')) {
      files.push({ drive: rest[0]!, name: rest.slice(1).join('/'), size: entry.size, entry });
    } else if (top === ESCAPED_DRIVES_DIR && rest.length >= 2) {
      const [drive, ...name] = rest.map((segment) => unescape(entry, segment));
      files.push({ drive: drive!, name: name.join('/'), size: entry.size, entry });
    } else {
      ignored.push(entry.path);
    }
  }
  files.sort((a, b) => (a.drive === b.drive ? (a.name < b.name ? -1 : 1) : a.drive < b.drive ? -1 : 1));
  return {
    path,
    bases: [...bases.keys()].sort(),
    files: files.map(({ drive, name, size }) => ({ drive, name, size })),
    ignored,
    items: (base) => {
      const entry = bases.get(base);
      if (!entry) throw new ArchiveError(`${path}: no ${basePath(base)}`);
      return readItems(entry, entry.path);
    },
    openFile: (file) => files.find((candidate) => candidate.drive === file.drive && candidate.name === file.name)!.entry.open(),
    close,
  };
}

interface Token {
  readonly name: string;
  readonly value?: unknown;
}

/**
 * The items of one Base file, one at a time, whatever its layout; a file that is not JSON, or JSON of another
 * shape, is an `ArchiveError` naming the file (and the position the parser reached).
 */
async function* readItems(entry: Entry, file: string): AsyncGenerator<ArchivedItem> {
  const tokens = (await entry.open()).pipe(parser({ packValues: true, streamValues: false })) as Readable;
  const iterator = tokens[Symbol.asyncIterator]() as AsyncIterator<Token>;
  const next = async (): Promise<Token | undefined> => {
    try {
      const step = await iterator.next();
      return step.done ? undefined : step.value;
    } catch (error) {
      throw new ArchiveError(`${file}: not valid JSON (${(error as Error).message})`);
    }
  };
  /** Assembles the value that starts with `first`. */
  const assemble = async (first: Token): Promise<unknown> => {
    const assembler = new Assembler();
    let token: Token | undefined = first;
    for (;;) {
      assembler.consume(token as Parameters<Assembler['consume']>[0]);
      if (assembler.done) return assembler.current;
      token = await next();
      if (token === undefined) throw new ArchiveError(`${file}: the JSON ends in the middle of a value`);
    }
  };
  const shape = `expected a JSON array of items, an object with an "items" array, or an object mapping each key to its item`;
  const first = await next();
  if (first?.name === 'startArray') {
    yield* arrayItems(next, assemble, file);
  } else if (first?.name === 'startObject') {
    for (let token = await next(); token?.name !== 'endObject'; token = await next()) {
      if (token?.name !== 'keyValue') throw new ArchiveError(`${file}: ${shape}`);
      const key = String(token.value);
      const valueStart = await next();
      if (valueStart === undefined) throw new ArchiveError(`${file}: the JSON ends in the middle of a value`);
      if (key === 'items' && valueStart.name === 'startArray') {
        yield* arrayItems(next, assemble, file);
      } else if (valueStart.name === 'startObject') {
        yield { value: await assemble(valueStart), where: `${file} item ${JSON.stringify(key)}`, mapKey: key };
      } else {
        // A fetch page's `count` or `last`, beside its `items`, carries no item.
        await assemble(valueStart);
        if (key !== 'count' && key !== 'last' && key !== 'paging') throw new ArchiveError(`${file}: "${key}" is not an item (${shape})`);
      }
    }
  } else {
    throw new ArchiveError(`${file}: ${first === undefined ? 'empty' : shape}`);
  }
  if ((await next()) !== undefined) throw new ArchiveError(`${file}: more than one JSON value`);
}

async function* arrayItems(
  next: () => Promise<Token | undefined>,
  assemble: (first: Token) => Promise<unknown>,
  file: string,
): AsyncGenerator<ArchivedItem> {
  for (let index = 0; ; index++) {
    const token = await next();
    if (token === undefined) throw new ArchiveError(`${file}: the JSON ends in the middle of the items`);
    if (token.name === 'endArray') return;
    yield { value: await assemble(token), where: `${file} item ${index}` };
  }
}

/** Writes an export zip: every Base as a JSON array of its items, every Drive file under its drive's folder. */
export interface ArchiveWriter {
  addBase(base: string, items: AsyncIterable<unknown>): Promise<void>;
  addFile(drive: string, name: string, body: ByteStream): Promise<void>;
  /** Finishes the zip; resolves when it is on disk. */
  close(): Promise<void>;
}

export function writeArchive(path: string): ArchiveWriter {
  const zip = new yazl.ZipFile();
  const output = createWriteStream(path);
  zip.outputStream.pipe(output);
  // yazl reads the entries in order, one at a time; each entry is fed from its own generator.
  const add = async (entryPath: string, content: AsyncIterable<Uint8Array | string>): Promise<void> => {
    const stream = Readable.from(content);
    const done = finished(stream);
    zip.addReadStream(stream, entryPath, { mtime: new Date(0) });
    await done;
  };
  return {
    addBase: (base, items) =>
      add(
        basePath(base),
        (async function* () {
          let first = true;
          yield '[';
          for await (const item of items) {
            yield `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
            first = false;
          }
          yield '\n]\n';
        })(),
      ),
    addFile: (drive, name, body) => add(drivePath(drive, name), body),
    close: async () => {
      zip.end();
      await finished(output);
    },
  };
}

/** Marks an escaped segment, so that no segment of an escaped path is empty, `.` or `..`. */
const ESCAPE = '_';

/** Whether a name's segment can be a segment of an entry's path as it is. */
function isPortable(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !segment.includes('\\');
}

function escapeSegment(segment: string): string {
  // `*` too: percent-encoding leaves it, and some file systems cannot hold it.
  return ESCAPE + encodeURIComponent(segment).replace(/\*/g, '%2A');
}

/** Where a Base is in an export: Space's `bases/<base>.json`, or escaped when its name cannot be a path segment. */
function basePath(base: string): string {
  return isPortable(base) ? `${BASES_DIR}/${base}${BASE_FILE_SUFFIX}` : `${ESCAPED_BASES_DIR}/${escapeSegment(base)}${BASE_FILE_SUFFIX}`;
}

/** Where a Drive file is in an export: Space's `drives/<drive>/<name>`, or escaped segment by segment when it must be. */
function drivePath(drive: string, name: string): string {
  const segments = [drive, ...name.split('/')];
  return segments.every(isPortable) ? `${DRIVES_DIR}/${segments.join('/')}` : `${ESCAPED_DRIVES_DIR}/${segments.map(escapeSegment).join('/')}`;
}

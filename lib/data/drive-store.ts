/**
 * What a Deta Drive backend must store. The wire semantics (name validation, the 10 MiB part limit, content types,
 * listing pages and the non-recursive folder view, errors) live once in `lib/data/drive.ts` above this interface;
 * a backend keeps files by name in name order and assembles multipart uploads.
 *
 * Backends: the local file store (`lib/local/data/`) and S3 in the cloud (one bucket, object key
 * `<projectId>/<driveName>/<name>`, native multipart uploads).
 */

/** One drive of one project: `/v1/{projectId}/{drive}`. Drives exist as soon as a file is written to them. */
export interface DriveRef {
  readonly projectId: string;
  readonly drive: string;
}

/** Bytes as they arrive or leave: a Node `Readable` is one. */
export type ByteStream = AsyncIterable<Uint8Array>;

export interface StoredFile {
  readonly size: number;
  readonly contentType: string;
  /** The file's bytes, read on demand; the consumer reads it to the end or destroys it. */
  readonly body: ByteStream;
}

export interface ListRequest {
  /** Names starting with this string. @default '' */
  readonly prefix?: string;
  /** Resume after this name (exclusive). */
  readonly after?: string;
  /** At most this many names (>= 1). A backend may return fewer with `done: false`. */
  readonly limit: number;
}

export interface ListPage {
  /** Names in order (by code point, `compareKeys` of base-store.ts, = S3's UTF-8 byte order). */
  readonly names: readonly string[];
  /** True when no name after the last one returned starts with the prefix. */
  readonly done: boolean;
}

/** The upload id is unknown to this drive, was completed or aborted, or belongs to another name. Maps to 404. */
export class NoSuchUpload extends Error {
  constructor(readonly uploadId: string) {
    super(`Upload ${uploadId} not found`);
    this.name = 'NoSuchUpload';
  }
}

export interface DriveStore {
  /**
   * Start a multipart upload of `name` whose file will have `contentType`; resolves its upload id (any string that
   * is safe in a URL path segment).
   */
  initiate(ref: DriveRef, name: string, contentType: string): Promise<string>;

  /**
   * Store part `part` (1-based; a part sent again replaces the earlier one) of an upload. `length` is the byte
   * count when the client declared it. Durable when the promise resolves. Throws `NoSuchUpload`.
   */
  putPart(ref: DriveRef, uploadId: string, name: string, part: number, body: ByteStream, length: number | undefined): Promise<void>;

  /**
   * Make the parts, in ascending part number, the file `name` (replacing any file of that name), atomically and
   * durably, and forget the upload. Zero parts make an empty file. Throws `NoSuchUpload`.
   */
  complete(ref: DriveRef, uploadId: string, name: string): Promise<void>;

  /** Forget the upload and its parts. Throws `NoSuchUpload`. */
  abort(ref: DriveRef, uploadId: string, name: string): Promise<void>;

  /** The file, or undefined. */
  get(ref: DriveRef, name: string): Promise<StoredFile | undefined>;

  /**
   * Delete the files (absent names are not an error). Returns, per name, why it could not be deleted for
   * internal reasons; every other name counts as deleted.
   */
  deleteMany(ref: DriveRef, names: readonly string[]): Promise<{ readonly failed: Readonly<Record<string, string>> }>;

  /** One page of file names in order. */
  list(ref: DriveRef, request: ListRequest): Promise<ListPage>;
}

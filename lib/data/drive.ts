/**
 * Deta Drive semantics over any `DriveStore`: chunked uploads (what every SDK uses), the single-request upload,
 * download, listing with the undocumented `recursive=false` folder view, and deletion, with the statuses and
 * bodies the SDKs read (202 on upload start, `paging` omitted on the last listing page, `failed` only when some
 * name failed).
 */
import { lookup } from 'mime-types';
import type { JsonValue } from './base-store';
import type { ByteStream, DriveRef, DriveStore, StoredFile } from './drive-store';
import { badRequest, DataError } from './errors';
import { isJsonObject } from './json';
import { describe } from './items';
import { MAX_DRIVE_NAMES, MAX_NAME_BYTES, MAX_PART_BYTES } from './limits';
import { partNumberProblem } from './part-number';
import type { JsonReply } from './base';

/** Sorts after every name that starts with a folder, so a listing can skip the folder's contents in one step. */
const AFTER_EVERYTHING = '\u{10FFFF}';
/** Content types that say nothing about the file: the JS SDK sends `binary/octet-stream` when given none. */
const UNINFORMATIVE_TYPES = new Set(['binary/octet-stream', 'application/octet-stream']);

export class DriveApi {
  constructor(private readonly store: DriveStore) {}

  /** `POST /uploads?name=`: 202 with the upload id and the decoded name (the JS SDK returns that name). */
  async initiate(ref: DriveRef, rawName: string | null, contentType: string | undefined): Promise<JsonReply> {
    const name = checkName(rawName);
    const uploadId = await this.store.initiate(ref, name, fileContentType(name, contentType));
    return { status: 202, body: { name, upload_id: uploadId, ...refFields(ref) } };
  }

  /** `POST /uploads/{id}/parts?name=&part=`: one part of at most 10 MiB. */
  async putPart(
    ref: DriveRef,
    uploadId: string,
    rawName: string | null,
    rawPart: string | null,
    body: ByteStream,
    length: number | undefined,
  ): Promise<JsonReply> {
    const name = checkName(rawName);
    const problem = partNumberProblem(rawPart);
    if (problem !== undefined) throw badRequest(...problem);
    const part = Number(rawPart);
    await this.store.putPart(ref, uploadId, name, part, limitedBody(body, length), length);
    return { status: 200, body: { name, upload_id: uploadId, part, ...refFields(ref) } };
  }

  /** `PATCH /uploads/{id}?name=`: the parts become the file. */
  async complete(ref: DriveRef, uploadId: string, rawName: string | null): Promise<JsonReply> {
    const name = checkName(rawName);
    await this.store.complete(ref, uploadId, name);
    return { status: 200, body: { name, upload_id: uploadId, ...refFields(ref) } };
  }

  /** `DELETE /uploads/{id}?name=`: the upload and its parts are dropped. */
  async abort(ref: DriveRef, uploadId: string, rawName: string | null): Promise<JsonReply> {
    const name = checkName(rawName);
    await this.store.abort(ref, uploadId, name);
    return { status: 200, body: { name, upload_id: uploadId, ...refFields(ref) } };
  }

  /** `POST /files?name=`: a whole file of at most 10 MiB in one request. */
  async putFile(
    ref: DriveRef,
    rawName: string | null,
    contentType: string | undefined,
    body: ByteStream,
    length: number | undefined,
  ): Promise<JsonReply> {
    const name = checkName(rawName);
    const uploadId = await this.store.initiate(ref, name, fileContentType(name, contentType));
    try {
      await this.store.putPart(ref, uploadId, name, 1, limitedBody(body, length), length);
      await this.store.complete(ref, uploadId, name);
    } catch (error) {
      await this.store.abort(ref, uploadId, name).catch(() => undefined);
      throw error;
    }
    return { status: 201, body: { name, ...refFields(ref) } };
  }

  /** `GET /files/download?name=`: the file, or a 404 JSON body (which the SDKs turn into null). */
  async download(ref: DriveRef, rawName: string | null): Promise<StoredFile> {
    const name = checkName(rawName);
    const file = await this.store.get(ref, name);
    if (file === undefined) throw new DataError(404, 'File not found', `no file is named ${JSON.stringify(name)}`);
    return file;
  }

  /**
   * `GET /files?prefix=&limit=&last=&recursive=`: names in order. With `recursive=false` the names below the
   * prefix collapse to their first folder (`list/child/`), listed once. `paging` is present only when more
   * names follow.
   */
  async list(ref: DriveRef, params: URLSearchParams): Promise<JsonReply> {
    const limit = listLimit(params.get('limit'));
    const prefix = params.get('prefix') ?? '';
    const last = params.get('last') ?? '';
    const recursive = flag(params.get('recursive'));
    const entries: string[] = [];
    // A `last` that is a folder entry resumes after everything inside it; an empty one is after no name at all.
    let after = !recursive && last.endsWith('/') ? last + AFTER_EVERYTHING : last;
    let done = false;
    // One entry more than the page shows tells whether more follow.
    const wanted = limit + 1;
    while (!done && entries.length <= limit) {
      // Stryker disable next-line ArithmeticOperator: equivalent, asking for more names only costs time: the reply keeps the first `limit` entries
      const page = await this.store.list(ref, { prefix, after, limit: wanted - entries.length });
      for (const name of page.names) {
        // Names inside one folder are adjacent in name order, so a folder is listed once.
        const entry = recursive ? name : folderView(name, prefix);
        if (entry !== entries[entries.length - 1]) entries.push(entry);
        after = name;
      }
      done = page.done;
      // The last entry is a folder (only `recursive=false` makes one), so `after` is inside it: seek past the rest of
      // the folder instead of listing every name inside it.
      const lastEntry = entries[entries.length - 1];
      if (lastEntry?.endsWith('/')) after = lastEntry + AFTER_EVERYTHING;
    }
    if (entries.length > limit) {
      return { status: 200, body: { paging: { size: limit, last: entries[limit - 1]! }, names: entries.slice(0, limit) } };
    }
    return { status: 200, body: { names: entries } };
  }

  /** `DELETE /files` `{"names": [...]}`: absent names count as deleted; blank ones fail, and only blank ones is a 400. */
  async deleteMany(ref: DriveRef, body: unknown): Promise<JsonReply> {
    const names = isJsonObject(body) ? body.names : undefined;
    if (!Array.isArray(names)) throw badRequest('Body must be {"names": [...]}', `names is ${describe(names)}`);
    if (names.length > MAX_DRIVE_NAMES) {
      throw badRequest('Too many names', `${names.length} names; at most ${MAX_DRIVE_NAMES} can be deleted at a time`);
    }
    const failed: Record<string, string> = {};
    const valid: string[] = [];
    for (const name of names) {
      if (typeof name === 'string' && name.trim() !== '') valid.push(name);
      else failed[String(name)] = 'invalid name';
    }
    if (valid.length === 0) throw badRequest("Names can't be empty", 'every name in the list is blank');
    const result = await this.store.deleteMany(ref, valid);
    Object.assign(failed, result.failed);
    const response: Record<string, JsonValue> = { deleted: valid.filter((name) => !(name in result.failed)) };
    if (Object.keys(failed).length > 0) response.failed = failed;
    return { status: 200, body: response };
  }
}

function refFields(ref: DriveRef): Record<string, string> {
  return { project_id: ref.projectId, drive_name: ref.drive };
}

/** A file name from the `name` query parameter (already decoded, `+` as space), or from an export being imported. */
export function checkName(name: string | null): string {
  if (name === null) throw badRequest('Name is missing', 'give the file name in the name query parameter');
  if (name.trim() === '') throw badRequest('Name is empty', 'the name query parameter is blank');
  if (name.endsWith('/')) throw badRequest('Name must not end with /', `${JSON.stringify(name)} names a folder`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw badRequest('Name too long', `${Buffer.byteLength(name)} bytes, at most ${MAX_NAME_BYTES} are allowed`);
  }
  return name;
}

/**
 * The upload's content type, else one guessed from the name, else `application/octet-stream`. HTTP parsers (Node's,
 * API Gateway's) strip the whitespace around a header's value, so an empty value is the only blank one.
 */
function fileContentType(name: string, given: string | undefined): string {
  if (given !== undefined && given !== '' && !UNINFORMATIVE_TYPES.has(given.toLowerCase())) return given;
  return lookup(name) || 'application/octet-stream';
}

function folderView(name: string, prefix: string): string {
  const slash = name.indexOf('/', prefix.length);
  return slash < 0 ? name : name.slice(0, slash + 1);
}

function listLimit(raw: string | null): number {
  if (raw === null || raw === '') return MAX_DRIVE_NAMES;
  const limit = Number(raw);
  if (!/^[0-9]+$/.test(raw) || limit < 1 || limit > MAX_DRIVE_NAMES) {
    throw badRequest('Invalid limit', `limit is ${JSON.stringify(raw)}; give 1 to ${MAX_DRIVE_NAMES}`);
  }
  return limit;
}

function flag(raw: string | null): boolean {
  if (raw === null || raw === '' || raw === 'true') return true;
  if (raw === 'false') return false;
  throw badRequest('Invalid recursive', `recursive is ${JSON.stringify(raw)}; give true or false`);
}

/** `body`, failing with 413 as soon as it is longer than one part may be. */
async function* limitedBody(body: ByteStream, declared: number | undefined): ByteStream {
  if (declared !== undefined && declared > MAX_PART_BYTES) throw tooLarge(declared);
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > MAX_PART_BYTES) throw tooLarge(bytes);
    yield chunk;
  }
}

function tooLarge(bytes: number): DataError {
  return new DataError(413, 'Request Entity Too Large', `${bytes} bytes; a part holds at most ${MAX_PART_BYTES} bytes (10 MiB)`);
}

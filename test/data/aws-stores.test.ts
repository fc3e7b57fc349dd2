/**
 * The DynamoDB and S3 backends against dynalite and s3rver: what the Base and Drive semantics rely on them for
 * (key order, ranges, paging, conditional writes, multipart uploads) and what each operation costs in requests.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BaseRef, BaseWrite } from '../../lib/data/base-store';
import { NoSuchUpload, type ByteStream, type DriveRef } from '../../lib/data/drive-store';
import { DynamoDbBaseStore } from '../../lib/handlers/dynamodb-base-store';
import { S3DriveStore } from '../../lib/handlers/s3-drive-store';
import { type AwsServers, startAwsServers } from './aws-servers';

let servers: AwsServers;
let base: DynamoDbBaseStore;
let drive: S3DriveStore;
let n = 0;
let ref: BaseRef;
let driveRef: DriveRef;

beforeAll(async () => {
  servers = await startAwsServers();
  base = new DynamoDbBaseStore({ client: servers.dynamodb, tableName: servers.tableName });
  drive = new S3DriveStore({ client: servers.s3, bucketName: servers.bucketName });
});
afterAll(async () => servers?.close());
beforeEach(() => {
  n++;
  ref = { projectId: 'proj1234', base: `base${n}` };
  driveRef = { projectId: 'proj1234', drive: `drive${n}` };
  servers.requests.clear();
});

const write = (key: string, extra: Record<string, unknown> = {}): BaseWrite => ({ item: { key, ...extra } as BaseWrite['item'] });
const keys = (records: readonly { item: { key: string } }[]) => records.map((record) => record.item.key);
const stream = (text: string | Uint8Array): ByteStream => Readable.from([typeof text === 'string' ? Buffer.from(text) : text]);
async function text(body: ByteStream): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('DynamoDbBaseStore', () => {
  it('stores items exactly as JSON, each put one BatchWriteItem, each get one consistent GetItem', async () => {
    const item = { key: 'a/b%c', n: 1234567890123456, f: 3.14159265359, nested: { '': 'x', list: [null, true, 'é'] }, empty: '' };
    await base.putMany(ref, [{ item: item as BaseWrite['item'], expires: 1700000000 }]);
    expect(Object.fromEntries(servers.requests)).toEqual({ BatchWriteItem: 1 });
    const record = await base.get(ref, 'a/b%c');
    expect(record?.item).toEqual(item);
    expect(record?.expires).toBe(1700000000);
    expect(record?.version).toMatch(/.+/);
    expect(await base.get(ref, 'missing')).toBeUndefined();
    expect(servers.requests.get('GetItem')).toBe(2);
  });

  it('stores an item whose JSON is the full 400 KB Deta allows, though DynamoDB counts names and keys in its 400 KB', async () => {
    // Printable text as incompressible as JSON strings get (about 6.5 bits a character), under a 1 KB key: SHA-256
    // output spelled in that alphabet, the same text on every run.
    const alphabet = Array.from({ length: 94 }, (_, index) => String.fromCharCode(33 + index)).filter((char) => char !== '"' && char !== '\\');
    const key = 'k'.repeat(1024);
    const item = { key, text: '' };
    const length = 400 * 1024 - JSON.stringify(item).length;
    for (let block = 0; item.text.length < length; block++) {
      for (const byte of createHash('sha256').update(String(block)).digest()) item.text += alphabet[byte % alphabet.length];
    }
    item.text = item.text.slice(0, length);
    expect(Buffer.byteLength(JSON.stringify(item))).toBe(400 * 1024);
    await base.putMany(ref, [{ item: item as BaseWrite['item'] }]);
    expect((await base.get(ref, key))?.item).toEqual(item);
    expect((await base.scan(ref, { range: {}, limit: 10 })).records.map((record) => record.item)).toEqual([item]);
  });

  it('keeps bases of one project and of other projects apart', async () => {
    await base.putMany(ref, [write('k', { v: 1 })]);
    expect(await base.get({ ...ref, base: `${ref.base}x` }, 'k')).toBeUndefined();
    expect(await base.get({ projectId: 'other', base: ref.base }, 'k')).toBeUndefined();
  });

  it('upserts 25 items in one request', async () => {
    const records = Array.from({ length: 25 }, (_, i) => write(`k${String(i).padStart(2, '0')}`, { i }));
    expect(await base.putMany(ref, records)).toEqual({ failed: [] });
    await base.putMany(ref, [write('k00', { i: 'replaced' })]);
    expect((await base.get(ref, 'k00'))?.item).toEqual({ key: 'k00', i: 'replaced' });
    expect(servers.requests.get('BatchWriteItem')).toBe(2);
  });

  it('inserts only when the key is absent or expired', async () => {
    expect(await base.insert(ref, write('i', { v: 1 }), 1000)).toBe(true);
    expect(await base.insert(ref, write('i', { v: 2 }), 1000)).toBe(false);
    expect((await base.get(ref, 'i'))?.item).toEqual({ key: 'i', v: 1 });
    await base.putMany(ref, [{ item: { key: 'old', v: 1 }, expires: 999 }]);
    expect(await base.insert(ref, write('old', { v: 2 }), 1000)).toBe(true);
    expect((await base.get(ref, 'old'))?.item).toEqual({ key: 'old', v: 2 });
  });

  it('replaces a record only at the version it was read at', async () => {
    await base.putMany(ref, [write('u', { v: 1 })]);
    const read = (await base.get(ref, 'u'))!;
    expect(await base.replaceIfVersion(ref, write('u', { v: 2 }), read.version)).toBe(true);
    expect(await base.replaceIfVersion(ref, write('u', { v: 3 }), read.version)).toBe(false);
    expect((await base.get(ref, 'u'))?.item).toEqual({ key: 'u', v: 2 });
    expect(await base.replaceIfVersion(ref, write('gone', { v: 1 }), read.version)).toBe(false);
    expect(await base.get(ref, 'gone')).toBeUndefined();
  });

  it('deletes, absent keys included', async () => {
    await base.putMany(ref, [write('d')]);
    await base.delete(ref, 'd');
    await base.delete(ref, 'never');
    expect(await base.get(ref, 'd')).toBeUndefined();
  });

  describe('scan', () => {
    const all = ['a', 'b', 'ba', 'bb', 'bc', 'c', 'd', 'é', '😀'];
    beforeEach(async () => {
      await base.putMany(
        ref,
        all.map((key) => write(key)),
      );
      servers.requests.clear();
    });

    it('reads a whole base in code point order in one Query, and backwards', async () => {
      expect(keys((await base.scan(ref, { range: {}, limit: 100 })).records)).toEqual(all);
      expect(keys((await base.scan(ref, { range: {}, limit: 100, descending: true })).records)).toEqual([...all].reverse());
      expect(servers.requests.get('Query')).toBe(2);
    });

    it('pages with limit and after, done only when nothing is left', async () => {
      const first = await base.scan(ref, { range: {}, limit: 4 });
      expect(keys(first.records)).toEqual(['a', 'b', 'ba', 'bb']);
      expect(first.done).toBe(false);
      const rest = await base.scan(ref, { range: {}, limit: 10, after: 'bb' });
      expect(keys(rest.records)).toEqual(['bc', 'c', 'd', 'é', '😀']);
      expect(rest.done).toBe(true);
      const back = await base.scan(ref, { range: {}, limit: 2, descending: true, after: 'c' });
      expect(keys(back.records)).toEqual(['bc', 'bb']);
    });

    it('honours prefixes and inclusive and exclusive bounds', async () => {
      const scan = async (range: Parameters<DynamoDbBaseStore['scan']>[1]['range'], extra = {}) =>
        keys((await base.scan(ref, { range, limit: 100, ...extra })).records);
      expect(await scan({ prefix: 'b' })).toEqual(['b', 'ba', 'bb', 'bc']);
      expect(await scan({ prefix: 'b' }, { descending: true })).toEqual(['bc', 'bb', 'ba', 'b']);
      expect(await scan({ prefix: 'b' }, { after: 'ba' })).toEqual(['bb', 'bc']);
      expect(await scan({ prefix: 'b' }, { after: 'bb', descending: true })).toEqual(['ba', 'b']);
      expect(await scan({ from: 'b', to: 'c' })).toEqual(['b', 'ba', 'bb', 'bc', 'c']);
      expect(await scan({ from: 'b', fromExclusive: true, to: 'c', toExclusive: true })).toEqual(['ba', 'bb', 'bc']);
      expect(await scan({ from: 'bb', fromExclusive: true })).toEqual(['bc', 'c', 'd', 'é', '😀']);
      expect(await scan({ to: 'b', toExclusive: true })).toEqual(['a']);
      expect(await scan({ prefix: 'b', from: 'bb' })).toEqual(['bb', 'bc']);
      expect(await scan({ from: 'c', to: 'b' })).toEqual([]);
      expect(await scan({ from: 'b', fromExclusive: true, to: 'b' })).toEqual([]);
      expect(await scan({ prefix: 'z' })).toEqual([]);
    });

    it('never returns an empty page that is not done when only an exclusive bound matched', async () => {
      const page = await base.scan(ref, { range: { from: 'a', fromExclusive: true, to: 'b', toExclusive: true }, limit: 1 });
      expect(page).toEqual({ records: [], done: true });
    });
  });
});

describe('S3DriveStore', () => {
  it('assembles a multipart upload in part order, with the content type it started with', async () => {
    const name = 'folder/a file+with é.txt';
    const id = await drive.initiate(driveRef, name, 'text/plain');
    const big = Buffer.alloc(5 * 1024 * 1024, 'x');
    await drive.putPart(driveRef, id, name, 2, stream('tail'), 4);
    await drive.putPart(driveRef, id, name, 1, stream(big), big.length);
    await drive.complete(driveRef, id, name);
    const file = (await drive.get(driveRef, name))!;
    expect(file.size).toBe(big.length + 4);
    expect(file.contentType).toBe('text/plain');
    const bytes = await text(file.body);
    expect(bytes.subarray(-4).toString()).toBe('tail');
    expect(Object.fromEntries(servers.requests)).toEqual({
      CreateMultipartUpload: 1,
      UploadPart: 2,
      ListParts: 1,
      CompleteMultipartUpload: 1,
      GetObject: 1,
    });
  });

  it('makes an empty file from an upload without parts, and replaces a file of the same name', async () => {
    const first = await drive.initiate(driveRef, 'e', 'application/json');
    await drive.putPart(driveRef, first, 'e', 1, stream('{}'), 2);
    await drive.complete(driveRef, first, 'e');
    const second = await drive.initiate(driveRef, 'e', 'application/octet-stream');
    await drive.complete(driveRef, second, 'e');
    const file = (await drive.get(driveRef, 'e'))!;
    expect(file.size).toBe(0);
    expect(file.contentType).toBe('application/octet-stream');
    expect((await text(file.body)).length).toBe(0);
  });

  it('reports unknown, finished and aborted uploads, and uploads of another name, as NoSuchUpload', async () => {
    await expect(drive.putPart(driveRef, 'nope', 'x', 1, stream('a'), 1)).rejects.toBeInstanceOf(NoSuchUpload);
    const id = await drive.initiate(driveRef, 'x', 'text/plain');
    await expect(drive.putPart(driveRef, id, 'y', 1, stream('a'), 1)).rejects.toBeInstanceOf(NoSuchUpload);
    await drive.abort(driveRef, id, 'x');
    await expect(drive.complete(driveRef, id, 'x')).rejects.toBeInstanceOf(NoSuchUpload);
    await expect(drive.abort(driveRef, id, 'x')).rejects.toBeInstanceOf(NoSuchUpload);
    expect(await drive.get(driveRef, 'x')).toBeUndefined();
  });

  async function store(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const id = await drive.initiate(driveRef, name, 'text/plain');
      await drive.putPart(driveRef, id, name, 1, stream(name), undefined);
      await drive.complete(driveRef, id, name);
    }
  }

  it('lists names in order within a prefix, one ListObjectsV2 a page', async () => {
    // UTF-8 byte order, as S3 lists: 'list-a' before 'list/a'.
    await store(['list/a', 'a', 'list/child/b', 'list-a', 'list/d', 'other']);
    servers.requests.clear();
    expect(await drive.list(driveRef, { limit: 100 })).toEqual({
      names: ['a', 'list-a', 'list/a', 'list/child/b', 'list/d', 'other'],
      done: true,
    });
    expect(await drive.list(driveRef, { prefix: 'list/', limit: 2 })).toEqual({ names: ['list/a', 'list/child/b'], done: false });
    expect(await drive.list(driveRef, { prefix: 'list/', after: 'list/child/b', limit: 2 })).toEqual({
      names: ['list/d'],
      done: true,
    });
    expect(servers.requests.get('ListObjectsV2')).toBe(3);
    expect(await drive.list({ ...driveRef, drive: `${driveRef.drive}x` }, { limit: 10 })).toEqual({ names: [], done: true });
  });

  it('deletes many names in one request, absent ones included', async () => {
    await store(['d1', 'd2']);
    servers.requests.clear();
    expect(await drive.deleteMany(driveRef, ['d1', 'missing', 'd2'])).toEqual({ failed: {} });
    expect(servers.requests.get('DeleteObjects')).toBe(1);
    expect(await drive.list(driveRef, { limit: 10 })).toEqual({ names: [], done: true });
  });
});

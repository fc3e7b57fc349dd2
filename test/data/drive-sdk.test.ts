/**
 * Deta Drive through the official `deta` 2.0.0 SDK, unchanged, against the local service over TLS: chunked
 * uploads (large, empty, overwritten), names with spaces and slashes, download, listing with prefix, limit, last
 * and `recursive`, delete and deleteMany.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestData } from './data-helpers';

const service = useTestData();

async function bytesOf(blob: Blob | null): Promise<Buffer> {
  expect(blob).not.toBeNull();
  return Buffer.from(await blob!.arrayBuffer());
}

describe('put and get', () => {
  it('stores text under a name with slashes and returns that name', async () => {
    const drive = service().deta.Drive('put');
    expect(await drive.put('put-data/child/a', { data: 'Hello world' })).toBe('put-data/child/a');
    expect((await bytesOf(await drive.get('put-data/child/a'))).toString()).toBe('Hello world');
  });

  it('keeps names with spaces, unicode and URL characters', async () => {
    const drive = service().deta.Drive('put');
    for (const name of ['name with spaces.txt', 'ünï €/ﬁle.txt', 'a+b&c=d?e#f%20g.txt', ' leading space']) {
      // Bytes, not a string: the SDK turns a string into one byte per UTF-16 unit.
      expect(await drive.put(name, { data: Buffer.from(name) })).toBe(name.trim());
      expect((await bytesOf(await drive.get(name.trim()))).toString()).toBe(name);
    }
  });

  it('round-trips a file of three 10 MiB parts byte for byte', async () => {
    const drive = service().deta.Drive('put');
    const content = randomBytes(10 * 1024 * 1024 * 2 + 1000);
    expect(await drive.put('large.bin', { data: content })).toBe('large.bin');
    const back = await bytesOf(await drive.get('large.bin'));
    expect(back.length).toBe(content.length);
    expect(back.equals(content)).toBe(true);
  });

  it('stores an empty file (an upload of zero parts), from bytes and from a path', async () => {
    const drive = service().deta.Drive('put');
    expect(await drive.put('empty', { data: new Uint8Array() })).toBe('empty');
    expect((await bytesOf(await drive.get('empty'))).length).toBe(0);
    const file = join(service().stateDir, 'empty-file');
    writeFileSync(file, '');
    expect(await drive.put('empty-from-path', { path: file })).toBe('empty-from-path');
    expect((await bytesOf(await drive.get('empty-from-path'))).length).toBe(0);
  });

  it('overwrites a file of the same name', async () => {
    const drive = service().deta.Drive('put');
    await drive.put('over', { data: 'first version, longer' });
    await drive.put('over', { data: 'second' });
    expect((await bytesOf(await drive.get('over'))).toString()).toBe('second');
    expect((await drive.list({ prefix: 'over' })).names).toEqual(['over']);
  });

  it('serves the content type given, else one guessed from the name', async () => {
    const drive = service().deta.Drive('types');
    await drive.put('page', { data: '<p>hi</p>', contentType: 'text/html' });
    await drive.put('logo.svg', { data: '<svg/>' });
    await drive.put('unknown', { data: 'x' });
    expect((await drive.get('page'))!.type).toBe('text/html');
    expect((await drive.get('logo.svg'))!.type).toBe('image/svg+xml');
    expect((await drive.get('unknown'))!.type).toBe('application/octet-stream');
  });

  it('answers null for a file that does not exist', async () => {
    expect(await service().deta.Drive('put').get('not-there')).toBeNull();
  });
});

describe('list', () => {
  const drive = () => service().deta.Drive('list');
  beforeAll(async () => {
    for (const name of ['list-a', 'list-b', 'list-c', 'list/a', 'list/b', 'list/child/a', 'list/child/b']) {
      await drive().put(name, { data: 'hello' });
    }
  });

  it('lists every name in order, without paging on the last page', async () => {
    expect(await drive().list()).toEqual({ names: ['list-a', 'list-b', 'list-c', 'list/a', 'list/b', 'list/child/a', 'list/child/b'] });
  });

  it('pages with limit, prefix and last', async () => {
    expect(await drive().list({ limit: 1 })).toEqual({ paging: { size: 1, last: 'list-a' }, names: ['list-a'] });
    expect(await drive().list({ limit: 2, prefix: 'list-' })).toEqual({ paging: { size: 2, last: 'list-b' }, names: ['list-a', 'list-b'] });
    expect(await drive().list({ limit: 2, prefix: 'list', last: 'list/child/a' })).toEqual({ names: ['list/child/b'] });
    expect(await drive().list({ prefix: 'list/child/' })).toEqual({ names: ['list/child/a', 'list/child/b'] });
    expect(await drive().list({ prefix: '/list' })).toEqual({ names: [] });
  });

  it('collapses sub-folders into one entry with recursive: false', async () => {
    expect(await drive().list({ prefix: 'list/', recursive: false })).toEqual({ names: ['list/a', 'list/b', 'list/child/'] });
    expect(await drive().list({ prefix: 'list', recursive: false })).toEqual({ names: ['list-a', 'list-b', 'list-c', 'list/'] });
    expect(await drive().list({ limit: 2, prefix: 'list/', recursive: false })).toEqual({
      paging: { size: 2, last: 'list/b' },
      names: ['list/a', 'list/b'],
    });
    expect(await drive().list({ limit: 1, last: 'list/a', prefix: 'list/', recursive: false })).toEqual({
      paging: { size: 1, last: 'list/b' },
      names: ['list/b'],
    });
    expect(await drive().list({ limit: 2, last: 'list/a', prefix: 'list/', recursive: false })).toEqual({ names: ['list/b', 'list/child/'] });
    expect(await drive().list({ limit: 3, prefix: 'list', recursive: false })).toEqual({
      paging: { size: 3, last: 'list-c' },
      names: ['list-a', 'list-b', 'list-c'],
    });
    expect(await drive().list({ prefix: 'list', last: 'list-c', recursive: false })).toEqual({ names: ['list/'] });
    expect(await drive().list({ recursive: false, prefix: 'list', last: 'list/' })).toEqual({ names: [] });
  });
});

describe('delete', () => {
  it('deletes one file and returns its name, whether or not it existed', async () => {
    const drive = service().deta.Drive('delete');
    await drive.put('delete/a b', { data: 'x' });
    expect(await drive.delete('delete/a b')).toBe('delete/a b');
    expect(await drive.get('delete/a b')).toBeNull();
    expect(await drive.delete('never-there')).toBe('never-there');
  });

  it('deletes many, reporting blank names as failed and refusing a list of only blank names', async () => {
    const drive = service().deta.Drive('delete');
    for (const name of ['delete-many-a', 'delete-many/a', 'delete-many/child/a']) await drive.put(name, { data: 'hello' });
    const deleted = await drive.deleteMany(['delete-many-a', 'delete-many/a', 'delete-many/child/a']);
    expect({ ...deleted, deleted: [...deleted.deleted].sort() }).toEqual({ deleted: ['delete-many-a', 'delete-many/a', 'delete-many/child/a'] });
    expect(await drive.list({ prefix: 'delete-many' })).toEqual({ names: [] });
    expect(await drive.deleteMany(['delete-many-aa', 'delete-many/aa', '', '  '])).toEqual({
      deleted: ['delete-many-aa', 'delete-many/aa'],
      failed: { '': 'invalid name', '  ': 'invalid name' },
    });
    await expect(drive.deleteMany(['   '])).rejects.toThrow("Names can't be empty");
    await expect(drive.deleteMany([''])).rejects.toThrow("Names can't be empty");
  });
});

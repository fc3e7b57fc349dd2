/**
 * The official `deta` 2.0.0 SDK, unchanged, over the cloud data path (test/data/cloud-path.ts): every Base and
 * Drive method on DynamoDB (dynalite) and S3 (s3rver), with the data function as deployed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Deta } from 'deta';
import { useCloudPath } from './cloud-fixture';
import { PROJECT_KEY } from './data-helpers';

const fixture = useCloudPath();

describe('Base on DynamoDB through the data function', () => {
  it('put, get, insert, putMany, update, fetch with paging and desc, delete, TTL', async () => {
    const db = Deta(PROJECT_KEY).Base('users');
    expect(await db.put({ name: 'alex', age: 77 }, 'alex')).toEqual({ name: 'alex', age: 77, key: 'alex' });
    const generated = await db.put('just a string');
    expect(generated?.key).toMatch(/^[a-z0-9]{12}$/);
    expect(await db.get('alex')).toEqual({ name: 'alex', age: 77, key: 'alex' });
    expect(await db.get('nobody')).toBeNull();

    expect(await db.insert({ name: 'bea', age: 30 }, 'bea')).toEqual({ name: 'bea', age: 30, key: 'bea' });
    await expect(db.insert({ name: 'bea again' }, 'bea')).rejects.toThrow('Item with key bea already exists');

    const many = await db.putMany([
      { key: 'c/1', age: 20, tags: ['a'] },
      { key: 'c/2', age: 45, profile: { city: 'Berlin' } },
      { key: 'c%3', age: 51 },
    ]);
    expect(many.processed.items).toHaveLength(3);
    await expect(db.putMany(Array.from({ length: 26 }, (_, i) => ({ key: `k${i}` })))).rejects.toThrow();

    await db.update({ 'profile.city': 'Paris', age: db.util.increment(2), tags: db.util.append('b') }, 'c/2');
    expect(await db.get('c/2')).toEqual({ key: 'c/2', age: 47, profile: { city: 'Paris' }, tags: ['b'] });
    await expect(db.update({ age: 1 }, 'nobody')).rejects.toThrow();

    const older = await db.fetch({ 'age?gte': 45 });
    expect(older.items.map((item) => item.key)).toEqual(['alex', 'c%3', 'c/2']);
    const page = await db.fetch([{ 'age?lt': 25 }, { 'name?pfx': 'a' }], { limit: 1 });
    expect(page).toMatchObject({ count: 1, last: 'alex' });
    const rest = await db.fetch([{ 'age?lt': 25 }, { 'name?pfx': 'a' }], { limit: 5, last: page.last });
    expect(rest.items.map((item) => item.key)).toEqual(['c/1']);
    expect(rest.last).toBeUndefined();
    const desc = await db.fetch({ 'key?pfx': 'c' }, { desc: true });
    expect(desc.items.map((item) => item.key)).toEqual(['c/2', 'c/1', 'c%3']);
    await expect(db.fetch({ 'age?r': [1] })).rejects.toThrow('Bad query');

    expect(await db.delete('alex')).toBeNull();
    expect(await db.delete('alex')).toBeNull();
    expect(await db.get('alex')).toBeNull();

    const expired = await db.put({ v: 1 }, 'old', { expireAt: new Date(Date.now() - 60_000) });
    expect(expired?.__expires).toBeLessThan(Date.now() / 1000);
    expect(await db.get('old')).toBeNull();
    await db.put({ v: 1 }, 'fresh', { expireIn: 300 });
    expect((await db.get('fresh'))?.__expires).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('Drive on S3: JSON calls through the data function, bytes through the edge routes', () => {
  it('put, get, list (recursive or not), delete, deleteMany, empty files, names with spaces and slashes', async () => {
    const drive = Deta(PROJECT_KEY).Drive('files');
    expect(await drive.put('folder/hello world.txt', { data: 'Hello world', contentType: 'text/plain' })).toBe('folder/hello world.txt');
    // The SDK refuses empty `data`; an empty file by path is an upload with zero parts.
    const emptyFile = join(mkdtempSync(join(tmpdir(), 'spaceport-empty-')), 'empty');
    writeFileSync(emptyFile, '');
    expect(await drive.put('empty', { path: emptyFile })).toBe('empty');
    expect(await drive.put('folder/sub/deep.bin', { data: Buffer.from([0, 1, 2, 255]) })).toBe('folder/sub/deep.bin');

    const hello = await drive.get('folder/hello world.txt');
    expect(hello?.type).toBe('text/plain');
    expect(await hello?.text()).toBe('Hello world');
    expect((await drive.get('empty'))?.size).toBe(0);
    expect(Buffer.from(await (await drive.get('folder/sub/deep.bin'))!.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await drive.get('missing')).toBeNull();

    expect(await drive.list()).toEqual({ names: ['empty', 'folder/hello world.txt', 'folder/sub/deep.bin'] });
    expect(await drive.list({ prefix: 'folder/', recursive: false })).toEqual({ names: ['folder/hello world.txt', 'folder/sub/'] });
    expect(await drive.list({ limit: 1 })).toEqual({ paging: { size: 1, last: 'empty' }, names: ['empty'] });

    expect(await drive.delete('empty')).toBe('empty');
    expect(await drive.deleteMany(['folder/sub/deep.bin', 'never-there'])).toMatchObject({ deleted: ['folder/sub/deep.bin', 'never-there'] });
    await expect(drive.deleteMany(['  '])).rejects.toThrow("Names can't be empty");
    expect(await drive.list()).toEqual({ names: ['folder/hello world.txt'] });

    // Every byte of every file went through the edge routes; the data function only saw JSON.
    expect(fixture.cloud.edgeRequests.some((request) => request.path.endsWith('/parts'))).toBe(true);
    expect(fixture.cloud.edgeRequests.some((request) => request.path.endsWith('/files/download'))).toBe(true);
    expect(fixture.cloud.invocations.some((invocation) => /\/parts$|\/files\/download$/.test(invocation.path))).toBe(false);
  });

  it('refuses a wrong key and another project at the edge, with the errors the SDK throws', async () => {
    const intruder = Deta('a0test12_notTheKey').Drive('files');
    await expect(intruder.get('folder/hello world.txt')).rejects.toThrow('Unauthorized');
    const other = Deta('otherprj_SecretValueForTestsOnly0123456789').Drive('files');
    await expect(other.get('folder/hello world.txt')).rejects.toThrow('Unauthorized');
  });
});

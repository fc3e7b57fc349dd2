/**
 * `spaceport dev` with an app that keeps its data in Base and Drive: the official `deta` SDK in a Node micro and
 * the Python SDK's wire calls in a Python micro reach the local data service over TLS with nothing configured,
 * inside the sandbox; the owner's browser reaches the same data at `/__space/v0/base|drive`; data outlives a
 * restart; and `spaceport dev` says where the data is.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpacefile } from '../../lib/spacefile/load';
import { type TestDev, startTestDev } from './dev-helpers';

const appDir = mkdtempSync(join(tmpdir(), 'spaceport-dev-data-'));
let dev: TestDev;
let cookie: string;

async function start(): Promise<TestDev> {
  const started = await startTestDev({ app: loadSpacefile(join(appDir, 'Spacefile')), auth: true, dataStateDir: join(appDir, '.spaceport') });
  const secret = readFileSync(join(appDir, '.spaceport', 'owner-secret'), 'utf8').trim();
  const signin = await fetch(`${started.server.url}/__space/signin`, {
    method: 'POST',
    body: new URLSearchParams({ secret, next: '/' }),
    redirect: 'manual',
  });
  cookie = signin.headers.getSetCookie()[0]!.split(';')[0]!;
  return started;
}

function call(path: string, init: RequestInit = {}): Promise<Response> {
  return dev.get(path, { ...init, headers: { accept: 'application/json', cookie, ...(init.headers as Record<string, string>) } });
}

beforeAll(async () => {
  cpSync(join(__dirname, '..', 'fixtures', 'dev-data'), appDir, { recursive: true });
  // The app keeps its data and its own local CA (made on the first run) in its .spaceport, as a user's app does.
  // The app ships the SDK in its node_modules; bundled to one file so the fixture needs no install.
  buildSync({
    entryPoints: [require.resolve('deta')],
    outfile: join(appDir, 'web', 'node_modules', 'deta', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  dev = await start();
});
afterAll(async () => {
  await dev?.server.stop();
  rmSync(appDir, { recursive: true, force: true });
});

describe('spaceport dev with Base and Drive', () => {
  it('gives every micro the data hosts and the local CA, and says where the data lives', async () => {
    const env = (await (await call('/env')).json()).result;
    expect(env.DETA_BASE_HOST).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env.DETA_DRIVE_HOST).toBe(env.DETA_BASE_HOST);
    expect(env.NODE_EXTRA_CA_CERTS).toMatch(/data-ca\.pem$/);
    expect(env.SSL_CERT_FILE).toMatch(/data-ca-bundle\.pem$/);
    expect(dev.logs()).toContain(`data: Base and Drive on https://${env.DETA_BASE_HOST}`);
    expect(dev.logs()).toContain(`kept in ${join(appDir, '.spaceport', 'data')}: 0 items, 0 files`);
  });

  it('serves the official SDK in a Node micro, unchanged, over TLS', async () => {
    const put = (await (await call('/notes', { method: 'POST', body: JSON.stringify({ text: 'first note', tags: ['a'] }) })).json()).result;
    expect(put).toEqual({ key: expect.stringMatching(/^[a-z0-9]{12}$/), text: 'first note', tags: ['a'] });
    expect((await (await call(`/notes/${put.key}`)).json()).result).toEqual(put);
    expect((await (await call(`/notes?query=${encodeURIComponent(JSON.stringify({ 'tags?contains': 'a' }))}`)).json()).result).toEqual({
      count: 1,
      items: [put],
    });
    const upload = await call('/files/docs%2Fhello%20world.txt', {
      method: 'PUT',
      body: 'hello from node',
      headers: { 'content-type': 'text/plain' },
    });
    expect((await upload.json()).result).toBe('docs/hello world.txt');
    const download = await call('/files/docs%2Fhello%20world.txt');
    expect(download.headers.get('content-type')).toBe('text/plain');
    expect(await download.text()).toBe('hello from node');
    expect((await (await call('/files')).json()).result).toEqual({ names: ['docs/hello world.txt'] });
  });

  it("serves a Python micro speaking the Python SDK's wire format through TLS", async () => {
    const response = await call('/api/run');
    const results = await response.json();
    expect(results.error).toBeUndefined();
    expect(response.status).toBe(200);
    const [putStatus, put] = results.put;
    expect(putStatus).toBe(207);
    expect(put.processed.items[0]).toEqual({ key: '%@#//#!#)#$_', value: 0, list: ['a'] });
    expect(put.processed.items[1]).toEqual({ key: expect.stringMatching(/^[a-z0-9]{12}$/), value: 'generated' });
    expect(results.get).toEqual([200, { key: '%@#//#!#)#$_', value: 0, list: ['a'] }]);
    expect(results.missing).toEqual([404, null]);
    expect(results.insert).toEqual([201, { key: 'once', n: 1 }]);
    expect(results.conflict).toMatch(/409/);
    expect(results.update[0]).toBe(200);
    expect(results.fetch).toEqual([200, { paging: { size: 1 }, items: [{ key: '%@#//#!#)#$_', value: 2, list: ['x', 'a', 'b', 'c'] }] }]);
    expect(results.upload).toEqual([202, 200, 200]);
    expect(results.download).toBe('line one\nline two\r\n');
    expect(results.list).toEqual({ names: ['name with spaces/and slash.txt'] });
    expect(results.delete).toEqual({ deleted: ['name with spaces/and slash.txt'] });
  });

  it("lets the signed-in owner's browser use the same data at /__space/v0/base and /__space/v0/drive with the key dummy", async () => {
    const browser = { 'x-api-key': 'dummy', 'content-type': 'application/json' };
    const put = await call('/__space/v0/base/v1/dummy/notes/items', {
      method: 'PUT',
      headers: browser,
      body: JSON.stringify({ items: [{ key: 'from-browser', text: 'hi' }] }),
    });
    expect(put.status).toBe(207);
    expect((await (await call('/notes/from-browser')).json()).result).toEqual({ key: 'from-browser', text: 'hi' });
    const fetched = await call('/__space/v0/base/v1/dummy/notes/query', {
      method: 'POST',
      headers: browser,
      body: '{"query":[{"key":"from-browser"}]}',
    });
    expect(await fetched.json()).toEqual({ paging: { size: 1 }, items: [{ key: 'from-browser', text: 'hi' }] });
    const file = await call('/__space/v0/drive/v1/dummy/files/files/download?name=docs%2Fhello%20world.txt', { headers: browser });
    expect(await file.text()).toBe('hello from node');
  });

  it('refuses the browser path without the owner, from another origin, and across Base and Drive', async () => {
    const anonymous = await dev.get('/__space/v0/base/v1/dummy/notes/items/from-browser', { headers: { 'x-api-key': 'dummy' } });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).errors[0]).toBe('Unauthorized');
    const projectKey = readFileSync(join(appDir, '.spaceport', 'project-key'), 'utf8').trim();
    const withKeyOnly = await dev.get('/__space/v0/base/v1/dummy/notes/items/from-browser', { headers: { 'x-api-key': projectKey } });
    expect(withKeyOnly.status).toBe(401);
    const crossSite = await call('/__space/v0/base/v1/dummy/notes/items/from-browser', { headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await call('/__space/v0/base/v1/dummy/files/files/download?name=x')).status).toBe(404);
    expect((await call('/__space/v0/drive/v1/dummy/notes/items/from-browser')).status).toBe(404);
  });

  it('keeps the data across a restart of spaceport dev', async () => {
    await dev.server.stop();
    dev = await start();
    expect((await (await call('/notes/from-browser')).json()).result).toEqual({ key: 'from-browser', text: 'hi' });
    expect(await (await call('/files/docs%2Fhello%20world.txt')).text()).toBe('hello from node');
    expect(dev.logs()).toMatch(/kept in .*: 5 items, 1 file, \d+(\.\d)? (B|KB) on disk/);
  });
});

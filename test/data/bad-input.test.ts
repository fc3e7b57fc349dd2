/**
 * Bad requests to the data service, sent raw over TLS: each answer is a JSON error naming what is wrong, with the
 * status the SDKs check, and nothing is stored.
 */
import { describe, expect, it } from 'vitest';
import { PROJECT_KEY, type Reply, useTestData } from './data-helpers';

const service = useTestData();

const PROJECT = PROJECT_KEY.split('_')[0]!;
const BASE = `/v1/${PROJECT}/bad`;
const DRIVE = `/v1/${PROJECT}/bad-drive`;

async function storedItems(): Promise<unknown[]> {
  const reply = await service().request('POST', `${BASE}/query`, { body: '{}' });
  expect(reply.status).toBe(200);
  return reply.body.items;
}

function expectError(reply: Reply, status: number, message: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toBe('application/json');
  expect(reply.body.errors.join(': ')).toMatch(message);
}

describe('auth', () => {
  it.each([
    ['no key', { 'x-api-key': null }, /X-API-Key/],
    ['a wrong key', { 'x-api-key': `${PROJECT}_wrongsecret` }, /not this app's project key/],
    ['an empty key', { 'x-api-key': '' }, /X-API-Key/],
  ])('refuses %s with 401', async (_, headers, message) => {
    const reply = await service().request('PUT', `${BASE}/items`, { body: JSON.stringify({ items: [{ key: 'x' }] }), headers });
    expectError(reply, 401, message);
    expect(await storedItems()).toEqual([]);
  });

  it('accepts the key in any header case (the Python SDK sends X-Api-Key)', async () => {
    const { request } = await import('node:https');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: service().service.port,
          method: 'GET',
          path: `${BASE}/items/none`,
          ca: service().service.tls.caPem,
          headers: { 'X-Api-Key': PROJECT_KEY },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });

  it("refuses another project's id with the app's own key", async () => {
    const reply = await service().request('PUT', '/v1/otherproj/bad/items', { body: JSON.stringify({ items: [{ key: 'x' }] }) });
    expectError(reply, 401, /belongs to project a0test12, not otherproj/);
    expect(await storedItems()).toEqual([]);
  });
});

describe('Base', () => {
  it.each([
    ['malformed JSON', '{"items": [', 400, /Malformed JSON body/],
    ['no items', '{}', 400, /items/],
    ['an empty list', '{"items": []}', 400, /Items are empty/],
    ['26 items', JSON.stringify({ items: Array.from({ length: 26 }, (_, i) => ({ key: `k${i}` })) }), 400, /Too many items: 26/],
    ['a number key', '{"items": [{"key": "ok"}, {"key": 7}]}', 400, /Key must be a string: items\[1\]\.key is the number 7/],
    ['duplicate keys', '{"items": [{"key": "a"}, {"key": "a"}]}', 400, /items\[0\] and items\[1\] both have the key "a"/],
    ['an empty attribute name', '{"items": [{"key": "a", "p": {"": 1}}]}', 400, /Empty attribute names.*items\[0\]\.p/],
    ['a non-object item', '{"items": [{"key": "a"}, "text"]}', 400, /items\[1\] is the string "text"/],
    ['a string __expires', '{"items": [{"key": "a", "__expires": "soon"}]}', 400, /__expires must be a number/],
    ['an integer beyond 16 digits', '{"items": [{"key": "a", "n": 12345678901234567890}]}', 400, /Number too large.*items\[0\]\.n/],
    [
      'an item over 400 KB',
      JSON.stringify({ items: [{ key: 'ok' }, { key: 'big', blob: 'x'.repeat(400 * 1024) }] }),
      400,
      /Item too large: items\[1\]/,
    ],
    [
      'a key over 1024 bytes',
      JSON.stringify({ items: [{ key: 'k'.repeat(1025) }] }),
      400,
      /^Key too long: items\[0\]\.key is 1025 bytes, at most 1024 are allowed$/,
    ],
    ['a blank key', '{"items": [{"key": "  "}]}', 400, /^Key is empty: items\[0\]\.key$/],
    ['a null item', '{"items": [null]}', 400, /^Item must be a JSON object: items\[0\] is null$/],
    ['a list item', '{"items": [[1]]}', 400, /^Item must be a JSON object: items\[0\] is a list$/],
    [
      'an object __expires',
      '{"items": [{"key": "a", "__expires": {}}]}',
      400,
      /^__expires must be a number: items\[0\]\.__expires is an object; give Unix seconds$/,
    ],
    [
      'a boolean __expires',
      '{"items": [{"key": "a", "__expires": true}]}',
      400,
      /^__expires must be a number: items\[0\]\.__expires is the boolean true; give Unix seconds$/,
    ],
    ['a large integer in a list', '{"items": [{"key": "a", "l": [1, 12345678901234567890]}]}', 400, /^Number too large: items\[0\]\.l\[1\] is /],
    [
      'an item nested 33 deep',
      JSON.stringify({ items: [{ key: 'deep', a: Array.from({ length: 32 }).reduce<unknown>((inner) => ({ a: inner }), 1) }] }),
      400,
      /^Item nested too deeply: items\[0\](\.a){32}: at most 32 levels$/,
    ],
    [
      'a list nested 33 deep',
      JSON.stringify({ items: [{ key: 'deep', l: Array.from({ length: 32 }).reduce<unknown>((inner) => [inner], 1) }] }),
      400,
      /^Item nested too deeply: items\[0\]\.l(\[0\]){31}: at most 32 levels$/,
    ],
  ])('refuses a put with %s, storing nothing', async (_, body, status, message) => {
    expectError(await service().request('PUT', `${BASE}/items`, { body }), status, message);
    expect(await storedItems()).toEqual([]);
  });

  it('refuses a request body over 16 MB with 413', async () => {
    const body = JSON.stringify({ items: [{ key: 'a', blob: 'x'.repeat(16 * 1024 * 1024) }] });
    expectError(await service().request('PUT', `${BASE}/items`, { body }), 413, /Request Entity Too Large.*16 MB/);
    expect(await storedItems()).toEqual([]);
  });

  it('refuses an insert without an item, and one with a bad key', async () => {
    expectError(await service().request('POST', `${BASE}/items`, { body: '{"key": "x"}' }), 400, /Body must be \{"item"/);
    expectError(await service().request('POST', `${BASE}/items`, { body: '{"item": {"key": false}}' }), 400, /item\.key is the boolean false/);
    expect(await storedItems()).toEqual([]);
  });

  it('refuses bad updates with 400 and a missing key with 404', async () => {
    await service().request('PUT', `${BASE}/items`, { body: '{"items": [{"key": "u", "n": 1}]}' });
    const update = (body: unknown, key = 'u') => service().request('PATCH', `${BASE}/items/${key}`, { body: JSON.stringify(body) });
    expectError(await update({ set: {}, increment: {}, append: {}, prepend: {}, delete: [] }), 400, /Update is empty/);
    expectError(await update({ set: { 'a..b': 1 } }), 400, /Invalid attribute path/);
    expectError(await update({ set: { n: 2 }, delete: ['n'] }), 400, /Conflicting update/);
    expectError(await update({ increment: { n: '1' } }), 400, /Increment needs a number: increment\.n/);
    expectError(await update({ append: { l: 'x' } }), 400, /Append needs a list/);
    expectError(await update({ frobnicate: {} }), 400, /^Unknown update operation: "frobnicate"; use set, increment, append, prepend or delete$/);
    expectError(await update([1]), 400, /^Update must be a JSON object: the body is a list$/);
    expectError(await update({ set: 5 }), 400, /^set must be an object: it is the number 5$/);
    expectError(await update({ prepend: { l: 'x' } }), 400, /^Prepend needs a list: prepend\.l is the string "x"$/);
    expectError(await update({ append: { l: 1 } }), 400, /^Append needs a list: append\.l is the number 1$/);
    expectError(await update({ delete: 'n' }), 400, /^delete must be a list of attribute names: it is the string "n"$/);
    expectError(await update({ delete: ['n', 1] }), 400, /^delete must be a list of attribute names: it is a list$/);
    expectError(await update({ delete: ['a..b'] }), 400, /^Invalid attribute path: delete "a\.\.b" has an empty segment$/);
    expectError(await update({ set: { 'a..b': 1 } }), 400, /^Invalid attribute path: set "a\.\.b" has an empty segment$/);
    expectError(await update({}), 400, /^Update is empty: give at least one attribute to set, increment, append, prepend or delete$/);
    expectError(await update({ set: { key: 'v' } }), 400, /^The key cannot be updated: set "key"$/);
    expectError(await update({ set: { n: 2 }, delete: ['n'] }), 400, /^Conflicting update: set "n" and delete "n" touch the same attribute$/);
    expectError(await update({ set: { 'p.x': 1 }, delete: ['p'] }), 400, /^Conflicting update: set "p\.x" and delete "p" touch the same attribute$/);
    expectError(await update({ set: { p: {} }, increment: { 'p.n': 1 } }), 400, /^Conflicting update: set "p" and increment "p\.n"/);
    expectError(await update({ append: { l: [1] }, prepend: { 'l.0': [1] } }), 400, /^Conflicting update: append "l" and prepend "l\.0"/);
    expectError(
      await update({ set: { 'm.n.o': 1 } }),
      400,
      /^Parent attribute does not exist: set "m\.n\.o": "m\.n" is not an object or list in the item$/,
    );
    expectError(await update({ set: { n: 2 } }, 'absent'), 404, /Key not found/);
    expect(await storedItems()).toEqual([{ key: 'u', n: 1 }]);
    await service().request('DELETE', `${BASE}/items/u`);
  });

  it('names the attribute a value update does not fit', async () => {
    await service().request('PUT', `${BASE}/items`, { body: '{"items": [{"key": "w", "s": "x", "n": 1, "l": [1, 2]}]}' });
    const update = (body: unknown) => service().request('PATCH', `${BASE}/items/w`, { body: JSON.stringify(body) });
    expectError(await update({ increment: { s: 1 } }), 400, /^Cannot increment a non-number: "s" is the string "x"$/);
    expectError(await update({ append: { n: [1] } }), 400, /^Cannot append to a non-list: "n" is the number 1$/);
    expectError(await update({ set: { 'l.3': 1 } }), 400, /^Invalid list index: set "l\.3": the list has 2 elements$/);
    expectError(await update({ set: { 'l.x': 1 } }), 400, /^Invalid list index: set "l\.x": the list has 2 elements$/);
    expect(await storedItems()).toEqual([{ key: 'w', s: 'x', n: 1, l: [1, 2] }]);
    await service().request('DELETE', `${BASE}/items/w`);
  });

  it.each([
    ['a limit of 0', { limit: 0 }, /Limit must be at least 1/],
    ['a numeric last', { last: 5 }, /Last must be a key/],
    ['an unknown sort', { sort: 'random' }, /Sort must be/],
    ['an unknown operator', { query: [{ 'a?near': 1 }] }, /^Bad query: unknown operator in "a\?near"$/],
    ['two key conditions', { query: [{ key: 'a', 'key?pfx': 'a' }] }, /^Bad query: query\[0\] has more than one condition on the key$/],
    ['a clause that is not an object', { query: [null] }, /^Bad query: query\[0\] must be an object of conditions$/],
    [
      'OR clauses with different keys',
      { query: [{ key: 'a' }, { key: 'b' }] },
      /^Bad query: every OR clause must have the same key condition \(or none\)$/,
    ],
    ['an operator without a path', { query: [{ '?gt': 1 }] }, /^Bad query: "\?gt" names no attribute$/],
    ['an unknown operator without a path', { query: [{ '?near': 1 }] }, /^Bad query: unknown operator in "\?near"$/],
    ['an empty path segment', { query: [{ 'a..b': 1 }] }, /^Bad query: "a\.\.b" names no attribute$/],
    ['a key range of numbers', { query: [{ 'key?r': [1, 2] }] }, /^Bad query: "key\?r" needs two string keys$/],
    ['a key compared with a number', { query: [{ 'key?>': 12 }] }, /^Bad query: "key\?>" compares keys, which are strings$/],
    ['contains on the key', { query: [{ 'key?contains': 'x' }] }, /^Bad query: "key\?contains": \?contains is not supported on the key$/],
    ['a range that is a string', { query: [{ 'key?r': 'ab' }] }, /^Bad query: "key\?r" needs a list of two bounds$/],
    ['a range of three bounds', { query: [{ 'n?r': [1, 2, 3] }] }, /^Bad query: "n\?r" needs a list of two bounds$/],
    ['a prefix that is a number', { query: [{ 'name?pfx': 12 }] }, /^Bad query: "name\?pfx" needs a string prefix$/],
    ['lt with a boolean', { query: [{ 'n?lt': true }] }, /^Bad query: "n\?lt" compares numbers or strings$/],
    ['a range of a string and a number', { query: [{ 'n?r': ['a', 1] }] }, /^Bad query: "n\?r" needs two numbers or two strings$/],
  ])('refuses a query with %s', async (_, body, message) => {
    expectError(await service().request('POST', `${BASE}/query`, { body: JSON.stringify(body) }), 400, message);
  });

  it('reads keys with %2F and %25 from the path, and refuses broken percent-encoding', async () => {
    await service().request('PUT', `${BASE}/items`, { body: JSON.stringify({ items: [{ key: 'a/b%c' }] }) });
    expect((await service().request('GET', `${BASE}/items/a%2Fb%25c`)).body).toEqual({ key: 'a/b%c' });
    expect((await service().request('GET', `${BASE}/items/a/b%25c`)).body).toEqual({ key: 'a/b%c' });
    expectError(await service().request('GET', `${BASE}/items/a%2Fb%c`), 400, /Malformed percent-encoding/);
    expectError(await service().request('DELETE', `${BASE}/items/%zz`), 400, /Malformed percent-encoding/);
    expect(await storedItems()).toEqual([{ key: 'a/b%c' }]);
    await service().request('DELETE', `${BASE}/items/a%2Fb%25c`);
    expect(await storedItems()).toEqual([]);
  });

  it('answers unknown endpoints with 404 and wrong methods with 405, as JSON', async () => {
    expectError(await service().request('GET', `${BASE}/nothing`), 404, /Not found/);
    expectError(await service().request('GET', '/v2/x'), 404, /Not found/);
    expectError(await service().request('GET', `${BASE}/query`), 405, /Method not allowed.*use POST/);
  });
});

describe('Drive', () => {
  async function startUpload(name: string): Promise<string> {
    const reply = await service().request('POST', `${DRIVE}/uploads?name=${encodeURIComponent(name)}`);
    expect(reply.status).toBe(202);
    return reply.body.upload_id;
  }

  it('refuses a part over 10 MiB with 413 and keeps the upload usable', async () => {
    const id = await startUpload('big');
    const tooBig = new Uint8Array(10 * 1024 * 1024 + 1);
    expectError(await service().request('POST', `${DRIVE}/uploads/${id}/parts?name=big&part=1`, { body: tooBig }), 413, /10 MiB/);
    expect((await service().request('POST', `${DRIVE}/uploads/${id}/parts?name=big&part=1`, { body: 'ok' })).status).toBe(200);
    expect((await service().request('PATCH', `${DRIVE}/uploads/${id}?name=big`)).status).toBe(200);
    expect((await service().request('GET', `${DRIVE}/files/download?name=big`)).body).toBe('ok');
    await service().request('DELETE', `${DRIVE}/files`, { body: '{"names": ["big"]}' });
  });

  it('refuses unknown uploads, uploads of another name, and bad part numbers', async () => {
    const id = await startUpload('mine');
    expectError(await service().request('POST', `${DRIVE}/uploads/${'0'.repeat(32)}/parts?name=mine&part=1`, { body: 'x' }), 404, /Upload not found/);
    expectError(await service().request('POST', `${DRIVE}/uploads/../../etc/parts?name=mine&part=1`, { body: 'x' }), 404, /Not found/);
    expectError(await service().request('PATCH', `${DRIVE}/uploads/${id}?name=other`), 404, /Upload not found/);
    expectError(await service().request('POST', `${DRIVE}/uploads/${id}/parts?name=mine&part=0`, { body: 'x' }), 400, /Invalid part number/);
    expectError(await service().request('POST', `${DRIVE}/uploads/${id}/parts?name=mine&part=abc`, { body: 'x' }), 400, /Invalid part number/);
    expect((await service().request('DELETE', `${DRIVE}/uploads/${id}?name=mine`)).status).toBe(200);
    expectError(await service().request('PATCH', `${DRIVE}/uploads/${id}?name=mine`), 404, /Upload not found/);
    expect((await service().request('GET', `${DRIVE}/files`)).body).toEqual({ names: [] });
  });

  it('refuses a base or drive name with a slash, which would reach into another drive in S3', async () => {
    expectError(await service().request('GET', `/v1/${PROJECT}/a%2Fb/files`), 400, /Name must not contain \//);
    expectError(await service().request('GET', `/v1/${PROJECT}/notes%2Fold/items/k`), 400, /Name must not contain \//);
  });

  it('refuses missing, blank and folder names', async () => {
    expectError(await service().request('POST', `${DRIVE}/uploads`), 400, /Name is missing/);
    expectError(await service().request('POST', `${DRIVE}/uploads?name=+`), 400, /Name is empty/);
    expectError(await service().request('POST', `${DRIVE}/uploads?name=dir/`), 400, /must not end with \//);
    expectError(await service().request('GET', `${DRIVE}/files/download?name=absent`), 404, /File not found/);
    expectError(await service().request('GET', `${DRIVE}/files?limit=0`), 400, /Invalid limit/);
    expectError(await service().request('GET', `${DRIVE}/files?recursive=maybe`), 400, /Invalid recursive/);
    expectError(await service().request('DELETE', `${DRIVE}/files`, { body: '{"names": "a"}' }), 400, /names/);
  });

  it('takes a single-request upload, with a name quoted the Python way', async () => {
    const reply = await service().request('POST', `${DRIVE}/files?name=one+file%2Fname.txt`, {
      body: 'whole',
      headers: { 'content-type': 'text/plain' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ name: 'one file/name.txt', project_id: PROJECT, drive_name: 'bad-drive' });
    const download = await service().request('GET', `${DRIVE}/files/download?name=one+file%2Fname.txt`);
    expect(download.headers.get('content-type')).toBe('text/plain');
    expect(download.body).toBe('whole');
    await service().request('DELETE', `${DRIVE}/files`, { body: '{"names": ["one file/name.txt"]}' });
  });
});

/**
 * The Base endpoints as an app speaking Deta's wire format sees them: the exact status and `{"errors": [...]}` of
 * every refusal, the bodies of get, delete and update, paging (`limit`, `last`, `sort`, the 1 MB scan window) and
 * expiry at its boundary. Raw requests to the data service (locally here, on the cloud path through
 * sdk-suites-on-cloud), then the same handler over a store that fails, races or counts on purpose, for what a
 * healthy store does not do on demand: putMany's failed items, update's retries, what a query page reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BaseStore, Item } from '../../lib/data/base-store';
import type { DataHandler } from '../../lib/data/http';
import { createDataHandler } from '../../lib/data/service';
import { FileDriveStore } from '../../lib/local/data/file-drive-store';
import { JournalBaseStore } from '../../lib/local/data/journal-base-store';
import { PROJECT_KEY, type Reply, useTestData } from './data-helpers';

const service = useTestData();

const PROJECT = PROJECT_KEY.split('_')[0]!;
// Base names of their own: on the cloud path every suite's raw requests reach one table.
const base = (name: string) => `/v1/${PROJECT}/endpoints-${name}`;
/** The item-level errors are `{"errors": [message, detail]}`: the JS SDK throws the first, the second says where. */
const errors = (...messages: string[]) => ({ errors: messages });

function send(method: string, path: string, body?: unknown): Promise<Reply> {
  return service().request(method, path, body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function putAll(name: string, items: unknown[]): Promise<void> {
  const reply = await send('PUT', `${base(name)}/items`, { items });
  expect(reply.status).toBe(207);
}

async function keysOf(name: string): Promise<string[]> {
  const reply = await send('POST', `${base(name)}/query`, {});
  return (reply.body.items as Item[]).map((item) => item.key);
}

describe('put', () => {
  it.each([
    ['an empty body', undefined, errors('Body must be {"items": [...]}', 'the body is empty')],
    ['a list body', [{ key: 'a' }], errors('Body must be {"items": [...]}', 'the body is a list')],
    ['no items', { item: { key: 'a' } }, errors('Body must be {"items": [...]}', 'the body has no "items"')],
    ['items that are not a list', { items: { key: 'a' } }, errors('Body must be {"items": [...]}', 'items is an object')],
    ['an empty list', { items: [] }, errors('Items are empty', 'give at least one item')],
    [
      'a duplicate key',
      { items: [{ key: 'a' }, { key: 'b' }, { key: 'a' }] },
      errors('Duplicate key', 'items[0] and items[2] both have the key "a"'),
    ],
  ])('refuses %s with 400, storing nothing', async (_, body, expected) => {
    const reply = await send('PUT', `${base('put-refused')}/items`, body);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: expected });
    expect(await keysOf('put-refused')).toEqual([]);
  });

  it('answers 207 with every item processed, in request order, and no failed list', async () => {
    const reply = await send('PUT', `${base('put-ok')}/items`, {
      items: [
        { key: 'b', n: 1 },
        { key: 'a', n: 2 },
      ],
    });
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 207,
      body: {
        processed: {
          items: [
            { key: 'b', n: 1 },
            { key: 'a', n: 2 },
          ],
        },
      },
    });
  });
});

describe('insert', () => {
  it.each([
    ['an empty body', undefined, 'the body is empty'],
    ['a number body', 5, 'the body is the number 5'],
    ['an item without the "item" wrapper', { key: 'x' }, 'the body has no "item"'],
  ])('refuses %s with 400', async (_, body, detail) => {
    const reply = await send('POST', `${base('insert')}/items`, body);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: errors('Body must be {"item": {...}}', detail) });
  });

  it('creates with 201, then answers 409 "Key already exists" and keeps the first item', async () => {
    const created = await send('POST', `${base('insert')}/items`, { item: { key: 'once', v: 1 } });
    expect({ status: created.status, body: created.body }).toEqual({ status: 201, body: { key: 'once', v: 1 } });
    const again = await send('POST', `${base('insert')}/items`, { item: { key: 'once', v: 2 } });
    expect({ status: again.status, body: again.body }).toEqual({
      status: 409,
      body: errors('Key already exists', 'an item with the key "once" exists'),
    });
    expect((await send('GET', `${base('insert')}/items/once`)).body).toEqual({ key: 'once', v: 1 });
  });
});

describe('get, delete and update by key', () => {
  it('answers 404 {key, errors} for an absent key', async () => {
    const reply = await send('GET', `${base('keys')}/items/absent`);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 404, body: { key: 'absent', errors: ['Key not found'] } });
  });

  it('answers delete with 200 {key}, whether or not the item existed', async () => {
    await putAll('keys', [{ key: 'doomed' }]);
    for (const key of ['doomed', 'doomed', 'never']) {
      const reply = await send('DELETE', `${base('keys')}/items/${key}`);
      expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: { key } });
    }
    expect((await send('GET', `${base('keys')}/items/doomed`)).status).toBe(404);
  });

  it.each([
    ['a blank key', '%20%20', errors('Key is empty', 'the key in the path')],
    ['a key over 1024 bytes', 'k'.repeat(1025), errors('Key too long', 'the key in the path is 1025 bytes, at most 1024 are allowed')],
  ])('refuses %s in the path of get, delete and update with 400', async (_, key, expected) => {
    for (const [method, body] of [
      ['GET', undefined],
      ['DELETE', undefined],
      ['PATCH', { set: { a: 1 } }],
    ] as const) {
      const reply = await send(method, `${base('keys')}/items/${key}`, body);
      expect({ method, status: reply.status, body: reply.body }).toEqual({ method, status: 400, body: expected });
    }
  });

  it('answers an update with 200, the key and the operations it applied', async () => {
    await putAll('keys', [{ key: 'u', n: 1, l: ['a'], gone: true }]);
    const reply = await send('PATCH', `${base('keys')}/items/u`, { set: { s: 'x' }, increment: { n: 2 }, append: { l: ['b'] }, delete: ['gone'] });
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 200,
      body: { key: 'u', set: { s: 'x' }, increment: { n: 2 }, append: { l: ['b'] }, delete: ['gone'] },
    });
    expect((await send('GET', `${base('keys')}/items/u`)).body).toEqual({ key: 'u', n: 3, l: ['a', 'b'], s: 'x' });
  });

  it('answers an update of an absent key with 404 naming the key', async () => {
    const reply = await send('PATCH', `${base('keys')}/items/nobody`, { set: { a: 1 } });
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 404, body: errors('Key not found', 'no item has the key "nobody"') });
  });

  it('refuses an update that would make the item too large with 400, keeping the item', async () => {
    await putAll('keys', [{ key: 'big', a: 'x'.repeat(300 * 1024) }]);
    const reply = await send('PATCH', `${base('keys')}/items/big`, { set: { b: 'y'.repeat(200 * 1024) } });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      'Item too large',
      expect.stringMatching(/^the updated item is \d+ bytes as JSON, at most 409600 are allowed$/),
    ]);
    expect(Object.keys((await send('GET', `${base('keys')}/items/big`)).body)).toEqual(['key', 'a']);
  });
});

describe('query', () => {
  beforeAll(async () => {
    // 'A' and '0' sort before lower-case keys (and before any resume key a page would start after).
    await putAll('query', [{ key: 'b' }, { key: 'A' }, { key: 'c' }, { key: '0' }]);
  });

  it.each([
    ['no body', undefined],
    ['a null body', 'null'],
    ['an empty object', {}],
  ])('reads %s as every item in key order', async (_, body) => {
    const reply = await send('POST', `${base('query')}/query`, body);
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 200,
      body: { paging: { size: 4 }, items: [{ key: '0' }, { key: 'A' }, { key: 'b' }, { key: 'c' }] },
    });
  });

  it.each([
    ['a list body', [{}], errors('Body must be a JSON object', 'the body is a list')],
    ['a string body', '"all"', errors('Body must be a JSON object', 'the body is the string "all"')],
    ['a limit of 0', { limit: 0 }, errors('Limit must be at least 1', 'limit is the number 0')],
    ['a fractional limit', { limit: 1.5 }, errors('Limit must be at least 1', 'limit is the number 1.5')],
    ['a limit in a string', { limit: '2' }, errors('Limit must be at least 1', 'limit is the string "2"')],
    ['a numeric last', { last: 5 }, errors('Last must be a key', 'last is the number 5')],
    ['an unknown sort', { sort: 'up' }, errors('Sort must be "asc" or "desc"', 'sort is the string "up"')],
  ])('refuses %s with 400', async (_, body, expected) => {
    const reply = await send('POST', `${base('query')}/query`, body);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: expected });
  });

  it.each([
    ['', ['0', 'A', 'b', 'c']],
    ['asc', ['0', 'A', 'b', 'c']],
    ['desc', ['c', 'b', 'A', '0']],
  ])('sorts %j by key', async (sort, keys) => {
    const reply = await send('POST', `${base('query')}/query`, { sort });
    expect(reply.status).toBe(200);
    expect((reply.body.items as Item[]).map((item) => item.key)).toEqual(keys);
  });

  it('pages by limit: a last only when another match follows, and the next page starts after it', async () => {
    const first = await send('POST', `${base('query')}/query`, { limit: 2 });
    expect(first.body).toEqual({ paging: { size: 2, last: 'A' }, items: [{ key: '0' }, { key: 'A' }] });
    const second = await send('POST', `${base('query')}/query`, { limit: 2, last: 'A' });
    expect(second.body).toEqual({ paging: { size: 2 }, items: [{ key: 'b' }, { key: 'c' }] });
  });

  it('fills a page past expired items, and still gives a last when a live item follows', async () => {
    await putAll('query-expired', [{ key: 'e1', __expires: 1 }, { key: 'e2' }, { key: 'e3' }, { key: 'e4' }]);
    const reply = await send('POST', `${base('query-expired')}/query`, { limit: 2 });
    expect(reply.body).toEqual({ paging: { size: 2, last: 'e3' }, items: [{ key: 'e2' }, { key: 'e3' }] });
  });
});

describe('the 1 MB scan window', () => {
  const WINDOW = 1024 * 1024;
  /** An item whose JSON is exactly `length` characters. */
  const sized = (key: string, length: number) => ({ key, pad: 'x'.repeat(length - JSON.stringify({ key, pad: '' }).length) });

  it('answers with a last where the items scanned reach 1 MB, unless that is the end of the base', async () => {
    // Three items of exactly 1 MB of JSON together.
    await putAll('window', [sized('w1', 349_525), sized('w2', 349_525), sized('w3', WINDOW - 2 * 349_525)]);
    const whole = await send('POST', `${base('window')}/query`, {});
    expect(whole.body.paging).toEqual({ size: 3 });

    await putAll('window', [{ key: 'w4', tag: 'wanted' }]);
    const first = await send('POST', `${base('window')}/query`, {});
    expect(first.body.paging).toEqual({ size: 3, last: 'w3' });
    const next = await send('POST', `${base('window')}/query`, { last: 'w3' });
    expect(next.body).toEqual({ paging: { size: 1 }, items: [{ key: 'w4', tag: 'wanted' }] });

    // Deta's documented case: a filtered page can come back empty, with a last to go on from.
    const filtered = await send('POST', `${base('window')}/query`, { query: [{ tag: 'wanted' }] });
    expect(filtered.body).toEqual({ paging: { size: 0, last: 'w3' }, items: [] });
    const rest = await send('POST', `${base('window')}/query`, { query: [{ tag: 'wanted' }], last: 'w3' });
    expect(rest.body).toEqual({ paging: { size: 1 }, items: [{ key: 'w4', tag: 'wanted' }] });
  });
});

/**
 * The data handler over the local journal store with one behaviour changed: what DynamoDB does under throttling
 * or contention, and a count of what each query page reads.
 */
describe('over a store that fails, races or counts', () => {
  let dir: string;
  let journal: JournalBaseStore;
  let drive: FileDriveStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spaceport-base-endpoints-'));
    journal = await JournalBaseStore.open(dir);
    drive = await FileDriveStore.open(dir);
  });

  afterAll(async () => {
    await journal.close();
    await drive.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The journal store with some of its operations replaced. */
  function storeWith(changed: Partial<BaseStore>): BaseStore {
    return {
      get: (ref, key) => journal.get(ref, key),
      putMany: (ref, records) => journal.putMany(ref, records),
      insert: (ref, record, now) => journal.insert(ref, record, now),
      replaceIfVersion: (ref, record, version) => journal.replaceIfVersion(ref, record, version),
      delete: (ref, key) => journal.delete(ref, key),
      scan: (ref, request) => journal.scan(ref, request),
      ...changed,
    };
  }

  async function call(handler: DataHandler, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const bytes = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const response = await handler({
      method,
      path,
      query: '',
      headers: { 'x-api-key': PROJECT_KEY, 'content-type': 'application/json', 'content-length': String(bytes.length) },
      body: Readable.from([bytes]),
    });
    return { status: response.status, body: JSON.parse(Buffer.from(response.body as Uint8Array).toString('utf8')) };
  }

  const handlerOver = (store: BaseStore, now?: () => number) => createDataHandler({ base: store, drive, projectKey: PROJECT_KEY, now });
  const ref = (name: string) => ({ projectId: PROJECT, base: `endpoints-${name}` });

  it('hides an item from the second its __expires names, and lets insert reuse its key', async () => {
    const now = 1_900_000_000;
    const handler = handlerOver(storeWith({}), () => now * 1000);
    await call(handler, 'PUT', `${base('expiry')}/items`, {
      items: [
        { key: 'now', __expires: now },
        { key: 'later', __expires: now + 0.001 },
      ],
    });
    expect(await call(handler, 'GET', `${base('expiry')}/items/now`)).toEqual({ status: 404, body: { key: 'now', errors: ['Key not found'] } });
    expect(await call(handler, 'GET', `${base('expiry')}/items/later`)).toEqual({ status: 200, body: { key: 'later', __expires: now + 0.001 } });
    expect((await call(handler, 'POST', `${base('expiry')}/query`, {})).body).toEqual({
      paging: { size: 1 },
      items: [{ key: 'later', __expires: now + 0.001 }],
    });
    expect((await call(handler, 'POST', `${base('expiry')}/items`, { item: { key: 'now' } })).status).toBe(201);
    expect((await call(handler, 'POST', `${base('expiry')}/items`, { item: { key: 'later' } })).status).toBe(409);
  });

  it('reports the items a store could not write as failed, the rest as processed, in request order', async () => {
    const handler = handlerOver(
      storeWith({
        putMany: async (where, records) => {
          const throttled = records.filter((record) => record.item.key.startsWith('throttled'));
          await journal.putMany(
            where,
            records.filter((record) => !throttled.includes(record)),
          );
          return { failed: throttled.map((record) => record.item.key) };
        },
      }),
    );
    const items = [
      { key: 'a', n: 1 },
      { key: 'throttled-1', n: 2 },
      { key: 'b', n: 3 },
      { key: 'throttled-2', n: 4 },
    ];
    const reply = await call(handler, 'PUT', `${base('failing')}/items`, { items });
    expect(reply).toEqual({
      status: 207,
      body: { processed: { items: [items[0], items[2]] }, failed: { items: [items[1], items[3]] } },
    });
    expect((await call(handler, 'POST', `${base('failing')}/query`, {})).body).toEqual({ paging: { size: 2 }, items: [items[0], items[2]] });
  });

  /** A store where another client rewrites the item right after each of the first `races` reads of it. */
  function racingStore(races: number): BaseStore {
    let left = races;
    return storeWith({
      get: async (where, key) => {
        const record = await journal.get(where, key);
        if (record !== undefined && left > 0) {
          left--;
          await journal.putMany(where, [{ item: { ...record.item, n: (record.item.n as number) + 100 } }]);
        }
        return record;
      },
    });
  }

  it('retries an update that raced with other writes, applying it to the item as they left it', async () => {
    await journal.putMany(ref('racing'), [{ item: { key: 'r', n: 1 } }]);
    const reply = await call(handlerOver(racingStore(19)), 'PATCH', `${base('racing')}/items/r`, { increment: { n: 1 } });
    expect(reply).toEqual({ status: 200, body: { key: 'r', increment: { n: 1 } } });
    expect((await journal.get(ref('racing'), 'r'))?.item).toEqual({ key: 'r', n: 1 + 19 * 100 + 1 });
  });

  it('gives up after 20 raced attempts with 503, leaving the other writes in place', async () => {
    await journal.putMany(ref('racing'), [{ item: { key: 's', n: 1 } }]);
    const reply = await call(handlerOver(racingStore(20)), 'PATCH', `${base('racing')}/items/s`, { increment: { n: 1 } });
    expect(reply).toEqual({
      status: 503,
      body: errors('Item is changing too often', '20 attempts to update "s" raced with other writes; retry'),
    });
    expect((await journal.get(ref('racing'), 's'))?.item).toEqual({ key: 's', n: 1 + 20 * 100 });
  });

  describe('what a query page reads', () => {
    let reads: string[][];
    let handler: DataHandler;

    beforeAll(async () => {
      // c0 has expired: it is read, and skipped.
      const records = Array.from({ length: 10 }, (_, n) => ({
        item: { key: `c${n}`, n, ...(n === 0 && { __expires: 1 }) },
        ...(n === 0 && { expires: 1 }),
      }));
      await journal.putMany(ref('counted'), records);
      handler = handlerOver(
        storeWith({
          scan: async (where, request) => {
            const page = await journal.scan(where, request);
            reads.push(page.records.map((record) => record.item.key));
            return page;
          },
        }),
      );
    });

    const readsOf = async (request: object): Promise<{ items: string[]; reads: string[][] }> => {
      reads = [];
      const reply = await call(handler, 'POST', `${base('counted')}/query`, request);
      expect(reply.status).toBe(200);
      return { items: ((reply.body as { items: Item[] }).items ?? []).map((item) => item.key), reads };
    };

    it.each([
      ['no query', {}],
      ['an empty query list', { query: [] }],
      ['an empty condition object', { query: [{}] }],
      ['an OR with an empty clause', { query: [{ n: 5 }, {}] }],
      ['a key condition only', { query: [{ 'key?pfx': 'c' }] }],
    ])('with %s reads one record past the limit, and one more for each expired item among them', async (_, request) => {
      expect(await readsOf({ ...request, limit: 2 })).toEqual({ items: ['c1', 'c2'], reads: [['c0', 'c1', 'c2'], ['c3']] });
    });

    it('with a filter reads the base in one batch, not a limit at a time', async () => {
      expect(await readsOf({ query: [{ 'n?gte': 7 }], limit: 2 })).toEqual({
        items: ['c7', 'c8'],
        reads: [['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9']],
      });
    });
  });
});

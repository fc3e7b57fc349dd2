/**
 * Deta Base through the official `deta` 2.0.0 SDK, unchanged, against the local service over TLS: the behaviour
 * the SDK's own test suite pins (put/get/delete/insert/update/fetch), and what apps rely on beyond it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { PutManyResponse } from 'deta/dist/types/types/base/response';
import { PROJECT_KEY, useTestData } from './data-helpers';

const service = useTestData();

const wesley = { key: 'fetch-key-1', name: 'Wesley', user_age: 27, hometown: 'San Francisco', email: 'wesley@deta.sh' };
const beverly = { key: 'fetch-key-2', name: 'Beverly', user_age: 51, hometown: 'Copernicus City', email: 'beverly@deta.sh' };
const kevin = { key: 'fetch-key-3', name: 'Kevin Garnett', user_age: 43, hometown: 'Greenville', email: 'kevin@email.com' };

describe('put, get, delete', () => {
  it('stores an item under its key and echoes exactly what was stored', async () => {
    const db = service().deta.Base('put');
    expect(await db.put({ name: 'alex', age: 77 }, 'put_one')).toEqual({ name: 'alex', age: 77, key: 'put_one' });
    expect(await db.get('put_one')).toEqual({ name: 'alex', age: 77, key: 'put_one' });
    expect(await db.put({ key: 'put_one', name: 'alex', age: 78 })).toEqual({ key: 'put_one', name: 'alex', age: 78 });
    expect(await db.get('put_one')).toEqual({ key: 'put_one', name: 'alex', age: 78 });
  });

  it('generates a 12-character key of lower-case letters and digits when none is given', async () => {
    const db = service().deta.Base('put');
    const stored = (await db.put({ name: 'no key' })) as { key: string };
    expect(stored.key).toMatch(/^[a-z0-9]{12}$/);
    expect(await db.get(stored.key)).toEqual({ name: 'no key', key: stored.key });
  });

  it.each([['Hello'], [1], [true], [false], [3.14159265359], [['a', 'b']], [null]])('wraps the plain value %p as {value}', async (value) => {
    const db = service().deta.Base('put');
    const stored = (await db.put(value as never)) as { key: string };
    expect(stored).toEqual({ key: stored.key, value });
    expect(await db.get(stored.key)).toEqual({ key: stored.key, value });
  });

  it('keeps keys with slashes, percent signs, spaces and unicode', async () => {
    const db = service().deta.Base('put');
    for (const key of ['%@#//#!#)#$_', 'a/b', '100%', 'with space', 'ünï €', 'a?b=c&d']) {
      expect(await db.put({ v: key }, key)).toEqual({ v: key, key });
      expect(await db.get(key)).toEqual({ v: key, key });
    }
    await db.delete('a/b');
    expect(await db.get('a/b')).toBeNull();
    expect(await db.get('%@#//#!#)#$_')).toEqual({ v: '%@#//#!#)#$_', key: '%@#//#!#)#$_' });
  });

  it('answers null for an absent key, and delete is null whether or not the key existed', async () => {
    const db = service().deta.Base('delete');
    expect(await db.get('never-stored')).toBeNull();
    await db.put({ a: 1 }, 'gone');
    expect(await db.delete('gone')).toBeNull();
    expect(await db.get('gone')).toBeNull();
    expect(await db.delete('key_does_not_exist')).toBeNull();
  });

  it('keeps nested objects, lists and numbers as given', async () => {
    const db = service().deta.Base('put');
    const item = { key: 'nested', profile: { age: 32, tags: ['x', { deep: [1, 2.5, -3] }] }, empty: {}, list: [], n: null, big: 9007199254740991 };
    expect(await db.put(item)).toEqual(item);
    expect(await db.get('nested')).toEqual(item);
  });
});

describe('putMany', () => {
  it('stores up to 25 items, generated keys included, in request order', async () => {
    const db = service().deta.Base('put-many');
    const result: PutManyResponse & { failed?: unknown } = await db.putMany([
      { name: 'Beverly', hometown: 'Copernicus City' },
      'dude',
      ['Namaskāra', 'marhabaan', 'hello', 'yeoboseyo'],
    ]);
    expect(result).toMatchObject({
      processed: {
        items: [{ name: 'Beverly', hometown: 'Copernicus City' }, { value: 'dude' }, { value: ['Namaskāra', 'marhabaan', 'hello', 'yeoboseyo'] }],
      },
    });
    expect(result.failed).toBeUndefined();
    for (const item of result.processed.items as { key: string }[]) expect(item.key).toMatch(/^[a-z0-9]{12}$/);
    // A `-` no generated key holds (12 of a-z0-9), so the prefix finds these 25 and nothing generated above.
    const items = Array.from({ length: 25 }, (_, index) => ({ key: `k-${String(index).padStart(2, '0')}`, index }));
    expect((await db.putMany(items)).processed.items).toEqual(items);
    expect((await db.fetch({ 'key?pfx': 'k-' })).count).toBe(25);
  });

  it('is refused by the SDK beyond 25 items or when empty', async () => {
    const db = service().deta.Base('put-many');
    await expect(db.putMany(Array.from({ length: 26 }, (_, i) => ({ i })))).rejects.toThrow("We can't put more than 25 items at a time");
    await expect(db.putMany([])).rejects.toThrow("Items can't be empty");
  });
});

describe('insert', () => {
  it('creates an item and refuses a second one with the same key (409)', async () => {
    const db = service().deta.Base('insert');
    expect(await db.insert({ key: 'foo', data: 'bar' })).toEqual({ key: 'foo', data: 'bar' });
    await expect(db.insert({ key: 'foo', data: 'baz' })).rejects.toThrow('Item with key foo already exists');
    expect(await db.get('foo')).toEqual({ key: 'foo', data: 'bar' });
    const generated = (await db.insert('plain')) as { key: string };
    expect(generated).toEqual({ key: generated.key, value: 'plain' });
    expect(generated.key).toMatch(/^[a-z0-9]{12}$/);
  });

  it('may take the key of an expired item, which is gone for every reader', async () => {
    const db = service().deta.Base('insert');
    const past = Math.floor(Date.now() / 1000) - 60;
    await db.put({ v: 'old' }, 'expired-key', { expireAt: past });
    expect(await db.insert({ key: 'expired-key', v: 'new' })).toEqual({ key: 'expired-key', v: 'new' });
    expect(await db.get('expired-key')).toEqual({ key: 'expired-key', v: 'new' });
  });
});

describe('update', () => {
  it('applies set, increment, append, prepend and trim on nested paths (the docs example)', async () => {
    const db = service().deta.Base('update');
    await db.put({
      key: 'user-a',
      username: 'jimmy',
      profile: { age: 32, active: false, hometown: 'pittsburgh' },
      on_mobile: true,
      likes: ['anime'],
      dislikes: ['comedy'],
      purchases: 1,
    });
    expect(
      await db.update(
        {
          'profile.age': 33,
          'profile.active': true,
          'profile.email': 'jimmy@deta.sh',
          'profile.hometown': db.util.trim(),
          on_mobile: db.util.trim(),
          purchases: db.util.increment(2),
          likes: db.util.append('ramen'),
          dislikes: db.util.prepend('action'),
        },
        'user-a',
      ),
    ).toBeNull();
    expect(await db.get('user-a')).toEqual({
      key: 'user-a',
      username: 'jimmy',
      profile: { age: 33, active: true, email: 'jimmy@deta.sh' },
      likes: ['anime', 'ramen'],
      dislikes: ['action', 'comedy'],
      purchases: 3,
    });
    await db.update({ purchases: db.util.increment(), likes: db.util.append(['momo']), dislikes: db.util.prepend(['romcom']) }, 'user-a');
    expect(await db.get('user-a')).toMatchObject({ likes: ['anime', 'ramen', 'momo'], dislikes: ['romcom', 'action', 'comedy'], purchases: 4 });
    await db.update({ purchases: db.util.increment(-10) }, 'user-a');
    expect(await db.get('user-a')).toMatchObject({ purchases: -6 });
  });

  it('creates missing attributes on increment and append, and sets TTL-only updates', async () => {
    const db = service().deta.Base('update');
    await db.put({ a: 1 }, 'fresh');
    const later = Math.floor(Date.now() / 1000) + 3600;
    await db.update({ count: db.util.increment(5), tags: db.util.append('x') }, 'fresh', { expireAt: later });
    expect(await db.get('fresh')).toEqual({ key: 'fresh', a: 1, count: 5, tags: ['x'], __expires: later });
    await db.update({}, 'fresh', { expireAt: later + 1 });
    expect(await db.get('fresh')).toMatchObject({ __expires: later + 1 });
  });

  it.each([
    ['a key that does not exist', { a: 1 }, 'update-missing'],
    ['setting the key', { key: 'other' }, 'update-errors'],
    ['trimming the key', { key: 'TRIM' }, 'update-errors'],
    ['setting inside an attribute that does not exist', { 'profile.age': 32 }, 'update-errors'],
    ['appending to the key', { key: 'APPEND' }, 'update-errors'],
    ['incrementing a string', { name: 'INCREMENT' }, 'update-errors'],
    ['appending to a non-list', { name: 'APPEND' }, 'update-errors'],
    ['setting and trimming the same attribute', { name: 'x', 'name.first': 'TRIM' }, 'update-errors'],
  ])('fails on %s, changing nothing', async (_, updates, key) => {
    const db = service().deta.Base('update');
    await db.put({ name: 'patrick' }, 'update-errors');
    const resolved = Object.fromEntries(
      Object.entries(updates).map(([name, value]) => [
        name,
        value === 'TRIM' ? db.util.trim() : value === 'APPEND' ? db.util.append('x') : value === 'INCREMENT' ? db.util.increment() : value,
      ]),
    );
    await expect(db.update(resolved, key)).rejects.toThrow();
    expect(await db.get('update-errors')).toEqual({ key: 'update-errors', name: 'patrick' });
  });

  it('sets, appends to and deletes list members by index, and skips null operations', async () => {
    const path = `/v1/${PROJECT_KEY.split('_')[0]}/update-lists/items`;
    const update = async (body: unknown) => (await service().request('PATCH', `${path}/l`, { body: JSON.stringify(body) })).status;
    await service().request('PUT', path, { body: JSON.stringify({ items: [{ key: 'l', l: [1, 2], n: 1 }] }) });
    expect(await update({ set: { 'l.2': 3 } })).toBe(200);
    expect(await update({ set: { 'l.0': 0 } })).toBe(200);
    expect(await update({ delete: ['l.1', 'l.9', 'l.x'] })).toBe(200);
    expect(await update({ append: { l: [9] }, prepend: { l: [8] } })).toBe(200);
    expect(await update({ set: null, increment: { n: 1 }, delete: null })).toBe(200);
    expect((await service().request('GET', `${path}/l`)).body).toEqual({ key: 'l', l: [8, 0, 3, 9], n: 2 });
  });

  it('stores an item of exactly 400 KB as JSON and refuses one byte more', async () => {
    const path = `/v1/${PROJECT_KEY.split('_')[0]}/put-limit/items`;
    const item = (extra: number) => ({ key: 'max', blob: 'x'.repeat(400 * 1024 - '{"key":"max","blob":""}'.length + extra) });
    expect((await service().request('PUT', path, { body: JSON.stringify({ items: [item(0)] }) })).status).toBe(207);
    expect((await service().request('PUT', path, { body: JSON.stringify({ items: [item(1)] }) })).body).toEqual({
      errors: ['Item too large', 'items[0] is 409601 bytes as JSON, at most 409600 are allowed'],
    });
  });

  it('generates a key for a null key and keeps a null __expires as no expiry', async () => {
    const path = `/v1/${PROJECT_KEY.split('_')[0]}/put-nulls/items`;
    const reply = await service().request('PUT', path, {
      body: JSON.stringify({
        items: [
          { key: null, a: 1 },
          { key: 'n', __expires: null },
        ],
      }),
    });
    expect(reply.status).toBe(207);
    expect(reply.body.processed.items).toEqual([
      { key: expect.stringMatching(/^[a-z0-9]{12}$/), a: 1 },
      { key: 'n', __expires: null },
    ]);
  });

  it('updates items whose keys hold slashes and percent signs', async () => {
    const db = service().deta.Base('update');
    await db.put({ value: 0, list: ['a'] }, '%@#//#!#)#$_');
    await db.update({ list: db.util.append(['b', 'c']) }, '%@#//#!#)#$_');
    await db.update({ list: db.util.prepend('x'), value: db.util.increment(1) }, '%@#//#!#)#$_');
    await db.update({ value: db.util.increment(2) }, '%@#//#!#)#$_');
    expect(await db.get('%@#//#!#)#$_')).toEqual({ key: '%@#//#!#)#$_', list: ['x', 'a', 'b', 'c'], value: 3 });
  });
});

describe('fetch', () => {
  const db = () => service().deta.Base('fetch');
  beforeAll(async () => {
    await db().putMany([wesley, beverly, kevin]);
  });

  it.each<[unknown, unknown[]]>([
    [{ key: 'fetch-key-1' }, [wesley]],
    [{ 'key?pfx': 'fetch' }, [wesley, beverly, kevin]],
    [{ 'key?>': 'fetch-key-2' }, [kevin]],
    [{ 'key?<': 'fetch-key-2' }, [wesley]],
    [{ 'key?>=': 'fetch-key-2' }, [beverly, kevin]],
    [{ 'key?<=': 'fetch-key-2' }, [wesley, beverly]],
    [{ 'key?r': ['fetch-key-1', 'fetch-key-3'] }, [wesley, beverly, kevin]],
    [
      [
        { 'key?>=': 'fetch-key-1', 'user_age?>': 40, 'user_age?<': 50 },
        { 'key?>=': 'fetch-key-1', 'user_age?<': 40 },
      ],
      [wesley, kevin],
    ],
    [
      [{ name: 'Wesley' }, { user_age: 51 }],
      [wesley, beverly],
    ],
    [{ 'user_age?lt': 30 }, [wesley]],
    [{ user_age: 27 }, [wesley]],
    [{ user_age: 27, name: 'Wesley' }, [wesley]],
    [{ 'user_age?gt': 27 }, [beverly, kevin]],
    [{ 'user_age?lte': 43 }, [wesley, kevin]],
    [{ 'user_age?gte': 43 }, [beverly, kevin]],
    [{ 'user_age?>=': 43, 'user_age?<=': 51 }, [beverly, kevin]],
    [{ 'hometown?pfx': 'San' }, [wesley]],
    [{ 'user_age?r': [20, 45] }, [wesley, kevin]],
    [{ 'name?r': ['B', 'L'] }, [beverly, kevin]],
    [{ 'email?contains': '@email.com' }, [kevin]],
    [{ 'email?not_contains': '@deta.sh' }, [kevin]],
    [{ 'email?!contains': '@deta.sh' }, [kevin]],
    [
      [{ 'user_age?gt': 50 }, { hometown: 'Greenville' }],
      [beverly, kevin],
    ],
    [{ 'user_age?ne': 51 }, [wesley, kevin]],
    [{ fetch_does_not_exist: 'fetch_value_does_not_exist' }, []],
    [{ 'user_age?gt': '27' }, []],
    [{}, [wesley, beverly, kevin]],
    [[], [wesley, beverly, kevin]],
  ])('fetch(%j)', async (query, items) => {
    expect(await db().fetch(query as never)).toEqual({ count: items.length, items });
  });

  it('pages with limit and last; last is absent on the last page', async () => {
    expect(await db().fetch({ name: 'Wesley' }, { limit: 1 })).toEqual({ count: 1, items: [wesley] });
    expect(await db().fetch({ 'user_age?ne': 51 }, { limit: 1 })).toEqual({ count: 1, last: 'fetch-key-1', items: [wesley] });
    expect(await db().fetch({ 'user_age?ne': 51 }, { limit: 1, last: 'fetch-key-1' })).toEqual({ count: 1, items: [kevin] });
    expect(await db().fetch([{ 'user_age?gt': 50 }, { hometown: 'Greenville' }], { limit: 2 })).toEqual({ count: 2, items: [beverly, kevin] });
    expect(await db().fetch({}, { limit: 2 })).toEqual({ count: 2, last: 'fetch-key-2', items: [wesley, beverly] });
    expect(await db().fetch([], { limit: 3 })).toEqual({ count: 3, items: [wesley, beverly, kevin] });
    expect(await db().fetch({}, { limit: 2, last: 'fetch-key-2' })).toEqual({ count: 1, items: [kevin] });
  });

  it('sorts by key descending with desc, paging backwards from last', async () => {
    expect(await db().fetch({}, { desc: true })).toEqual({ count: 3, items: [kevin, beverly, wesley] });
    expect(await db().fetch({}, { desc: true, limit: 2 })).toEqual({ count: 2, last: 'fetch-key-2', items: [kevin, beverly] });
    expect(await db().fetch({}, { desc: true, limit: 2, last: 'fetch-key-2' })).toEqual({ count: 1, items: [wesley] });
    expect(await db().fetch({ 'key?<=': 'fetch-key-2' }, { desc: true })).toEqual({ count: 2, items: [beverly, wesley] });
  });

  it('queries nested paths, lists and whole objects', async () => {
    const nested = service().deta.Base('fetch-nested');
    const a = { key: 'a', user: { profile: { age: 22, city: 'Berlin' }, tags: ['x', 'y'] }, time: { day: 'Tuesday', hour: '08:00' }, fav: [2, 4, 8] };
    const b = { key: 'b', user: { profile: { age: 40, city: 'Paris' }, tags: ['y'] }, time: { day: 'Monday', hour: '08:00' }, fav: [1] };
    await nested.putMany([a, b]);
    expect((await nested.fetch({ 'user.profile.age': 22 })).items).toEqual([a]);
    expect((await nested.fetch({ 'user.profile.age?gt': 30 })).items).toEqual([b]);
    expect((await nested.fetch({ 'user.profile.city?pfx': 'Ber' })).items).toEqual([a]);
    expect((await nested.fetch({ 'user.tags?contains': 'x' })).items).toEqual([a]);
    expect((await nested.fetch({ 'user.tags?not_contains': 'x' })).items).toEqual([b]);
    expect((await nested.fetch({ fav: [2, 4, 8] })).items).toEqual([a]);
    expect((await nested.fetch({ time: { hour: '08:00', day: 'Tuesday' } })).items).toEqual([a]);
    expect((await nested.fetch({ 'user.profile.missing': 1 })).items).toEqual([]);
  });

  it.each([
    [{ 'key?': 'fetch-key-one' }],
    [{ 'key??': 'fetch-key-one' }],
    [{ 'key?pfx': 12 }],
    [{ 'key?r': [] }],
    [{ 'key?r': ['fetch-key-one'] }],
    [{ 'key?r': 'Hello world' }],
    [{ 'key?>': 12 }],
    [{ 'key?>=': 12 }],
    [{ 'key?<': 12 }],
    [{ 'key?<=': 12 }],
    [{ 'key?random': 'fetch-key-one' }],
    [{ 'key?contains': 'fetch' }],
    [[{ 'key?<=': 'fetch-key-one' }, { key: 'fetch-key-one' }]],
    [[{ 'key?<=': 'fetch-key-one' }, { 'key?<=': 'fetch-key-two' }]],
    [[{ user_age: 27 }, { 'key?<=': 'fetch-key-two' }]],
    [[{ user_age: 27, key: 'fetch-key-two', 'key?>': 'fetch-key-three' }, { 'key?<=': 'fetch-key-two' }]],
    [{ 'name?': 'Beverly' }],
    [{ 'name??': 'Beverly' }],
    [{ '?': 'Beverly' }],
    [{ 'user_age?r': [] }],
    [{ 'user_age?r': [21] }],
    [{ 'user_age?r': [21, 'x'] }],
    [{ 'name?random': 'Beverly' }],
    [{ 'name?pfx': 12 }],
    [{ 'a..b': 1 }],
    [['not an object']],
  ])('rejects the invalid query %j with "Bad query"', async (query) => {
    await expect(db().fetch(query as never)).rejects.toThrow(/^Bad query$/);
  });
});

describe('query semantics at the edges', () => {
  const db = () => service().deta.Base('fetch-edge');
  const p = { key: 'p', n: null, list: [1, 2], big: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], obj: { a: 1 }, tags: ['a', 'b'], num: 5 };
  const q = { key: 'p2', num: 7 };
  beforeAll(async () => {
    await db().putMany([p, q]);
  });

  it.each<[string, unknown, unknown[]]>([
    ['a path through null matches nothing', { 'n.x': 1 }, []],
    ['null equals only null', { n: {} }, []],
    ['null equals null', { n: null }, [p]],
    ['a list never equals a string', { tags: 'ab' }, []],
    ['a list equals a list only when every member does', { list: [1, 3] }, []],
    ['a list never equals a longer one', { list: [1, 2, 3] }, []],
    ['a list equals the same list', { list: [1, 2] }, [p]],
    ['an object equals one with exactly its attributes', { obj: { a: 1, b: 2 } }, []],
    ['an object equals the same object', { obj: { a: 1 } }, [p]],
    ['a list index 0', { 'list.0': 1 }, [p]],
    ['a list index 1', { 'list.1': 2 }, [p]],
    ['a list index of two digits', { 'big.10': 10 }, [p]],
    ['a list index with a leading zero names no member', { 'list.01': 2 }, []],
    ['a list index in exponent notation names no member', { 'list.1e0': 2 }, []],
    ['a path below the key is not the key', { 'key.x': 'p' }, []],
    ['the key equals exactly, not as a prefix', { key: 'p' }, [p]],
    ['ne matches items without the attribute', { 'missing?ne': 1 }, [p, q]],
    ['lt excludes the operand', { 'num?lt': 5 }, []],
    ['lte includes the operand', { 'num?lte': 5 }, [p]],
    ['r excludes what is below its lower bound', { 'num?r': [6, 7] }, [q]],
    ['r includes both bounds', { 'num?r': [5, 7] }, [p, q]],
    ['contains matches only strings and lists', { 'num?contains': 5 }, []],
    ['key?r is a key range', { 'key?r': ['p2', 'p3'] }, [q]],
  ])('%s: fetch(%j)', async (_, query, items) => {
    expect(await db().fetch(query as never)).toEqual({ count: items.length, items });
  });

  it('keeps a lower key bound when scanning in descending order', async () => {
    expect(await db().fetch({ 'key?>=': 'p2' }, { desc: true })).toEqual({ count: 1, items: [q] });
    expect(await db().fetch({ 'key?>': 'p' }, { desc: true })).toEqual({ count: 1, items: [q] });
  });

  it('reads a null query as everything and a single object as a list of one', async () => {
    const query = (body: unknown) => service().request('POST', `/v1/${PROJECT_KEY.split('_')[0]}/fetch-edge/query`, { body: JSON.stringify(body) });
    expect(await query({ query: null })).toMatchObject({ status: 200, body: { paging: { size: 2 }, items: [p, q] } });
    expect(await query({ query: { key: 'p2' } })).toMatchObject({ status: 200, body: { paging: { size: 1 }, items: [q] } });
  });
});

describe('the 1 MB query window', () => {
  it('ends a page after about 1 MB of items examined, with a last to resume from, and finds the rest after it', async () => {
    const db = service().deta.Base('window');
    const blob = 'x'.repeat(390 * 1024);
    await db.putMany(['w1', 'w2', 'w3', 'w4'].map((key) => ({ key, blob, match: key === 'w4' })));
    const first = await db.fetch({ match: true });
    expect(first).toEqual({ count: 0, last: 'w3', items: [] });
    const rest = await db.fetch({ match: true }, { last: first.last });
    expect(rest.items.map((item) => item.key)).toEqual(['w4']);
    expect(rest.last).toBeUndefined();
  });
});

describe('TTL (__expires)', () => {
  it('stores __expires, hides expired items from get and fetch, and keeps live ones', async () => {
    const db = service().deta.Base('ttl');
    const now = Math.floor(Date.now() / 1000);
    expect(await db.put({ v: 'live' }, 'live', { expireIn: 3600 })).toEqual({ v: 'live', key: 'live', __expires: expect.closeTo(now + 3600, 0) });
    expect(await db.put({ v: 'dead' }, 'dead', { expireAt: now - 1 })).toEqual({ v: 'dead', key: 'dead', __expires: now - 1 });
    await db.putMany([
      { key: 'dead-2', __expires: now - 100 },
      { key: 'live-2', __expires: now + 100 },
    ]);
    expect(await db.get('live')).toMatchObject({ v: 'live' });
    expect(await db.get('dead')).toBeNull();
    expect((await db.fetch()).items.map((item) => item.key)).toEqual(['live', 'live-2']);
    await expect(db.update({ v: 'x' }, 'dead')).rejects.toThrow();
    await db.update({}, 'live', { expireAt: new Date((now - 5) * 1000) });
    expect(await db.get('live')).toBeNull();
  });
});

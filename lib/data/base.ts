/**
 * Deta Base semantics over any `BaseStore`: what each endpoint accepts, stores and answers, with the status codes
 * the SDKs check (207 put, 201 insert, 409 conflict, 200 update/get/delete/query, 404 for absent keys).
 * Expired items (`__expires <= now`) are invisible to every read, whenever the backend deletes them.
 */
import type { BaseRecord, BaseRef, BaseStore, Item, JsonValue } from './base-store';
import { badRequest, DataError } from './errors';
import { isJsonObject } from './json';
import { checkKey, describe, toWrite } from './items';
import { DEFAULT_QUERY_LIMIT, MAX_PUT_ITEMS, QUERY_SCAN_BYTES } from './limits';
import { matches, parseQuery } from './query';
import { applyUpdate, parseUpdate } from './update';

export interface JsonReply {
  readonly status: number;
  readonly body: JsonValue;
}

/** Attempts of an update's read-modify-write before giving up on a key that keeps changing under it. */
const UPDATE_ATTEMPTS = 20;
/** Records asked of the store per scan call while a query filters. */
const SCAN_BATCH = 1000;
/** Where a key read from `/items/{key}` is, for its errors. */
const KEY_IN_PATH = 'the key in the path';

export class BaseApi {
  constructor(
    private readonly store: BaseStore,
    /** Milliseconds since the epoch. */
    private readonly now: () => number,
  ) {}

  /** `PUT /items`: up to 25 items, all validated before any is stored. */
  async put(ref: BaseRef, body: unknown): Promise<JsonReply> {
    const items = isJsonObject(body) ? body.items : undefined;
    if (!Array.isArray(items)) {
      throw badRequest('Body must be {"items": [...]}', items === undefined ? lacking(body, 'items') : `items is ${describe(items)}`);
    }
    if (items.length === 0) throw badRequest('Items are empty', 'give at least one item');
    if (items.length > MAX_PUT_ITEMS) {
      throw badRequest('Too many items', `${items.length} items; at most ${MAX_PUT_ITEMS} can be put at a time`);
    }
    const writes = items.map((item, index) => toWrite(item, `items[${index}]`));
    const seen = new Map<string, number>();
    writes.forEach(({ item }, index) => {
      const earlier = seen.get(item.key);
      if (earlier !== undefined) {
        throw badRequest('Duplicate key', `items[${earlier}] and items[${index}] both have the key ${JSON.stringify(item.key)}`);
      }
      seen.set(item.key, index);
    });
    const { failed } = await this.store.putMany(ref, writes);
    const failedKeys = new Set(failed);
    const processed = writes.filter(({ item }) => !failedKeys.has(item.key)).map(({ item }) => item);
    const response: Record<string, JsonValue> = { processed: { items: processed } };
    if (failedKeys.size > 0) response.failed = { items: writes.filter(({ item }) => failedKeys.has(item.key)).map(({ item }) => item) };
    return { status: 207, body: response };
  }

  /** `POST /items`: create only; 409 when a live item has the key. */
  async insert(ref: BaseRef, body: unknown): Promise<JsonReply> {
    if (!isJsonObject(body) || !('item' in body)) throw badRequest('Body must be {"item": {...}}', lacking(body, 'item'));
    const write = toWrite(body.item, 'item');
    const created = await this.store.insert(ref, write, this.nowSeconds());
    if (!created) throw new DataError(409, 'Key already exists', `an item with the key ${JSON.stringify(write.item.key)} exists`);
    return { status: 201, body: write.item };
  }

  /** `GET /items/{key}`: 404 `{"key": ...}` for an absent or expired item, which the SDKs turn into null. */
  async get(ref: BaseRef, key: string): Promise<JsonReply> {
    checkKey(key, KEY_IN_PATH);
    const record = await this.store.get(ref, key);
    if (!this.isLive(record)) return { status: 404, body: { key, errors: ['Key not found'] } };
    return { status: 200, body: record.item };
  }

  /** `DELETE /items/{key}`: 200 whether or not the item existed. */
  async delete(ref: BaseRef, key: string): Promise<JsonReply> {
    checkKey(key, KEY_IN_PATH);
    await this.store.delete(ref, key);
    return { status: 200, body: { key } };
  }

  /** `PATCH /items/{key}`: a read-modify-write that only lands if nobody wrote the item in between. */
  async update(ref: BaseRef, key: string, body: unknown): Promise<JsonReply> {
    checkKey(key, KEY_IN_PATH);
    const update = parseUpdate(body);
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const record = await this.store.get(ref, key);
      if (!this.isLive(record)) throw new DataError(404, 'Key not found', `no item has the key ${JSON.stringify(key)}`);
      const write = toWrite(applyUpdate(record.item, update), 'the updated item');
      if (await this.store.replaceIfVersion(ref, write, record.version)) {
        return { status: 200, body: { key, ...update.echo } };
      }
    }
    throw new DataError(
      503,
      'Item is changing too often',
      `${UPDATE_ATTEMPTS} attempts to update ${JSON.stringify(key)} raced with other writes; retry`,
    );
  }

  /**
   * `POST /query`: matching items in key order from after `last`, at most `limit`. `paging.last` is present only
   * when more items may follow: exactly when another match exists, or when the page stopped at the 1 MB scan
   * window before reaching the end (Deta's documented behaviour, which can give an empty page with a `last`).
   */
  async query(ref: BaseRef, body: unknown): Promise<JsonReply> {
    if (body !== undefined && body !== null && !isJsonObject(body)) {
      throw badRequest('Body must be a JSON object', `the body is ${describe(body)}`);
    }
    const request = body ?? {};
    const limit = request.limit ?? DEFAULT_QUERY_LIMIT;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw badRequest('Limit must be at least 1', `limit is ${describe(limit)}`);
    }
    const last = request.last ?? '';
    if (typeof last !== 'string') throw badRequest('Last must be a key', `last is ${describe(last)}`);
    const sort = request.sort ?? '';
    if (sort !== '' && sort !== 'asc' && sort !== 'desc') throw badRequest('Sort must be "asc" or "desc"', `sort is ${describe(sort)}`);
    const query = parseQuery(request.query);
    // An OR with a clause of no conditions matches every item: it reads the base like no query at all.
    const filtered = query.clauses.every((conditions) => conditions.length > 0);
    const now = this.nowSeconds();

    const found: Item[] = [];
    let after = last === '' ? undefined : last;
    let scannedBytes = 0;
    for (;;) {
      const page = await this.store.scan(ref, {
        range: query.keyRange ?? {},
        descending: sort === 'desc',
        after,
        limit: filtered ? SCAN_BATCH : Math.min(limit + 1 - found.length, SCAN_BATCH),
      });
      for (const record of page.records) {
        after = record.item.key;
        if (this.isLive(record, now) && matches(record.item, query)) {
          found.push(record.item);
          if (found.length > limit) return pageOf(found.slice(0, limit), found[limit - 1]!.key);
        }
        // Deta's window: a page examines about 1 MB of items, which also bounds the response.
        scannedBytes += approximateSize(record);
        if (scannedBytes >= QUERY_SCAN_BYTES && !(page.done && record === page.records[page.records.length - 1])) {
          return pageOf(found, after);
        }
      }
      if (page.done) return pageOf(found, undefined);
    }
  }

  private nowSeconds(): number {
    return this.now() / 1000;
  }

  private isLive(record: BaseRecord | undefined, now = this.nowSeconds()): record is BaseRecord {
    return record !== undefined && (record.expires === undefined || record.expires > now);
  }
}

/** Why a body is not the `{"<field>": ...}` object an endpoint takes (an empty body reads as undefined). */
function lacking(body: unknown, field: string): string {
  if (body === undefined) return 'the body is empty';
  return isJsonObject(body) ? `the body has no "${field}"` : `the body is ${describe(body)}`;
}

function pageOf(items: Item[], last: string | undefined): JsonReply {
  return { status: 200, body: { paging: last === undefined ? { size: items.length } : { size: items.length, last }, items } };
}

/** Measured sizes by item object: a backend that keeps items in memory hands out the same objects every scan. */
const sizes = new WeakMap<Item, number>();

/** Characters a record counts against the scan window: its JSON length, as a stored record is measured. */
function approximateSize(record: BaseRecord): number {
  return sizes.get(record.item) ?? measure(record.item);
}

function measure(item: Item): number {
  const size = JSON.stringify(item).length;
  sizes.set(item, size);
  return size;
}

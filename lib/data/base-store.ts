/**
 * What a Deta Base backend must store, and nothing more. The semantics of the wire format (validation, the query
 * language, update operations, paging, TTL, errors) live once in `lib/data/base.ts` above this interface; a backend
 * only keeps records in key order inside a namespace and offers the few atomic operations those semantics need.
 *
 * Backends: the local journal store (`lib/local/data/`) and DynamoDB in the cloud (one table, partition key
 * `<projectId>/<baseName>`, sort key the item key; the expiry attribute as the table's TTL attribute).
 */

/** One base of one project: `/v1/{projectId}/{base}`. Bases exist as soon as a record is written to them. */
export interface BaseRef {
  readonly projectId: string;
  readonly base: string;
}

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [name: string]: JsonValue };

/** A Base item as the SDKs see it: a JSON object whose `key` is a non-empty string. */
export interface Item {
  key: string;
  [name: string]: JsonValue;
}

/** A stored item, as a backend returns it. */
export interface BaseRecord {
  readonly item: Item;
  /**
   * The item's `__expires` (Unix seconds) when it is a number, copied out so a backend can index it (DynamoDB
   * TTL) and delete expired records on its own schedule. Backends MAY drop a record once `expires <= now`; the
   * semantics hide it from every read either way.
   */
  readonly expires?: number;
  /**
   * Opaque write version, changed by every write of this key. Only compared by `replaceIfVersion`: the update
   * operation reads a record, applies set/increment/append/prepend/delete and writes it back only if nobody wrote
   * in between.
   */
  readonly version: string;
}

/** A record to write: the backend assigns the version. */
export interface BaseWrite {
  readonly item: Item;
  readonly expires?: number;
}

/**
 * Bounds of an ordered key scan, all optional. Keys compare by Unicode code points (= UTF-8 bytes, as DynamoDB
 * and S3 order them): use `compareKeys`.
 */
export interface KeyRange {
  /** Keys starting with this string. */
  readonly prefix?: string;
  /** Keys `>= from` (or `> from` with `fromExclusive`). */
  readonly from?: string;
  readonly fromExclusive?: boolean;
  /** Keys `<= to` (or `< to` with `toExclusive`). */
  readonly to?: string;
  readonly toExclusive?: boolean;
}

export interface ScanRequest {
  readonly range: KeyRange;
  /** Newest-first: descending key order. @default false */
  readonly descending?: boolean;
  /**
   * Resume after this key (exclusive, in the scan's direction): the key of the last record of the previous page.
   */
  readonly after?: string;
  /** Return at most this many records (>= 1). A backend may return fewer (a 1 MB DynamoDB page) and `done: false`. */
  readonly limit: number;
}

export interface ScanPage {
  /** Records in scan order, expired ones included (the semantics filter them). */
  readonly records: readonly BaseRecord[];
  /** True when no record after the last one returned lies in the range. */
  readonly done: boolean;
}

export interface BaseStore {
  /** The record with this key, or undefined. Expired records may be returned. */
  get(ref: BaseRef, key: string): Promise<BaseRecord | undefined>;

  /**
   * Upsert every record (keys are distinct, at most 25, validated above). Each acknowledged record must be durable
   * when the promise resolves. Returns the keys a backend could not write for internal reasons (after its own
   * retries); those are reported as `failed` and the rest as `processed`.
   */
  putMany(ref: BaseRef, records: readonly BaseWrite[]): Promise<{ readonly failed: readonly string[] }>;

  /**
   * Write the record only if its key is absent or holds a record with `expires <= now` (an expired item is gone
   * for the SDKs). Resolves false, writing nothing, when a live record exists.
   */
  insert(ref: BaseRef, record: BaseWrite, now: number): Promise<boolean>;

  /**
   * Overwrite the record of `record.item.key` only if its current version is `version`. Resolves false, writing
   * nothing, when the record is gone or was written since it was read (the semantics re-read and retry).
   */
  replaceIfVersion(ref: BaseRef, record: BaseWrite, version: string): Promise<boolean>;

  /** Delete the record if present; deleting an absent key is not an error. */
  delete(ref: BaseRef, key: string): Promise<void>;

  /** One page of records in key order within `range`. */
  scan(ref: BaseRef, request: ScanRequest): Promise<ScanPage>;
}

/**
 * Key order shared by every backend: by Unicode code point, which is UTF-8 byte order (DynamoDB's order for
 * string sort keys and S3's for object keys). JavaScript's `<` compares UTF-16 code units and disagrees for
 * characters above U+FFFF against U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800..0xDFFF) encodes a code point above 0xFFFF: it sorts after every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Whether `key` lies in `range`. */
export function inKeyRange(key: string, range: KeyRange): boolean {
  if (range.prefix !== undefined && !key.startsWith(range.prefix)) return false;
  if (range.from !== undefined) {
    const c = compareKeys(key, range.from);
    if (c < 0 || (c === 0 && range.fromExclusive)) return false;
  }
  if (range.to !== undefined) {
    const c = compareKeys(key, range.to);
    if (c > 0 || (c === 0 && range.toExclusive)) return false;
  }
  return true;
}

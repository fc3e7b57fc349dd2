/** Strings kept in `compareKeys` order (DynamoDB's and S3's), for the local stores' ordered scans. */
import { compareKeys, type KeyRange, inKeyRange } from '../../data/base-store';

/** Sorts after any string that starts with a given prefix, for finding the end of a prefix's keys. */
const AFTER_EVERYTHING = '\u{10FFFF}';

export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Adds `key` (once). */
  add(key: string): void {
    const index = this.lowerBound(key);
    if (this.keys[index] !== key) this.keys.splice(index, 0, key);
  }

  remove(key: string): void {
    const index = this.lowerBound(key);
    if (this.keys[index] === key) this.keys.splice(index, 1);
  }

  /**
   * Up to `limit` keys inside `range`, after `after` (exclusive) in the scan direction, and whether the range
   * holds no more.
   */
  scan(range: KeyRange, descending: boolean, after: string | undefined, limit: number): { keys: string[]; done: boolean } {
    const keys: string[] = [];
    if (!descending) {
      let index = 0;
      if (range.from !== undefined) index = range.fromExclusive ? this.upperBound(range.from) : this.lowerBound(range.from);
      if (range.prefix !== undefined) index = Math.max(index, this.lowerBound(range.prefix));
      if (after !== undefined) index = Math.max(index, this.upperBound(after));
      for (; index < this.keys.length && inKeyRange(this.keys[index]!, range); index++) {
        if (keys.length === limit) return { keys, done: false };
        keys.push(this.keys[index]!);
      }
      return { keys, done: true };
    }
    let index = this.keys.length - 1;
    if (range.to !== undefined) index = (range.toExclusive ? this.lowerBound(range.to) : this.upperBound(range.to)) - 1;
    if (range.prefix !== undefined) index = Math.min(index, this.lowerBound(range.prefix + AFTER_EVERYTHING) - 1);
    if (after !== undefined) index = Math.min(index, this.lowerBound(after) - 1);
    for (; index >= 0 && inKeyRange(this.keys[index]!, range); index--) {
      if (keys.length === limit) return { keys, done: false };
      keys.push(this.keys[index]!);
    }
    return { keys, done: true };
  }

  /** First index whose key is >= `key`. */
  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(this.keys[middle]!, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** First index whose key is > `key`. */
  private upperBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(this.keys[middle]!, key) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Values by key with the keys kept in order: a namespace of a local store. */
export class OrderedMap<V> {
  private readonly order = new SortedKeys();
  private readonly byKey = new Map<string, V>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): V | undefined {
    return this.byKey.get(key);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  set(key: string, value: V): void {
    if (!this.byKey.has(key)) this.order.add(key);
    this.byKey.set(key, value);
  }

  delete(key: string): void {
    if (this.byKey.delete(key)) this.order.remove(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.byKey.entries();
  }

  /** Up to `limit` values in key order inside `range` after `after` (`SortedKeys.scan`). */
  scan(range: KeyRange, descending: boolean, after: string | undefined, limit: number): { keys: string[]; values: V[]; done: boolean } {
    const { keys, done } = this.order.scan(range, descending, after, limit);
    return { keys, values: keys.map((key) => this.byKey.get(key)!), done };
  }
}

/**
 * What makes a JSON object a storable Base item, checked the same way for put, insert and the result of an
 * update: a string key (generated when absent), attribute names that are not empty, numbers that survive the
 * round trip, a numeric `__expires`, and the size and nesting limits.
 */
import { randomBytes } from 'node:crypto';
import type { BaseWrite, Item, JsonValue } from './base-store';
import { badRequest } from './errors';
import { isJsonObject } from './json';
import { GENERATED_KEY_LENGTH, MAX_ITEM_BYTES, MAX_ITEM_DEPTH, MAX_KEY_BYTES } from './limits';

/** The attribute holding an item's expiry, in Unix seconds. */
export const TTL_ATTRIBUTE = '__expires';

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random 12-character key of lower-case letters and digits (256 % 36 bias is negligible at 62 bits). */
export function generateKey(): string {
  return Array.from(randomBytes(GENERATED_KEY_LENGTH), (byte) => KEY_ALPHABET[byte % KEY_ALPHABET.length]).join('');
}

/** A key taken from a URL path or a request: a non-empty string within the key size. */
export function checkKey(key: string, where: string): string {
  if (key.trim() === '') throw badRequest('Key is empty', where);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw badRequest('Key too long', `${where} is ${Buffer.byteLength(key)} bytes, at most ${MAX_KEY_BYTES} are allowed`);
  }
  return key;
}

/** `value` as an item to write (a new object when a key is generated), or a 400 naming `where` and the problem. */
export function toWrite(value: unknown, where: string): BaseWrite {
  if (!isJsonObject(value)) throw badRequest('Item must be a JSON object', `${where} is ${describe(value)}`);
  const rawKey = value.key;
  let item: Item;
  if (rawKey === undefined || rawKey === null || rawKey === '') {
    item = { ...value, key: generateKey() };
  } else if (typeof rawKey !== 'string') {
    throw badRequest('Key must be a string', `${where}.key is ${describe(rawKey)}`);
  } else {
    checkKey(rawKey, `${where}.key`);
    item = value as Item;
  }
  checkValue(item, where, 0);
  const expires = item[TTL_ATTRIBUTE];
  if (expires !== undefined && expires !== null && typeof expires !== 'number') {
    throw badRequest(`${TTL_ATTRIBUTE} must be a number`, `${where}.${TTL_ATTRIBUTE} is ${describe(expires)}; give Unix seconds`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(item));
  if (bytes > MAX_ITEM_BYTES) {
    throw badRequest('Item too large', `${where} is ${bytes} bytes as JSON, at most ${MAX_ITEM_BYTES} are allowed`);
  }
  return typeof expires === 'number' ? { item, expires } : { item };
}

function checkValue(value: JsonValue, where: string, depth: number): void {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw badRequest('Number too large', `${where} is ${value}: integers beyond 16 digits lose precision; store it as a string`);
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_ITEM_DEPTH) throw badRequest('Item nested too deeply', `${where}: at most ${MAX_ITEM_DEPTH} levels`);
  if (Array.isArray(value)) {
    value.forEach((member, index) => checkValue(member, `${where}[${index}]`, depth + 1));
    return;
  }
  for (const [name, member] of Object.entries(value)) {
    if (name === '') throw badRequest('Empty attribute names are not allowed', `${where} has an attribute named ""`);
    checkValue(member, `${where}.${name}`, depth + 1);
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

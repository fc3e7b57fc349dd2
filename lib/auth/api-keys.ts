/**
 * API keys: named, shown once, stored only as a SHA-256 hash.
 *
 * SHA-256 rather than bcrypt/scrypt: a key is 256 random bits, so there is no dictionary to slow down and a fast
 * hash is exactly as hard to reverse; a slow hash would add tens of milliseconds to every keyed request in the
 * authorizer and would prevent looking a key up by its hash (one DynamoDB GetItem, one Map lookup locally).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyGrant } from './rules';

/** What a store keeps about a key: never the key itself. */
export interface ApiKeyRecord extends ApiKeyGrant {
  /** Hex SHA-256 of the key. */
  readonly hash: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** Where an app's keys live: a file next to the Spacefile locally, a DynamoDB table in the cloud. */
export interface ApiKeyStore {
  /** Stores a new key and returns it: the only time the key itself is ever seen. */
  create(name: string, micro: string | undefined, now: Date): Promise<{ key: string; record: ApiKeyRecord }>;
  list(): Promise<ApiKeyRecord[]>;
  /** False when no key has that name. */
  delete(name: string): Promise<boolean>;
  find(key: string): Promise<ApiKeyRecord | undefined>;
}

const KEY_PREFIX = 'spk_';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Throws a message naming the problem when `name` cannot name a key. */
export function checkKeyName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new Error(`'${name}' is not a valid key name: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit`);
  }
}

/** A new key and its record, after checking the name; stores call this so every store makes keys alike. */
export function newApiKey(name: string, micro: string | undefined, now: Date): { key: string; record: ApiKeyRecord } {
  checkKeyName(name);
  const key = generateApiKey();
  const record: ApiKeyRecord = { name, ...(micro === undefined ? {} : { micro }), hash: hashApiKey(key), createdAt: now.toISOString() };
  return { key, record };
}

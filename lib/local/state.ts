/**
 * Local auth state in `.spaceport/` next to the Spacefile: the owner secret and the app's internal key (both
 * generated on first run) and the API keys file, which the dev router re-reads whenever it changes, so
 * `spaceport keys` needs no restart.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ApiKeyRecord, type ApiKeyStore, hashApiKey, newApiKey } from '../auth/api-keys';
import { generateInternalKey, MIN_INTERNAL_KEY_LENGTH } from '../auth/internal-key';
import { generateOwnerSecret } from '../auth/session';
import { STATE_DIR_NAME } from '../core/state-dir';

export const OWNER_SECRET_FILE = 'owner-secret';
export const INTERNAL_KEY_FILE = 'internal-key';
export const API_KEYS_FILE = 'api-keys.json';

export function stateDirFor(rootDir: string): string {
  return join(rootDir, STATE_DIR_NAME);
}

/** Creates the state directory, private to the user, with a `.gitignore` so its secrets are never committed. */
export function ensureStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(join(stateDir, '.gitignore'), '*\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** The local owner secret; `created` is true only on the run that generated it (the one time it is printed). */
export function ensureOwnerSecret(stateDir: string): { secret: string; created: boolean } {
  return ensureSecretFile(join(stateDir, OWNER_SECRET_FILE), generateOwnerSecret, 16, 'an owner secret');
}

/** The app's internal key (`DETA_API_KEY`), the same on every run so micros and the router always agree. */
export function ensureInternalKey(stateDir: string): string {
  return ensureSecretFile(join(stateDir, INTERNAL_KEY_FILE), generateInternalKey, MIN_INTERNAL_KEY_LENGTH, "the app's internal key").secret;
}

/** Creates `file` (mode 600) with a generated secret unless it exists (`wx`: two runs racing keep one), then reads it. */
function ensureSecretFile(file: string, generate: () => string, minLength: number, holds: string): { secret: string; created: boolean } {
  ensureStateDir(dirname(file));
  const secret = generate();
  try {
    writeFileSync(file, secret + '\n', { flag: 'wx', mode: 0o600 });
    return { secret, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = readFileSync(file, 'utf8').trim();
  if (existing.length < minLength) throw new Error(`${file} does not hold ${holds}: delete it to generate a new one`);
  return { secret: existing, created: false };
}

/**
 * `.spaceport/owner-secret` as it is now: re-read when the file changes (its inode, size or mtime), so writing a
 * new secret into it rotates it without a restart; a deleted file is generated again (`ensureOwnerSecret`).
 */
export class OwnerSecretFile {
  readonly file: string;
  private cached?: { readonly version: string; readonly secret: string };

  constructor(readonly stateDir: string) {
    this.file = join(stateDir, OWNER_SECRET_FILE);
  }

  read(): string {
    const version = fileVersion(this.file);
    if (this.cached?.version !== version) {
      const { secret } = ensureOwnerSecret(this.stateDir);
      this.cached = { version: fileVersion(this.file), secret };
    }
    return this.cached.secret;
  }
}

/** What changes when a file is replaced or written: its inode, size and mtime (`missing` when it is not there). */
function fileVersion(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return 'missing';
  }
}

interface KeysFile {
  readonly keys: readonly ApiKeyRecord[];
}

/** API keys in `.spaceport/api-keys.json`, cached in memory until the file changes. */
export class LocalApiKeyStore implements ApiKeyStore {
  readonly file: string;
  private cached?: { readonly version: string; readonly byHash: ReadonlyMap<string, ApiKeyRecord> };

  constructor(readonly stateDir: string) {
    this.file = join(stateDir, API_KEYS_FILE);
  }

  async create(name: string, micro: string | undefined, now: Date): Promise<{ key: string; record: ApiKeyRecord }> {
    const records = this.read();
    if (records.some((record) => record.name === name)) throw new Error(`a key named '${name}' already exists`);
    const created = newApiKey(name, micro, now);
    this.write([...records, created.record]);
    return created;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.read();
  }

  async delete(name: string): Promise<boolean> {
    const records = this.read();
    const kept = records.filter((record) => record.name !== name);
    if (kept.length === records.length) return false;
    this.write(kept);
    return true;
  }

  async find(key: string): Promise<ApiKeyRecord | undefined> {
    return this.byHash().get(hashApiKey(key));
  }

  /** The index by hash, rebuilt only when the file's inode, size or mtime changed (writes replace the file). */
  private byHash(): ReadonlyMap<string, ApiKeyRecord> {
    const version = fileVersion(this.file);
    if (this.cached?.version !== version) {
      this.cached = { version, byHash: new Map(this.read().map((record) => [record.hash, record])) };
    }
    return this.cached.byHash;
  }

  private read(): ApiKeyRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let parsed: KeysFile;
    try {
      parsed = JSON.parse(text) as KeysFile;
    } catch {
      throw new Error(`${this.file} is not valid JSON: fix it or delete it (every key in it stops working)`);
    }
    const valid =
      Array.isArray(parsed?.keys) &&
      parsed.keys.every((r) => typeof r?.name === 'string' && typeof r.hash === 'string' && (r.micro === undefined || typeof r.micro === 'string'));
    if (!valid) throw new Error(`${this.file} must be {"keys": [{"name", "hash", "micro"?, "createdAt"}]}`);
    return [...parsed.keys];
  }

  /** Write-then-rename, so the dev router never reads a half-written file. */
  private write(records: readonly ApiKeyRecord[]): void {
    ensureStateDir(this.stateDir);
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ keys: records } satisfies KeysFile, null, 2) + '\n', { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

/**
 * The local `DETA_PROJECT_KEY`: a `<projectId>_<secret>` data key generated once per app and kept in
 * `.spaceport/` next to the Spacefile, so data an app keys by project id survives restarts of `spaceport dev`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors';
import { ensureStateDir, stateDirFor } from './state';

const KEY_FILE = 'project-key';
const KEY_FORMAT = /^[a-z0-9]+_[A-Za-z0-9]+$/;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomText(length: number, alphabet: string): string {
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** The app's local project key, created on first use. */
export function loadOrCreateProjectKey(rootDir: string): string {
  const dir = stateDirFor(rootDir);
  const file = join(dir, KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (!KEY_FORMAT.test(key)) {
      throw new UsageError(`${file}: not a project key (<projectId>_<secret>); delete it to get a new one`);
    }
    return key;
  }
  // Deta project ids are 8 lower-case alphanumerics and secrets 32 letters and digits.
  const key = `${randomText(8, ALPHABET.slice(0, 36))}_${randomText(32, ALPHABET)}`;
  ensureStateDir(dir);
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

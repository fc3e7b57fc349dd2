/**
 * The local `DETA_PROJECT_KEY`: a `<projectId>_<secret>` data key generated once per app and kept in
 * `.spaceport/` next to the Spacefile, so data an app keys by project id survives restarts of `spaceport dev`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors';
import { generateProjectKey, PROJECT_KEY_FORMAT } from '../core/project-key';
import { ensureStateDir, stateDirFor } from './state';

const KEY_FILE = 'project-key';

/** The app's local project key, created on first use. */
export function loadOrCreateProjectKey(rootDir: string): string {
  const dir = stateDirFor(rootDir);
  const file = join(dir, KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (!PROJECT_KEY_FORMAT.test(key)) {
      throw new UsageError(`${file}: not a project key (<projectId>_<secret>); delete it to get a new one`);
    }
    return key;
  }
  const key = generateProjectKey();
  ensureStateDir(dir);
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

/** Looking a command up the way a shell would, in a given PATH (which may not be this process's own). */
import fs from 'node:fs';
import path from 'node:path';

/** The first executable file named `name` in the `:`-separated `searchPath`, or undefined. */
export function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(':')) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

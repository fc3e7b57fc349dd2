import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import { STATE_DIR_NAME } from '../core/state-dir';
import type { Micro } from '../spacefile/model';
import { PackagingError } from './steps';
import { isWithin, realTarget } from '../core/tree-links';

/** What `space push` never uploaded unless `.spaceignore` re-included it (gitignore syntax). */
export const DEFAULT_SPACEIGNORE: readonly string[] = ['node_modules', '.venv', 'build', 'dist', '.git', '.env*'];

export const SPACEIGNORE_FILE = '.spaceignore';

/** Never packaged, whatever `.spaceignore` says: `spaceport dev`'s local state (owner secret, internal key, API keys). */
const NEVER_PACKAGED = ignore().add(`${STATE_DIR_NAME}/`);

/**
 * The micro's source files as Deta's builder received them: everything under `srcDir` except what the default
 * ignores and `.spaceignore` exclude. A default ignore never drops the micro's `serve` directory or an `include`
 * entry (`serve: dist` of a prebuilt site must survive); `.spaceignore` rules always apply; `.spaceport/` never
 * goes. A symlink is packaged as what it leads to when that is inside `srcDir` (a link back to a directory above it, a loop, is not followed), skipped
 * when it leads nowhere, and refused when it leads out of `srcDir` (Space's builder only saw the app).
 * Returns sorted, `/`-separated paths relative to `srcDir`.
 */
export function selectSourceFiles(micro: Micro): string[] {
  const kept = [micro.serve, ...(micro.include ?? [])].filter((path): path is string => !!path).map(normaliseEntry);
  const defaults = DEFAULT_SPACEIGNORE.filter((pattern) => {
    const single = ignore().add(pattern);
    return !kept.some((path) => path !== '' && single.ignores(path));
  });
  const rules = ignore().add([...defaults]);
  const spaceignore = join(micro.srcDir, SPACEIGNORE_FILE);
  if (existsSync(spaceignore)) rules.add(readFileSync(spaceignore, 'utf8'));

  const realSrc = realpathSync(micro.srcDir);
  const files: string[] = [];
  /** `ancestors`: the real directories above, so a link back to one of them (a loop) is not followed. */
  const walk = (relativeDir: string, realDir: string, ancestors: ReadonlySet<string>): void => {
    for (const entry of readdirSync(join(micro.srcDir, relativeDir), { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      let real: string | undefined = join(realDir, entry.name);
      if (entry.isSymbolicLink()) {
        real = realTarget(join(micro.srcDir, path));
        if (real === undefined) continue;
        if (!isWithin(realSrc, real)) {
          throw new PackagingError(
            micro,
            `'${path}' is a symlink to ${real}, outside the micro's src: copy what it needs into ${micro.src}, or delete the link`,
          );
        }
      }
      const isDirectory = statSync(real).isDirectory();
      const asIgnored = isDirectory ? `${path}/` : path;
      if (NEVER_PACKAGED.ignores(asIgnored) || rules.ignores(asIgnored)) continue;
      if (!isDirectory) files.push(path);
      else if (!ancestors.has(real)) walk(path, real, new Set([...ancestors, real]));
    }
  };
  walk('', realSrc, new Set([realSrc]));
  return files.sort();
}

/** A `serve` or `include` entry as a path relative to the micro: `./dist/` -> `dist`, `.` -> `` (the whole micro). */
export function normaliseEntry(path: string): string {
  return path.replace(/^\.\/?/, '').replace(/\/+$/, '');
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import type { Micro } from '../spacefile/model';

/** What `space push` never uploaded unless `.spaceignore` re-included it (gitignore syntax). */
export const DEFAULT_SPACEIGNORE: readonly string[] = ['node_modules', '.venv', 'build', 'dist', '.git', '.env*'];

export const SPACEIGNORE_FILE = '.spaceignore';

/**
 * The micro's source files as Deta's builder received them: everything under `srcDir` except what the default
 * ignores and `.spaceignore` exclude. A default ignore never drops the micro's `serve` directory or an `include`
 * entry (`serve: dist` of a prebuilt site must survive); `.spaceignore` rules always apply.
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

  const files: string[] = [];
  const walk = (relativeDir: string): void => {
    for (const entry of readdirSync(join(micro.srcDir, relativeDir), { withFileTypes: true })) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(micro.srcDir, relative)).isDirectory());
      if (rules.ignores(isDirectory ? `${relative}/` : relative)) continue;
      if (isDirectory) walk(relative);
      else files.push(relative);
    }
  };
  walk('');
  return files.sort();
}

/** A `serve` or `include` entry as a path relative to the micro: `./dist/` -> `dist`, `.` -> `` (the whole micro). */
export function normaliseEntry(path: string): string {
  return path.replace(/^\.\/?/, '').replace(/\/+$/, '');
}

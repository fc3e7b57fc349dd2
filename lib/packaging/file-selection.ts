import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ignore from 'ignore';
import type { Micro } from '../spacefile/model';

/**
 * What `space push` never uploaded unless `.spaceignore` re-included it (gitignore syntax). Virtualenvs under every
 * name Space's Python quick-start says the CLI ignores (`.venv`, `venv`; `.env` falls under `.env*`), and
 * `virtualenv`: their interpreters and scripts belong to this machine, never to Lambda.
 */
export const DEFAULT_SPACEIGNORE: readonly string[] = ['node_modules', '.venv', 'venv', 'virtualenv', 'build', 'dist', '.git', '.env*'];

export const SPACEIGNORE_FILE = '.spaceignore';

/**
 * The micro's source files as Deta's builder received them: everything under `srcDir` except what the default
 * ignores and `.spaceignore` exclude. A default ignore never drops the micro's `serve` directory or an `include`
 * entry (`serve: dist` of a prebuilt site must survive); `.spaceignore` rules always apply.
 * Never a cloud assembly: `assemblyDir` (the one being written) or a finished one.
 * Returns sorted, `/`-separated paths relative to `srcDir`.
 */
export function selectSourceFiles(micro: Micro, assemblyDir?: string): string[] {
  const assembly = assemblyDir === undefined ? undefined : resolve(assemblyDir);
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
      if (isDirectory && isCloudAssembly(join(micro.srcDir, relative), assembly)) continue;
      if (isDirectory) walk(relative);
      else files.push(relative);
    }
  };
  walk('');
  return files.sort();
}

/**
 * A CDK cloud assembly (`cdk.out`, or any `-o` directory: the CDK marks each with a `cdk.out` file), never app
 * source: packaging one would copy the previous synth into the next, growing the asset and changing its hash.
 */
function isCloudAssembly(dir: string, current: string | undefined): boolean {
  return resolve(dir) === current || (existsSync(join(dir, 'cdk.out')) && existsSync(join(dir, 'manifest.json')));
}

/** A `serve` or `include` entry as a path relative to the micro: `./dist/` -> `dist`, `.` -> `` (the whole micro). */
export function normaliseEntry(path: string): string {
  return path.replace(/^\.\/?/, '').replace(/\/+$/, '');
}

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ignore from 'ignore';
import { STATE_DIR_NAME } from '../core/state-dir';
import type { Micro } from '../spacefile/model';
import { PackagingError } from './steps';
import { isWithin, realTarget } from '../core/tree-links';

/**
 * What `space push` never uploaded unless `.spaceignore` re-included it (gitignore syntax). Virtualenvs under every
 * name Space's Python quick-start says the CLI ignores (`.venv`, `venv`; `.env` falls under `.env*`), and
 * `virtualenv`: their interpreters and scripts belong to this machine, never to Lambda.
 */
export const DEFAULT_SPACEIGNORE: readonly string[] = ['node_modules', '.venv', 'venv', 'virtualenv', 'build', 'dist', '.git', '.env*'];

export const SPACEIGNORE_FILE = '.spaceignore';

/** Never packaged, whatever `.spaceignore` says: `spaceport dev`'s local state (owner secret, internal key, API keys). */
const NEVER_PACKAGED = ignore().add(`${STATE_DIR_NAME}/`);

/**
 * The micro's source files as Deta's builder received them: everything under `srcDir` except what the default
 * ignores and `.spaceignore` exclude. A default ignore never drops the micro's `serve` directory or an `include`
 * entry (`serve: dist` of a prebuilt site must survive); `.spaceignore` rules always apply; `.spaceport/` never
 * goes, nor a cloud assembly (`assemblyDir`, the one being written, or a finished one). A symlink is packaged as
 * what it leads to when that is inside `srcDir` (a link back to a directory above it, a loop, is not followed),
 * skipped when it leads nowhere, and refused when it leads out of `srcDir` (Space's builder only saw the app).
 * Returns sorted, `/`-separated paths relative to `srcDir`.
 */
export function selectSourceFiles(micro: Micro, assemblyDir?: string): string[] {
  const assembly = assemblyDir === undefined ? undefined : resolve(assemblyDir);
  // Stryker disable next-line ArrayDeclaration: equivalent, an extra kept entry that matches no default ignore changes nothing
  // Normalised by the Spacefile reader; `.` (the whole micro) is no path a rule matches.
  const kept = [micro.serve, ...(micro.include ?? [])].filter((path): path is string => path !== undefined && path !== '.');
  const defaults = DEFAULT_SPACEIGNORE.filter((pattern) => {
    const single = ignore().add(pattern);
    return !kept.some((path) => single.ignores(path));
  });
  const rules = ignore().add([...defaults]);
  const spaceignore = join(micro.srcDir, SPACEIGNORE_FILE);
  if (existsSync(spaceignore)) rules.add(readFileSync(spaceignore, 'utf8'));

  const isIgnored = (path: string): boolean => NEVER_PACKAGED.ignores(path) || rules.ignores(path);
  const realSrc = realpathSync(micro.srcDir);
  const files: string[] = [];
  /** `ancestors`: the real directories above, so a link back to one of them (a loop) is not followed. */
  const walk = (relativeDir: string, realDir: string, ancestors: ReadonlySet<string>): void => {
    for (const entry of readdirSync(join(micro.srcDir, relativeDir), { withFileTypes: true })) {
      const path = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      let real: string | undefined = join(realDir, entry.name);
      // Stryker disable next-line ConditionalExpression: equivalent, the real path of an entry under a real directory is itself
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
      // A link is judged by its own path and by what it leads to: `cfg -> .spaceport` packages no secrets.
      const readings = entry.isSymbolicLink() && real !== realSrc ? [path, relative(realSrc, real)] : [path];
      if (readings.some((reading) => isIgnored(isDirectory ? `${reading}/` : reading))) continue;
      if (!isDirectory) files.push(path);
      else if (!isCloudAssembly(join(micro.srcDir, path), assembly) && !ancestors.has(real)) walk(path, real, new Set([...ancestors, real]));
    }
  };
  walk('', realSrc, new Set([realSrc]));
  return files.sort();
}

/**
 * A CDK cloud assembly (`cdk.out`, or any `-o` directory: the CDK marks each with a `cdk.out` file), never app
 * source: packaging one would copy the previous synth into the next, growing the asset and changing its hash.
 */
function isCloudAssembly(dir: string, current: string | undefined): boolean {
  return resolve(dir) === current || (existsSync(join(dir, 'cdk.out')) && existsSync(join(dir, 'manifest.json')));
}

/**
 * Whether Node can load a packaged micro's entry file the way its package says: a CommonJS file under a
 * `"type": "module"` package.json (or ES module syntax under `"type": "commonjs"`) crashes at start, on the first
 * request, with "module is not defined in ES module scope". Packaging says so at synth instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';
import type { Micro } from '../spacefile/model';
import { nodeEntry } from './node-bundle';
import { PackagingError } from './steps';

export type ModuleSyntax = 'esm' | 'cjs';

/** What the package.json nearest to `file`, up to `root`, declares as `"type"`, and where it is. */
function declaredModuleType(root: string, file: string): { readonly type?: string; readonly packageJson?: string } {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const packageJson = join(dir, 'package.json');
    if (existsSync(packageJson)) {
      try {
        const type = (JSON.parse(readFileSync(packageJson, 'utf8')) as { type?: unknown }).type;
        return { type: typeof type === 'string' ? type : undefined, packageJson };
      } catch {
        return { packageJson }; // Node refuses a broken package.json too; not this check's business.
      }
    }
    if (dir === root || relative(root, dir).startsWith('..') || dirname(dir) === dir) return {};
  }
}

/** How Node loads `file`: by extension, else by the nearest package.json's `"type"` (undefined: by its syntax). */
export function loadedAs(root: string, file: string): ModuleSyntax | undefined {
  if (file.endsWith('.mjs')) return 'esm';
  if (file.endsWith('.cjs')) return 'cjs';
  const { type } = declaredModuleType(root, file);
  return type === 'module' ? 'esm' : type === 'commonjs' ? 'cjs' : undefined;
}

/** The module syntax `file` is written in (esbuild's reading of it alone), or undefined when it shows neither. */
function syntaxOf(file: string): ModuleSyntax | undefined {
  try {
    const { metafile } = buildSync({
      // From stdin: esbuild would otherwise take the nearest package.json's "type" as the file's syntax.
      stdin: { contents: readFileSync(file), loader: 'js' },
      bundle: true,
      external: ['*'],
      platform: 'node',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const input = Object.values(metafile.inputs)[0];
    if (input?.format === 'esm' || input?.format === 'cjs') return input.format;
    // esbuild calls a file CommonJS only when it uses `module` or `exports`; a free `require()` (every CommonJS
    // bundle has one) is just as undefined in an ES module.
    return input?.imports.some((i) => i.kind === 'require-call' || i.kind === 'require-resolve') ? 'cjs' : undefined;
  } catch {
    return undefined; // Unparseable here: Node will say why at start.
  }
}

const NAMES: Record<ModuleSyntax, string> = { esm: 'an ES module', cjs: 'CommonJS' };

/**
 * For a micro started by `node <file>`: throws a `PackagingError` when the packaged output has no such file, or
 * when Node would load it as the other module kind than it is written in.
 */
export function checkNodeEntryStarts(micro: Micro, outputDir: string): void {
  const entry = nodeEntry(micro.run);
  if (micro.kind !== 'node' || entry === undefined) return;
  const file = join(outputDir, entry);
  if (!existsSync(file)) {
    const where = micro.include ? `its include (${micro.include.join(', ')})` : 'its source and commands';
    throw new PackagingError(micro, `runs '${micro.run}', but ${where} put no ${entry} in the package, so it cannot start`);
  }
  const loaded = loadedAs(outputDir, file);
  const written = loaded && syntaxOf(file);
  if (!loaded || !written || loaded === written) return;
  const { packageJson } = declaredModuleType(outputDir, file);
  const because = packageJson
    ? `${relative(outputDir, packageJson)} in the package says "type": "${loaded === 'esm' ? 'module' : 'commonjs'}"`
    : `its extension says so`;
  const crash = written === 'cjs' ? 'module is not defined in ES module scope' : 'Cannot use import statement outside a module';
  const fix =
    written === 'cjs'
      ? `build ${entry} as an ES module, name it .cjs, or leave package.json out of 'include'`
      : `build ${entry} as CommonJS, name it .mjs, or leave package.json out of 'include'`;
  throw new PackagingError(
    micro,
    `runs '${micro.run}', but ${entry} is written as ${NAMES[written]} while Node would load it as ${NAMES[loaded]} ` +
      `(${because}): it would crash at start with "${crash}". Fix: ${fix}`,
  );
}

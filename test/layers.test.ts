/**
 * Every import points down a layer (docs/architecture.md): a module may import its own folder and folders of lower
 * layers, never a folder of its own layer or above. Reads the relative imports of every TypeScript source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

/** Folders (or single modules) bottom-up; each may import only those on earlier lines. */
const LAYERS: readonly (readonly string[])[] = [
  ['lib/core', 'lib/layer-dir.ts'],
  ['lib/spacefile'],
  ['lib/routing'],
  ['lib/auth', 'lib/data', 'lib/packaging', 'runtime-layer/node'],
  ['lib/console'],
  ['lib/handlers', 'lib/local'],
  ['lib/local/emulator', 'lib/local/data'],
  ['lib/constructs', 'lib/local/dev'],
  ['lib/operate', 'lib/cost'],
  ['lib/cli'],
  ['lib/index.ts'],
  ['bin'],
];

/** The most specific folder of LAYERS holding `file`, and its layer. */
function homeOf(file: string): { home: string; layer: number } | undefined {
  let found: { home: string; layer: number } | undefined;
  LAYERS.forEach((homes, layer) => {
    for (const home of homes) {
      const holds = file === home || (!home.endsWith('.ts') && file.startsWith(`${home}/`));
      if (holds && (!found || home.length > found.home.length)) found = { home, layer };
    }
  });
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .filter((file) => !file.includes('node_modules') && !file.includes('/dist/'));
}

/** `from './x'`, `import('./x')` and `export … from './x'`, resolved to the repository-relative file. */
function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)].map((match) => {
    const target = relative(ROOT, resolve(ROOT, dirname(file), match[1] as string));
    return target.endsWith('.ts') ? target : `${target}.ts`;
  });
}

describe('the layering', () => {
  const files = [...sources('lib'), ...sources('bin'), ...sources('runtime-layer/node')];

  it('places every source file in a layer', () => {
    expect(files.filter((file) => homeOf(file) === undefined)).toEqual([]);
  });

  it('has every import point down a layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = homeOf(file);
      for (const target of relativeImports(file)) {
        const to = homeOf(target);
        if (!from || !to || to.home === from.home) continue;
        if (to.layer >= from.layer) upward.push(`${file} imports ${target} (${from.home} may not import ${to.home})`);
      }
    }
    expect(upward).toEqual([]);
  });
});

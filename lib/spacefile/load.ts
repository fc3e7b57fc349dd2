/**
 * Loading a Spacefile: YAML text in, the normalised `SpaceAppModel` out with every default filled in, or a
 * `SpacefileError` listing every problem with its line and column.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { readApp } from './app';
import type { RuntimeChoice } from './engines';
import type { SpaceAppModel } from './model';
import { SpacefileError, type SpacefileProblem } from './problems';
import { Problems, ReadContext, ValueReader, describe } from './reader';

export interface LoadOptions {
  /** Newer Lambda runtimes than each family's default (`NODE_RUNTIMES[0]`, `PYTHON_RUNTIMES[0]`). */
  readonly runtimes?: RuntimeChoice;
  /**
   * Whether each micro's `src` must exist (default true). Off checks the Spacefile on its own, e.g. one copied
   * without its app; `srcDir` is then the resolved path, whatever is there.
   */
  readonly checkSources?: boolean;
}

export interface LoadResult {
  readonly app: SpaceAppModel;
  /** Things Spaceport accepted but the user should know about (ignored keys, duplicate presets...). */
  readonly warnings: readonly SpacefileProblem[];
}

/** Loads the Spacefile at `path` (or `path/Spacefile` when `path` is a directory). */
export function loadSpacefile(path: string, options?: LoadOptions): SpaceAppModel {
  return loadSpacefileWithWarnings(path, options).app;
}

export function loadSpacefileWithWarnings(path: string, options?: LoadOptions): LoadResult {
  const file = statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, 'Spacefile') : path;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new SpacefileError([{ location: { file, line: 1, column: 1 }, keyPath: '(file)', message: `cannot read the Spacefile: ${reason}` }]);
  }
  return parseSpacefileWithWarnings(text, file, options);
}

/** Parses Spacefile text; `file` names it in problems and locates every `src` (relative to its directory). */
export function parseSpacefile(text: string, file: string, options?: LoadOptions): SpaceAppModel {
  return parseSpacefileWithWarnings(text, file, options).app;
}

export function parseSpacefileWithWarnings(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = new Problems();
  const context = new ReadContext(file, document, lineCounter, problems);
  const start = { file, line: 1, column: 1 };

  for (const error of document.errors) {
    problems.errors.push({ location: context.locate(error.pos[0]), keyPath: '(yaml)', message: yamlMessage(error.message) });
  }
  if (problems.errors.length > 0) throw new SpacefileError(sorted(problems.errors));
  for (const warning of document.warnings) {
    problems.warnings.push({ location: context.locate(warning.pos[0]), keyPath: '(yaml)', message: yamlMessage(warning.message) });
  }

  const root = new ValueReader(context, document.contents, '', start);
  if (!isMap(root.node)) {
    const message = root.isEmpty() ? 'the Spacefile is empty' : 'the Spacefile must be a mapping of keys to values';
    throw new SpacefileError([
      { location: root.location, keyPath: '(document)', message, expected: "'v: 0' and 'micros'", found: describe(root.node) },
    ]);
  }
  const spacefile = resolve(file);
  const app = readApp(root, {
    spacefile,
    rootDir: dirname(spacefile),
    checkSources: options.checkSources ?? true,
    runtimes: options.runtimes ?? {},
  });
  if (!app || problems.errors.length > 0) throw new SpacefileError(sorted(problems.errors));
  return { app, warnings: sorted(problems.warnings) };
}

/** The yaml library's message without the position it appends (we report our own). */
function yamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+.*$/s, '');
}

function sorted(problems: readonly SpacefileProblem[]): SpacefileProblem[] {
  return [...problems].sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}

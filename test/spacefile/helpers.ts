/** Shared helpers for the Spacefile tests: inline Spacefiles and the problems they produce. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseSpacefileWithWarnings, type LoadOptions, type LoadResult } from '../../lib/spacefile/load';
import { SpacefileError, type SpacefileProblem } from '../../lib/spacefile/problems';

/** Where inline Spacefiles claim to live; sources are not checked unless a test asks. */
export const FILE = '/apps/demo/Spacefile';

/** Inline YAML written indented in the test: the common indentation and the first newline are removed. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(
    ...text
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => line.match(/^ */)![0].length),
  );
  return text
    .split('\n')
    .map((line) => line.slice(indent))
    .join('\n');
}

export function load(text: string, options: LoadOptions = { checkSources: false }): LoadResult {
  return parseSpacefileWithWarnings(text, FILE, options);
}

/** The problems a Spacefile that must fail produces. */
export function problemsOf(text: string, options: LoadOptions = { checkSources: false }): SpacefileProblem[] {
  try {
    load(text, options);
  } catch (error) {
    if (error instanceof SpacefileError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the Spacefile to be refused');
}

/** The only problem of a Spacefile that must fail with exactly one. */
export function onlyProblem(text: string, options?: LoadOptions): SpacefileProblem {
  const problems = problemsOf(text, options);
  if (problems.length !== 1) throw new Error(`expected one problem, got:\n${problems.map((p) => JSON.stringify(p)).join('\n')}`);
  return problems[0]!;
}

export function at(line: number, column: number) {
  return { file: FILE, line, column };
}

/** A temporary app directory holding `files` (path -> content); returns its Spacefile path. */
export function appDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'spaceport-spacefile-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return join(root, 'Spacefile');
}

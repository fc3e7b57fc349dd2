/**
 * What is wrong with a Spacefile, and where: every problem points at the line and column of the offending
 * key or value so a user can fix all of them in one pass.
 */
import type { SourceLocation } from './model';

export interface SpacefileProblem {
  readonly location: SourceLocation;
  /** Where in the Spacefile's structure, e.g. `micros[1].actions[0].default_interval`. */
  readonly keyPath: string;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
  /** A sentence telling how to fix it, e.g. `Did you mean 'engine'?`. */
  readonly suggestion?: string;
}

/** One line per problem: `file:line:column  keyPath: message (expected X, found Y) Did you mean 'Z'?`. */
export function formatProblem(problem: SpacefileProblem): string {
  const { file, line, column } = problem.location;
  let text = `${file}:${line}:${column}  ${problem.keyPath}: ${problem.message}`;
  const details = [
    problem.expected !== undefined ? `expected ${problem.expected}` : undefined,
    problem.found !== undefined ? `found ${problem.found}` : undefined,
  ].filter((detail) => detail !== undefined);
  if (details.length > 0) text += ` (${details.join(', ')})`;
  if (problem.suggestion) text += ` ${problem.suggestion}`;
  return text;
}

/** A Spacefile that cannot be run: carries every problem found, not just the first. */
export class SpacefileError extends Error {
  readonly problems: readonly SpacefileProblem[];

  constructor(problems: readonly SpacefileProblem[]) {
    const file = problems[0]?.location.file ?? 'Spacefile';
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${file} has ${count}:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'SpacefileError';
    this.problems = problems;
  }

  /** Every problem, one per line, for a terminal. */
  format(): string {
    return this.problems.map(formatProblem).join('\n');
  }
}

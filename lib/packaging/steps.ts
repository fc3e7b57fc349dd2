import { spawnSync } from 'node:child_process';
import type { Micro } from '../spacefile/model';

/** A packaging step failed: says which micro, which step, and what the tool printed. */
export class PackagingError extends Error {
  constructor(micro: Micro, message: string) {
    super(`micro '${micro.name}' (${micro.location.file}:${micro.location.line}): ${message}`);
    this.name = 'PackagingError';
  }
}

/** Output lines kept in an error: enough to show pip's or npm's reason without flooding the terminal. */
const OUTPUT_TAIL_LINES = 40;

export interface Step {
  /** What the user reads in the progress line, e.g. `npm ci --omit=dev`. */
  readonly description: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/**
 * Runs one build step, printing a progress line before and its duration after (on stderr: `cdk synth` prints the
 * template on stdout). On failure, throws with the tail of the step's output.
 */
export function runStep(micro: Micro, step: Step): void {
  const started = Date.now();
  process.stderr.write(`[spaceport] ${micro.name}: ${step.description} ...\n`);
  const result = spawnSync(step.command, step.args, {
    cwd: step.cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trimEnd();
  if (result.error || result.status !== 0) {
    const reason = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    const tail = output.split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
    throw new PackagingError(micro, `${step.description} failed (${reason})${tail ? `:\n${tail}` : ''}`);
  }
  process.stderr.write(`[spaceport] ${micro.name}: ${step.description} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** A shell command from the Spacefile (`commands`), run like Deta's builder did: `/bin/sh -c`. */
export function shellStep(command: string, cwd: string): Step {
  return { description: command, command: '/bin/sh', args: ['-c', command], cwd };
}

import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Micro, SourceLocation } from '../spacefile/model';
import type { FailureExplainer } from './install-failure';
import { relayArguments } from './step-progress';

/** A build step failed: says which micro, where in the Spacefile, which step, and why. */
export class PackagingError extends Error {
  constructor(micro: Micro, message: string, location: SourceLocation = micro.location) {
    super(`micro '${micro.name}' (${location.file}:${location.line}): ${message}`);
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
  /** The Spacefile line the step comes from (one of `commands`), when not the micro itself. */
  readonly location?: SourceLocation;
  /** Picks the lines of a failed step's output that say why, and adds what to do; the last lines otherwise. */
  readonly explain?: FailureExplainer;
}

/** Where a step's progress and output lines go (the sink names the micro). */
export type StepLog = (line: string) => void;

interface StepExit {
  readonly error?: Error;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The error for a step that did not exit 0, or `undefined` when it succeeded; `after` follows the reason. */
function stepFailure(micro: Micro, step: Step, exit: StepExit, after: string): PackagingError | undefined {
  if (!exit.error && exit.status === 0) return undefined;
  const reason = exit.error ? exit.error.message : exit.status !== null ? `exit code ${exit.status}` : `killed by ${exit.signal}`;
  return new PackagingError(micro, `${step.description} failed (${reason})${after}`, step.location);
}

function finished(step: Step, started: number): string {
  return `${step.description} done in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/**
 * Runs one build step synchronously, as CDK bundling requires, on stderr (`cdk synth` prints the template on
 * stdout): a line when it starts, its output live while it runs (`step-progress.ts`: lines in a log, one updating
 * line on a terminal), its duration when it ends. On failure, throws with the lines that say why (the step's
 * `explain`) or else the tail of its output.
 */
export function runStep(micro: Micro, step: Step): void {
  const started = Date.now();
  const prefix = `[spaceport] ${micro.name}: `;
  process.stderr.write(`${prefix}${step.description} ...\n`);
  const result = spawnSync(process.execPath, relayArguments(prefix, step.description, step.command, step.args), {
    cwd: step.cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = (result.stdout ?? '').trimEnd();
  const why = step.explain ? step.explain(output, micro.srcDir) : output.split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
  const failure = stepFailure(micro, step, result, why ? `:\n${why}` : '');
  if (failure) throw failure;
  process.stderr.write(`${prefix}${finished(step, started)}\n`);
}

/**
 * Runs one build step in the background, passing each line it prints (stdout and stderr) to `log` as it comes, so
 * a long build shows progress. On failure, rejects with an error that points back at that output rather than
 * repeating it.
 */
export async function runStepStreaming(micro: Micro, step: Step, log: StepLog): Promise<void> {
  const started = Date.now();
  log(`${step.description} ...`);
  const child = spawn(step.command, step.args, { cwd: step.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream, crlfDelay: Infinity }).on('line', log);
  const exit = await new Promise<StepExit>((resolve) => {
    child.once('error', (error) => resolve({ error, status: null, signal: null }));
    // 'close', not 'exit': every line of output has been read by then.
    child.once('close', (status, signal) => resolve({ status, signal }));
  });
  const failure = stepFailure(micro, step, exit, '; its output is above');
  if (failure) throw failure;
  log(finished(step, started));
}

/** A shell command from the Spacefile (`commands`), run like Deta's builder did: `/bin/sh -c`. */
export function shellStep(command: string, cwd: string, location?: SourceLocation): Step {
  return { description: command, command: '/bin/sh', args: ['-c', command], cwd, ...(location && { location }) };
}

/** The micro's `commands`, in order, as steps run in `cwd` and reported at their own Spacefile lines. */
export function commandSteps(micro: Micro, cwd: string): Step[] {
  return micro.commands.map((command, index) => shellStep(command, cwd, micro.commandLocations[index]));
}

/**
 * Which interpreter a micro's processes find on this machine, against the Lambda runtime it gets in the cloud:
 * `node` on Node.js runtimes (Node, static and custom micros, and the Node adapter), `python3` on Python ones.
 * Looked up in the PATH the emulator gives the function, each interpreter asked its version once.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findExecutable } from '../emulator/find-executable';
import type { Micro } from '../../spacefile/model';

const run = promisify(execFile);
/** A `--version` that takes longer than this is reported rather than waited for. */
const VERSION_TIMEOUT_MS = 5000;

type LocalInterpreter =
  | { readonly found: true; readonly path: string; readonly version: string }
  /** `problem` completes "python3 ...": `is not on PATH`, `at /usr/bin/python3 did not print a version`. */
  | { readonly found: false; readonly problem: string };

interface Family {
  readonly command: string;
  /** The version a runtime name promises: `24` for nodejs24.x, `3.13` for python3.13. */
  readonly cloudVersion: (runtime: string) => string;
  /** Why a micro of this family cannot run without the interpreter. */
  readonly needs: string;
}

const NODE: Family = {
  command: 'node',
  cloudVersion: (runtime) => /^nodejs(\d+)/.exec(runtime)?.[1] ?? runtime,
  needs: 'the runtime adapter of a Node.js micro cannot start without node',
};
const PYTHON: Family = {
  command: 'python3',
  cloudVersion: (runtime) => runtime.slice('python'.length),
  needs: 'a Python micro cannot run without python3',
};

async function inspect(command: string, searchPath: string): Promise<LocalInterpreter> {
  const found = findExecutable(command, searchPath);
  if (!found) return { found: false, problem: 'is not on PATH' };
  try {
    // The function's processes inherit nothing but PATH from the shell; ask under the same conditions.
    const { stdout, stderr } = await run(found, ['--version'], { env: { PATH: searchPath }, timeout: VERSION_TIMEOUT_MS });
    const version = /\d+(\.\d+)+/.exec(`${stdout} ${stderr}`)?.[0];
    return version ? { found: true, path: found, version } : { found: false, problem: `at ${found} did not print a version` };
  } catch (error) {
    const reason = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1) || (error as Error).message;
    return { found: false, problem: `at ${found} failed to report its version (${reason})` };
  }
}

/**
 * One warning per micro whose local interpreter is not the version of its Lambda runtime, or is missing, keyed by
 * micro name. `searchPath` is the PATH the function's processes get (`lambdaSearchPath`).
 */
export async function interpreterWarnings(micros: readonly Micro[], searchPath: string): Promise<Map<string, string>> {
  const interpreters = new Map<string, Promise<LocalInterpreter>>();
  const warnings = await Promise.all(
    micros.map(async (micro): Promise<[string, string | undefined]> => {
      const family = micro.runtime.startsWith('python') ? PYTHON : NODE;
      let interpreter = interpreters.get(family.command);
      if (!interpreter) {
        interpreter = inspect(family.command, searchPath);
        interpreters.set(family.command, interpreter);
      }
      const local = await interpreter;
      const inCloud = `${micro.name} runs on ${micro.runtime} in the cloud`;
      if (!local.found) return [micro.name, `${inCloud}, but ${family.command} ${local.problem}: ${family.needs}`];
      const expected = family.cloudVersion(micro.runtime);
      if (local.version === expected || local.version.startsWith(`${expected}.`)) return [micro.name, undefined];
      return [micro.name, `${inCloud}; locally ${family.command} is ${local.version} (${local.path})`];
    }),
  );
  return new Map(warnings.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Builds the layer into a temporary directory and runs its bootstrap as a Lambda runtime would, against the local
 * emulator's Runtime API (the one `spaceport dev` uses), with the child process in the test's hands.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RuntimeApi } from '../../../lib/local/emulator/runtime-api-server';
import { findFreePort } from '../../../lib/local/dev/free-port';

export type AdapterRuntime = 'node' | 'python';

export const REPO_ROOT = resolve(__dirname, '../../..');

/** The Lambda variable that selects the adapter in the bootstrap. */
export const EXECUTION_ENV: Record<AdapterRuntime, string> = {
  node: 'AWS_Lambda_nodejs22.x',
  python: 'AWS_Lambda_python3.12',
};

/** Builds the layer once per test file; returns its directory and a cleanup. */
export function buildLayer(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-layer-'));
  execFileSync(process.execPath, [join(REPO_ROOT, 'runtime-layer/build.mjs'), dir], { stdio: 'inherit' });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningAdapter {
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the adapter (and the app through it) printed so far. */
  output(): string;
  readonly exited: Promise<number | null>;
  /** Resolves true once the adapter asks for its first event; false if it reported an init error or exited first. */
  readonly askedForEvent: Promise<boolean>;
  stop(): Promise<void>;
}

export async function runAdapter(options: {
  layerDir: string;
  runtime: AdapterRuntime;
  taskRoot: string;
  env: Record<string, string>;
}): Promise<RunningAdapter> {
  const api = new RuntimeApi({ functionName: `adapter-${options.runtime}` });
  const address = await api.listen();
  const port = await findFreePort();
  const child = spawn(join(options.layerDir, 'spaceport/bootstrap'), ['/var/lang/bin/node', '/var/runtime/index.mjs'], {
    cwd: options.taskRoot,
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_RUNTIME_API: address,
      AWS_EXECUTION_ENV: EXECUTION_ENV[options.runtime],
      LAMBDA_TASK_ROOT: options.taskRoot,
      PORT: String(port),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  const askedForEvent = Promise.race([api.initDone().then((outcome) => outcome.kind === 'ready'), exited.then(() => false)]);
  return {
    port,
    child,
    output: () => output,
    exited,
    askedForEvent,
    async stop() {
      // SIGTERM first: the adapter forwards it to the app, so no server outlives the test.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
      await api.close();
    },
  };
}

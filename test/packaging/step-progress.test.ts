/**
 * A long packaging step shows its progress while it runs, and its time when it ends, as the user sees it: synth's
 * `runStep` (from dist/, which the test run builds first) in its own process, its stderr read as it comes, with a
 * fake step that prints a line and then waits until the test has seen that line. On a terminal (a real pseudo-
 * terminal from util-linux's `script`) the same step is one line redrawn in place.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { relayArguments } from '../../lib/packaging/step-progress';
import { useTempDirs } from '../temp-dirs';

const ROOT = resolve(__dirname, '../..');
/** What a terminal line redrawn in place starts with: carriage return, then erase the line (as a pattern). */
const REDRAW = `\r${String.fromCharCode(27)}\\[K`;

/** A step that prints a line, waits for the file `go` (or never), then prints another and exits with `status`. */
function fakeStep(dir: string, status = 0): string {
  return `echo "compiling 1 of 2"; while [ ! -e "${dir}/go" ]; do sleep 0.05; done; echo "compiling 2 of 2" >&2; exit ${status}`;
}

/** `runStep` of a micro named web, as packaging calls it, in a child process; `terminal` runs it on a pseudo-terminal. */
function runStepInChild(script: string, terminal = false): ChildProcess {
  const program =
    "const { runStep } = require('./dist/lib/packaging/steps.js');" +
    "const micro = { name: 'web', srcDir: process.cwd(), location: { file: 'Spacefile', line: 3 } };" +
    "try { runStep(micro, { description: 'slow build', command: '/bin/sh', args: ['-c', process.argv[1]], cwd: process.cwd() }); }" +
    'catch (error) { process.stderr.write(error.message + "\\n"); process.exit(1); }';
  if (!terminal) return spawn(process.execPath, ['-e', program, script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const quote = (text: string): string => `'${text.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, '-e', program, script].map(quote).join(' ');
  // `script` gives the command a pseudo-terminal as stdin, stdout and stderr, and copies what it shows to our pipe.
  return spawn('script', ['-qfec', `stty cols 60; ${command}`, '/dev/null'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TERM: 'xterm' },
  });
}

const newDir = useTempDirs('spaceport-progress-');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Collects what the child shows; `until` resolves once it matches (the test never waits on a clock). */
function watch(child: ChildProcess): { text: () => string; until: (pattern: RegExp) => Promise<string>; exit: Promise<number | null> } {
  children.push(child);
  let text = '';
  const waiters: Array<() => void> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      for (const waiter of waiters.splice(0)) waiter();
    });
  }
  const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
  const until = async (pattern: RegExp): Promise<string> => {
    while (!pattern.test(text)) {
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      if ((await Promise.race([more.then(() => 'more'), exit.then(() => 'exit')])) === 'exit' && !pattern.test(text)) {
        throw new Error(`exited without showing ${pattern}:\n${text}`);
      }
    }
    return text;
  };
  return { text: () => text, until, exit };
}

describe('packaging steps show their progress and their time', () => {
  test('in a log: each line of the step as it prints it, before the step ends, then its duration', async () => {
    const dir = newDir();
    const child = watch(runStepInChild(fakeStep(dir)));
    const seen = await child.until(/compiling 1 of 2\n/);
    // The step is still waiting for us: the user already sees its start and its first line, and no end.
    expect(seen).toMatch(/^\[spaceport\] web: slow build \.\.\.\n\[spaceport\] web: {3}compiling 1 of 2\n$/);
    writeFileSync(join(dir, 'go'), '');
    expect(await child.exit).toBe(0);
    expect(child.text()).toMatch(/\[spaceport\] web: {3}compiling 2 of 2\n\[spaceport\] web: slow build done in \d+\.\d s\n$/);
  });

  test('a failing step still streamed its output, and its error quotes it', async () => {
    const dir = newDir();
    writeFileSync(join(dir, 'go'), '');
    const child = watch(runStepInChild(fakeStep(dir, 3)));
    expect(await child.exit).toBe(1);
    expect(child.text()).toContain('[spaceport] web:   compiling 2 of 2\n');
    expect(child.text()).toMatch(/micro 'web' \(Spacefile:3\): slow build failed \(exit code 3\):\ncompiling 1 of 2\ncompiling 2 of 2\n$/);
    expect(child.text()).not.toContain('done in');
  });

  test('a step killed by a signal is reported as killed, not as a success or an exit code', async () => {
    const child = watch(runStepInChild('echo started; kill -TERM $$'));
    expect(await child.exit).toBe(1);
    expect(child.text()).toMatch(/micro 'web' \(Spacefile:3\): slow build failed \(killed by SIGTERM\):\nstarted\n$/);
  });

  test('on a terminal: one line redrawn with the time and the latest output, cleared at the end', async () => {
    const dir = newDir();
    const child = watch(runStepInChild(fakeStep(dir), true));
    // Redrawn in place (carriage return, erase line) with the elapsed seconds, then again a second later.
    await child.until(new RegExp(`${REDRAW}\\[spaceport\\] web: slow build 0 s: compiling 1 of 2`));
    await child.until(new RegExp(`${REDRAW}\\[spaceport\\] web: slow build [1-9]\\d* s: compiling 1 of 2`));
    expect(child.text()).not.toMatch(/web: {3}compiling/); // no scrolling log lines on a terminal
    writeFileSync(join(dir, 'go'), '');
    expect(await child.exit).toBe(0);
    expect(child.text()).toMatch(new RegExp(`${REDRAW}\\[spaceport\\] web: slow build done in \\d+\\.\\d s\\r?\\n$`));
  });

  test('a step silent for long says in a log that it is still running', async () => {
    const dir = newDir();
    const script = `while [ ! -e "${dir}/go" ]; do sleep 0.05; done`;
    const child = watch(
      spawn(process.execPath, relayArguments('[spaceport] web: ', 'quiet step', '/bin/sh', ['-c', script], 200), {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    expect(await child.until(/still running/)).toMatch(/^\[spaceport\] web: quiet step: still running, \d+ s\n/);
    writeFileSync(join(dir, 'go'), '');
    expect(await child.exit).toBe(0);
  });
});

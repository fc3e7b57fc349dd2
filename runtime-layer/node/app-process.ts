/**
 * The app's server process: `/bin/sh -c <command>` in its own process group (so a signal reaches everything it
 * started), its output passed on line by line to the adapter's own stdout/stderr (Lambda's logs), with the last
 * lines kept for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

const TAIL_LINES = 20;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** How long an exited app's last output may take to arrive through its pipes before its exit is reported. */
const OUTPUT_DRAIN_MS = 500;

/**
 * True while a process of group `pgid` is running. Zombies do not count: an app whose `sh` died first of the same
 * SIGTERM is reparented to PID 1, which may reap it late, and its zombie would hold the group open until the SIGKILL
 * deadline, spending the runtime's share of Lambda's shutdown phase for nothing.
 */
function groupRunning(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // After the parenthesised command name: state, ppid, pgrp.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class AppProcess {
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private exitStatus: ExitStatus | undefined;
  /** Resolves once the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** Called after each chunk of output: servers often print when they listen, so readiness can look right away. */
  onOutput: () => void = () => {};

  constructor(
    readonly command: string,
    cwd: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn('/bin/sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.forwardLines(this.child.stdout!, process.stdout);
    this.forwardLines(this.child.stderr!, process.stderr);
    this.exited = new Promise((resolve) => {
      const finish = (status: ExitStatus): void => {
        this.exitStatus ??= status;
        resolve(this.exitStatus);
      };
      // 'exit' can come before the last output has been read from the pipes; 'close' comes after it, unless a
      // grandchild that outlives sh keeps the pipes open, hence the bound.
      this.child.on('exit', (code, signal) => {
        const drained = setTimeout(() => finish({ code, signal }), OUTPUT_DRAIN_MS);
        this.child.once('close', () => {
          clearTimeout(drained);
          finish({ code, signal });
        });
      });
      // spawn itself failing (e.g. the task root does not exist) counts as an exit with sh's "cannot execute" code.
      this.child.on('error', (error) => {
        this.remember(`${error.message}`);
        finish({ code: 126, signal: null });
      });
    });
  }

  /** The process id of `sh`, which is also the app's process group id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitStatus !== undefined;
  }

  /** The last lines the app printed, oldest first. */
  outputTail(): string {
    return this.tail.join('\n');
  }

  /** Sends `signal` to the app's whole process group (which outlives `sh` when the command forks). */
  signal(signal: NodeJS.Signals | 0): boolean {
    if (this.child.pid === undefined) return false;
    try {
      process.kill(-this.child.pid, signal);
      return true;
    } catch {
      return false; // The group is gone.
    }
  }

  /**
   * SIGTERM to the group, then SIGKILL to whatever is left of it after `graceMs`; resolves once what the app printed
   * last (a SIGTERM handler's log line) has been passed on, as the adapter exits right after.
   */
  async stop(graceMs: number): Promise<void> {
    this.signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (this.signal(0) && groupRunning(this.child.pid!) && Date.now() < deadline) await delay(10);
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Kills the group at once; for the adapter's own exit and for restarts. */
  kill(): void {
    this.signal('SIGKILL');
  }

  private remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  private forwardLines(from: Readable, to: Writable): void {
    let partial = '';
    from.setEncoding('utf8');
    from.on('data', (chunk: string) => {
      const lastNewline = chunk.lastIndexOf('\n');
      if (lastNewline < 0) {
        partial += chunk;
      } else {
        const complete = partial + chunk.slice(0, lastNewline);
        partial = chunk.slice(lastNewline + 1);
        to.write(complete + '\n');
        for (const line of complete.split('\n').slice(-TAIL_LINES)) this.remember(line);
      }
      this.onOutput();
    });
    from.on('end', () => {
      if (partial) {
        to.write(partial + '\n');
        this.remember(partial);
      }
    });
  }
}

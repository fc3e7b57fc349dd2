/** Starting `spaceport dev` in tests: real router, emulator and adapter, logs captured, processes tracked. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { vi } from 'vitest';
import { startDevServer, type DevServer, type DevServerOptions } from '../../lib/local/dev/dev-server';

export interface TestDev {
  readonly server: DevServer;
  readonly logs: () => string;
  /** Every process started under this test process so far (seen by scanning /proc), for the no-leftover check. */
  readonly descendants: () => number[];
  get(path: string, init?: RequestInit): Promise<Response>;
}

function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields resume after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process exited while we looked.
    }
  }
  return parents;
}

export function descendantsOf(root: number): number[] {
  const parents = parentPids();
  const found = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (found.has(ppid) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return [...found];
}

export function isAlive(pid: number): boolean {
  try {
    // Zombies still answer kill(0); a reaped or dead process has no /proc status or is in state Z.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

export async function startTestDev(options: Omit<DevServerOptions, 'logStream' | 'port'>): Promise<TestDev> {
  let text = '';
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const seen = new Set<number>();
  // Test files run side by side on the same fixture apps: each dev server gets its own data (one spaceport dev
  // per data directory), with the run's CA that this process trusts (test/global-setup.ts).
  const dataStateDir = options.dataStateDir ?? mkdtempSync(join(tmpdir(), 'spaceport-dev-data-'));
  if (options.dataStateDir === undefined) cpSync(join(process.env.SPACEPORT_TEST_STATE_DIR!, 'tls'), join(dataStateDir, 'tls'), { recursive: true });
  // Auth has its own tests (test/auth); these exercise the runtime, so every route is open unless a test asks.
  const started = await startDevServer({ port: 0, watch: false, auth: false, ...options, dataStateDir, logStream, color: false });
  const server: DevServer = {
    ...started,
    stop: async () => {
      await started.stop();
      if (options.dataStateDir === undefined) rmSync(dataStateDir, { recursive: true, force: true });
    },
  };
  return {
    server,
    logs: () => text,
    descendants: () => {
      for (const pid of descendantsOf(process.pid)) seen.add(pid);
      return [...seen];
    },
    get: (path, init) => fetch(`${server.url}${path}`, init),
  };
}

/** Polls `check` until it returns a value (bounded: the tests never wait on timings, only on outcomes). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Everything a command writes to `stream` from now on (the spy is undone by the test's `vi.restoreAllMocks`). */
export function capture(stream: NodeJS.WriteStream): () => string {
  let text = '';
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += chunk.toString();
    return true;
  });
  return () => text;
}

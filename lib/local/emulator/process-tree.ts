/**
 * A process and everything it started, read from /proc: for killing the whole tree (Lambda leaves nothing behind
 * after a reset) and for measuring its memory and thread count where no cgroup does it.
 */
import fs from 'node:fs';

interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
}

function readProcs(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // `comm` is in parentheses and may itself contain spaces or parentheses: split after the last ')'.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      entries.push({ pid: Number(name), ppid: Number(fields[1]), comm: stat.slice(stat.indexOf('(') + 1, close) });
    } catch {
      // The process exited while we were reading.
    }
  }
  return entries;
}

/** `root` and all its descendants, plus `extra` pids (a cgroup's members) and their descendants. */
export function processTree(root: number | undefined, extra: readonly number[] = []): number[] {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const alive = new Set(procs.map((p) => p.pid));
  const seen = new Set<number>();
  const stack = [...(root !== undefined ? [root] : []), ...extra].filter((pid) => alive.has(pid));
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/**
 * The processes a signal meant for "the runtime" should reach: `root` itself, or, when `root` is a bubblewrap
 * launcher, the first processes below the bubblewrap layers (bwrap does not forward signals).
 */
export function entryProcesses(root: number): number[] {
  const procs = readProcs();
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const result: number[] = [];
  const visit = (pid: number): void => {
    if (byPid.get(pid)?.comm !== 'bwrap') {
      result.push(pid);
      return;
    }
    for (const p of procs) if (p.ppid === pid) visit(p.pid);
  };
  if (byPid.has(root)) visit(root);
  return result;
}

export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** SIGKILLs the tree until nothing of it is left (a process may fork while we kill). */
export async function killTree(root: number | undefined, members: () => readonly number[] = () => []): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const pids = processTree(root, members());
    if (pids.length === 0) return;
    signalAll(pids, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resident memory (bytes) and thread count summed over `pids`. */
export function treeUsage(pids: readonly number[]): { rssBytes: number; threads: number } {
  let rssBytes = 0;
  let threads = 0;
  for (const pid of pids) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      rssBytes += Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024;
      threads += Number(/^Threads:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
    } catch {
      // Exited meanwhile.
    }
  }
  return { rssBytes, threads };
}

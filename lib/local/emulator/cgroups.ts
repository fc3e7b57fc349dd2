/**
 * Per-environment cgroups for memory and process/thread limits, on cgroup v1 (separate `memory` and `pids`
 * hierarchies) or v2 (one unified directory). Children are created under the cgroup this process already lives
 * in, so Spaceport works inside a container that only delegates its own subtree.
 */
import fs from 'node:fs';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Where new cgroups for one controller are created, and which file names that hierarchy uses. */
export interface CgroupParent {
  readonly version: 1 | 2;
  readonly dir: string;
}

/** The parents for memory and pids cgroups, or `undefined` for a controller this machine cannot delegate. */
export interface CgroupParents {
  readonly memory?: CgroupParent;
  readonly pids?: CgroupParent;
}

/** Finds, for each controller, the cgroup this process is in (from /proc/self/cgroup). */
export function currentCgroupParents(): CgroupParents {
  let lines: string[];
  try {
    lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return {};
  }
  const v1 = (controller: string): CgroupParent | undefined => {
    for (const line of lines) {
      const [, controllers, cgPath] = line.split(':');
      if (controllers?.split(',').includes(controller)) {
        const dir = path.join(CGROUP_ROOT, controller, cgPath ?? '/');
        if (fs.existsSync(dir)) return { version: 1, dir };
      }
    }
    return undefined;
  };
  const unifiedLine = lines.find((l) => l.startsWith('0::'));
  const unified = (controller: string): CgroupParent | undefined => {
    if (!unifiedLine || !fs.existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'))) return undefined;
    const dir = path.join(CGROUP_ROOT, unifiedLine.slice(3));
    try {
      const enabled = fs.readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      return enabled.includes(controller) ? { version: 2, dir } : undefined;
    } catch {
      return undefined;
    }
  };
  return { memory: v1('memory') ?? unified('memory'), pids: v1('pids') ?? unified('pids') };
}

/** One created cgroup directory with a limit written into it. */
export class Cgroup {
  private constructor(
    readonly parent: CgroupParent,
    readonly dir: string,
  ) {}

  /** Creates `<parent>/<name>` and writes the limit; throws with the failing path when the kernel refuses. */
  static create(parent: CgroupParent, name: string, limitFile: string, limit: number): Cgroup {
    const dir = path.join(parent.dir, name);
    fs.mkdirSync(dir);
    const group = new Cgroup(parent, dir);
    try {
      fs.writeFileSync(path.join(dir, limitFile), String(limit));
    } catch (err) {
      group.remove();
      throw err;
    }
    return group;
  }

  static memory(parent: CgroupParent, name: string, bytes: number): Cgroup {
    return Cgroup.create(parent, name, parent.version === 1 ? 'memory.limit_in_bytes' : 'memory.max', bytes);
  }

  static pids(parent: CgroupParent, name: string, max: number): Cgroup {
    return Cgroup.create(parent, name, 'pids.max', max);
  }

  get procsFile(): string {
    return path.join(this.dir, 'cgroup.procs');
  }

  /** Process ids currently in the cgroup. */
  pids(): number[] {
    try {
      return fs.readFileSync(this.procsFile, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  /** Peak memory charged to the cgroup since it was created, in bytes (memory cgroups only). */
  peakBytes(): number | undefined {
    return this.readNumber(this.parent.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak');
  }

  /** Starts peak tracking over (v1 accepts a write of 0; v2 only on recent kernels, else the peak stays). */
  resetPeak(): void {
    try {
      fs.writeFileSync(path.join(this.dir, this.parent.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak'), '0');
    } catch {
      // Not resettable here: the peak then covers the environment's whole life.
    }
  }

  /** How many processes the kernel's OOM killer has killed in this cgroup so far (memory cgroups only). */
  oomKills(): number {
    const file = this.parent.version === 1 ? 'memory.oom_control' : 'memory.events';
    try {
      const match = /^oom_kill (\d+)$/m.exec(fs.readFileSync(path.join(this.dir, file), 'utf8'));
      if (match) return Number(match[1]);
    } catch {
      return 0;
    }
    // Older v1 kernels have no oom_kill counter: hitting the limit at all is the best signal left.
    return this.readNumber('memory.failcnt') ?? 0;
  }

  /** Removes the cgroup; only possible once every process in it has exited, so it retries briefly. */
  remove(): void {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        fs.rmdirSync(this.dir);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      }
    }
  }

  private readNumber(file: string): number | undefined {
    try {
      const value = Number(fs.readFileSync(path.join(this.dir, file), 'utf8').trim());
      return Number.isFinite(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }
}

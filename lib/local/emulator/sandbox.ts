/**
 * The local stand-in for Lambda's execution-environment isolation, without Docker.
 *
 * `probeSandbox()` runs once and decides, per limit, what this machine can enforce:
 * - read-only filesystem: bubblewrap (`bwrap`) builds a root from read-only binds of the host's top-level entries,
 *   with the task root at /var/task and the layer at /opt (both read-only) and only /tmp writable;
 * - isolation: the processes get no capabilities (and no way to regain them), their own PID, UTS, IPC and cgroup
 *   namespaces, a read-only /proc/sys and /dev (so no /dev/shm, like Lambda); they share only the loopback network
 *   (sibling micros and the local data service live there) and read the host's files;
 * - /tmp size: a per-environment ext4 image loop-mounted at /tmp when we may mount (root): disk-backed like
 *   Lambda's ephemeral storage, so it is NOT charged to the memory limit, and it stops with ENOSPC at its size.
 *   Otherwise a bwrap tmpfs with `--size` (stops at its size, but its pages count against the memory cgroup);
 * - memory and processes/threads: cgroups created under this process's own cgroup (v1 or v2); where that fails,
 *   the environment approximates by polling the process tree's RSS and thread count and killing it past the limit.
 * Anything missing degrades with a warning in `formatLimitsTable`, never an exception.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cgroup, currentCgroupParents, type CgroupParent } from './cgroups';
import { findExecutable } from './find-executable';
import { MAX_OPEN_FILES, MAX_PROCESSES, SPACE_MICRO_LIMITS } from '../../core/limits';

const run = promisify(execFile);

export type Enforcement = 'enforced' | 'approximated' | 'not enforced';

export interface LimitStatus {
  readonly enforcement: Enforcement;
  /** The mechanism, or why the limit is only approximated / not enforced. */
  readonly how: string;
}

export type TmpStrategy = 'loop-ext4' | 'tmpfs' | 'host';

export interface SandboxCapabilities {
  /** bwrap arguments that rebuild the host's root read-only (everything but /tmp, /dev, /proc, /var and /opt). */
  readonly bwrapRoot?: readonly string[];
  readonly tmp: TmpStrategy;
  readonly memoryCgroup?: CgroupParent;
  readonly pidsCgroup?: CgroupParent;
  readonly limits: {
    readonly isolation: LimitStatus;
    readonly filesystem: LimitStatus;
    readonly tmp: LimitStatus;
    readonly memory: LimitStatus;
    readonly processes: LimitStatus;
  };
}

/** No isolation at all: what an environment gets without a probed sandbox. */
export const UNCONFINED: SandboxCapabilities = {
  tmp: 'host',
  limits: {
    isolation: { enforcement: 'not enforced', how: 'no sandbox configured: the processes run as this user, with its privileges' },
    filesystem: { enforcement: 'not enforced', how: 'no sandbox configured' },
    tmp: { enforcement: 'not enforced', how: 'no sandbox configured: the host /tmp is used' },
    memory: { enforcement: 'approximated', how: 'polled RSS of the process tree, killed past the limit' },
    processes: { enforcement: 'approximated', how: 'polled thread count of the process tree, killed past the limit' },
  },
};

const SKIPPED_ROOT_ENTRIES = new Set(['tmp', 'dev', 'proc', 'var', 'opt']);
/** Kernel interfaces under /proc that a process running as root may write without any capability: read-only. */
const READ_ONLY_PROC_ENTRIES = ['sys', 'sysrq-trigger', 'fs', 'irq', 'bus'];

/**
 * What Lambda does not share with a function, taken away: every capability (bwrap also sets no_new_privs, so no
 * exec regains one, not even as root), the host's PID, UTS (hostname), IPC and cgroup namespaces, writes to /proc's
 * kernel settings, and /dev (read-only, so /dev/shm is not writable, as on Lambda). The network is kept: the app
 * reaches its sibling micros and the local data service on 127.0.0.1.
 */
function isolationArgs(): string[] {
  const procEntries = READ_ONLY_PROC_ENTRIES.filter((entry) => fs.existsSync(path.join('/proc', entry)));
  return [
    ...['--dev', '/dev', '--proc', '/proc', ...procEntries.flatMap((entry) => ['--ro-bind', `/proc/${entry}`, `/proc/${entry}`])],
    ...['--unshare-pid', '--unshare-uts', '--unshare-ipc', '--unshare-cgroup-try', '--cap-drop', 'ALL', '--new-session', '--die-with-parent'],
    ...['--remount-ro', '/', '--remount-ro', '/dev'],
  ];
}

/** Host tools (bwrap, mkfs.ext4) may live in sbin directories a user's PATH leaves out. */
function findHostTool(name: string): string | undefined {
  return findExecutable(name, `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`);
}

/** Binds for a read-only copy of `dir`'s entries (symlinks stay symlinks), skipping `skip`. */
function roBindsOf(dir: string, skip: ReadonlySet<string>): string[] {
  const args: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(full), full);
    else args.push('--ro-bind', full, full);
  }
  return args;
}

function hostRootBinds(): string[] {
  return [...roBindsOf('/', SKIPPED_ROOT_ENTRIES), '--dir', '/var', ...roBindsOf('/var', new Set(['task']))];
}

async function probeBwrap(): Promise<{ root?: string[]; reason: string }> {
  const bwrap = findHostTool('bwrap');
  if (!bwrap) return { reason: 'bwrap not found (install the Debian/Ubuntu package `bubblewrap`)' };
  const root = hostRootBinds();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'spaceport-probe-'));
  try {
    const { stdout } = await run(bwrap, [
      ...root,
      ...['--ro-bind', scratch, '/var/task', '--dir', '/opt', '--bind', scratch, '/tmp', ...isolationArgs()],
      ...[
        '--',
        '/bin/sh',
        '-c',
        'touch /var/task/x 2>/dev/null && echo writable; grep -q "^CapEff:\\s*0*$" /proc/self/status || echo capable; echo done',
      ],
    ]);
    if (stdout.includes('writable')) return { reason: 'bwrap ran but /var/task was writable' };
    if (stdout.includes('capable')) return { reason: 'bwrap ran but the process kept capabilities' };
    if (stdout.trim() !== 'done') return { reason: `bwrap ran but its probe answered ${JSON.stringify(stdout.trim())}` };
    return { root: [bwrap, ...root], reason: '' };
  } catch (err) {
    const message = ((err as { stderr?: string }).stderr || (err as Error).message).trim().split('\n')[0];
    return { reason: `bwrap cannot create a sandbox here (${message}); unprivileged user namespaces may be disabled` };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Can we loop-mount a disk image? (root, mkfs.ext4 and a loop device) */
async function probeLoopMount(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'mounting a disk image needs root';
  if (!findHostTool('mkfs.ext4')) return 'mkfs.ext4 not found (Debian package `e2fsprogs`)';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'spaceport-probe-'));
  try {
    const disk = await LoopDisk.create(scratch, 4 * 1024 * 1024);
    await disk.dispose();
    return undefined;
  } catch (err) {
    return `loop mount failed (${(err as Error).message.trim().split('\n')[0]})`;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function probeCgroup(parent: CgroupParent | undefined, create: (p: CgroupParent, name: string) => Cgroup): string | undefined {
  if (!parent) return 'no delegated cgroup for this controller';
  try {
    create(parent, `spaceport-probe-${process.pid}`).remove();
    return undefined;
  } catch (err) {
    return `cannot create a cgroup under ${parent.dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
}

/** Decides once, at start, which of Lambda's limits this machine can enforce. Never throws. */
export async function probeSandbox(): Promise<SandboxCapabilities> {
  const parents = currentCgroupParents();
  const [bwrap, loopProblem] = await Promise.all([probeBwrap(), probeLoopMount()]);
  const memoryProblem = probeCgroup(parents.memory, (p, n) => Cgroup.memory(p, n, SPACE_MICRO_LIMITS.memoryMb * 1024 * 1024));
  const pidsProblem = probeCgroup(parents.pids, (p, n) => Cgroup.pids(p, n, MAX_PROCESSES));

  const tmp: TmpStrategy = !bwrap.root ? 'host' : loopProblem === undefined ? 'loop-ext4' : 'tmpfs';
  const tmpStatus: Record<TmpStrategy, LimitStatus> = {
    'loop-ext4': { enforcement: 'enforced', how: 'disk-backed ext4 image per environment, loop-mounted at /tmp (not charged to memory)' },
    tmpfs: {
      enforcement: 'enforced',
      how: `bwrap tmpfs with --size; its pages count against the memory limit, unlike Lambda (${loopProblem})`,
    },
    host: { enforcement: 'not enforced', how: `the host /tmp is used: ${bwrap.reason}` },
  };
  return {
    bwrapRoot: bwrap.root,
    tmp,
    memoryCgroup: memoryProblem === undefined ? parents.memory : undefined,
    pidsCgroup: pidsProblem === undefined ? parents.pids : undefined,
    limits: {
      isolation: bwrap.root
        ? {
            enforcement: 'enforced',
            how: `no capabilities; own PID, hostname, IPC and cgroup namespaces; /proc/sys and /dev read-only. Shared: loopback network, the host's files (read-only)${
              process.getuid?.() === 0 ? '; uid 0 without capabilities (Lambda: uid 993)' : ''
            }`,
          }
        : { enforcement: 'not enforced', how: `the processes run as this user, with its privileges: ${bwrap.reason}` },
      filesystem: bwrap.root
        ? { enforcement: 'enforced', how: 'bubblewrap: read-only root, /var/task and /opt read-only, /tmp writable' }
        : { enforcement: 'not enforced', how: bwrap.reason },
      tmp: tmpStatus[tmp],
      memory:
        memoryProblem === undefined
          ? { enforcement: 'enforced', how: `cgroup v${parents.memory?.version} memory limit (OOM kill like Lambda)` }
          : { enforcement: 'approximated', how: `polled RSS of the process tree, killed past the limit (${memoryProblem})` },
      processes:
        pidsProblem === undefined
          ? { enforcement: 'enforced', how: `cgroup v${parents.pids?.version} pids limit (threads count too)` }
          : { enforcement: 'approximated', how: `polled thread count of the process tree, killed past the limit (${pidsProblem})` },
    },
  };
}

/** One line per limit: enforced / approximated / not enforced, and how or why. */
/** The limits the environments are configured with, as the table should state them. */
export interface ConfiguredLimits {
  /** @default 20000 */
  readonly timeoutMs?: number;
  /** @default 512 */
  readonly memoryMb?: number;
  /** Micros running their `dev` command, whose code directory is writable. @default none */
  readonly devCommandMicros?: readonly string[];
}

export function formatLimitsTable(caps: SandboxCapabilities, limits: ConfiguredLimits = {}): string {
  const rows: [string, LimitStatus][] = [
    [
      `timeout (${(limits.timeoutMs ?? SPACE_MICRO_LIMITS.timeoutSeconds * 1000) / 1000} s)`,
      { enforcement: 'enforced', how: 'timer in the emulator, whole process tree killed' },
    ],
    [
      'payload (6 MB each way)',
      { enforcement: 'enforced', how: 'events by the emulator, responses by the Runtime API, bodies over 5.5 MB by the router' },
    ],
    ['environment variables', { enforcement: 'enforced', how: "Lambda's variables; from the shell only PATH, after Lambda's" }],
    [`open files (${MAX_OPEN_FILES})`, { enforcement: 'enforced', how: 'rlimit (soft and hard), set before the runtime starts' }],
    ['isolation', caps.limits.isolation],
    ['read-only filesystem', caps.limits.filesystem],
    ...(limits.devCommandMicros?.length
      ? ([
          [
            `  except dev commands`,
            {
              enforcement: 'not enforced',
              how: `${limits.devCommandMicros.join(', ')}: their src is writable for the dev server's caches, as with space dev; --prod runs 'run' read-only`,
            },
          ],
        ] as [string, LimitStatus][])
      : []),
    [`/tmp size (${SPACE_MICRO_LIMITS.tmpMb} MB)`, caps.limits.tmp],
    [`memory (${limits.memoryMb ?? SPACE_MICRO_LIMITS.memoryMb} MB)`, caps.limits.memory],
    ['processes/threads (1024)', caps.limits.processes],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const statusWidth = Math.max(...rows.map(([, s]) => s.enforcement.length));
  return rows.map(([name, s]) => `${name.padEnd(width)}  ${s.enforcement.padEnd(statusWidth)}  ${s.how}`).join('\n');
}

/** A disk image mounted through a loop device: a size-capped, disk-backed /tmp. */
class LoopDisk {
  private constructor(
    readonly mountPoint: string,
    private readonly image: string,
  ) {}

  static async create(dir: string, bytes: number): Promise<LoopDisk> {
    const image = path.join(dir, 'tmp.img');
    const mountPoint = path.join(dir, 'tmp');
    fs.mkdirSync(mountPoint, { recursive: true });
    // ext4 without a journal keeps ~96% of the image usable; pad it so about `bytes` are free, like Lambda's /tmp.
    fs.writeFileSync(image, '');
    fs.truncateSync(image, Math.ceil(bytes * 1.04) + 1024 * 1024);
    await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-O', '^has_journal', image], { env: { PATH: '/usr/sbin:/sbin:/usr/bin:/bin' } });
    await run('mount', ['-o', 'loop,nosuid,nodev', image, mountPoint]);
    fs.chmodSync(mountPoint, 0o1777);
    fs.rmSync(path.join(mountPoint, 'lost+found'), { recursive: true, force: true });
    return new LoopDisk(mountPoint, image);
  }

  async dispose(): Promise<void> {
    try {
      await run('umount', [this.mountPoint]);
    } catch {
      // Still busy (a process we could not kill yet): detach lazily so the image can go.
      spawnSync('umount', ['-l', this.mountPoint]);
    }
    fs.rmSync(this.image, { force: true });
  }
}

export interface ConfinementOptions {
  /** Used in cgroup and directory names. */
  readonly name: string;
  readonly taskRoot: string;
  readonly layerDir?: string;
  readonly memoryMb: number;
  readonly ephemeralStorageMb: number;
  readonly maxProcesses: number;
  /** /var/task writable: a framework's dev server writes its caches beside the code. Never so on Lambda. */
  readonly writableTaskRoot?: boolean;
  /**
   * Host directories the function must not read (the app's local secrets in `.spaceport/`, which Lambda's package
   * never holds): each is covered by an empty read-only directory, also where it appears under /var/task.
   * @default none
   */
  readonly hiddenPaths?: readonly string[];
  /** Host files every process may read, by the path they see (`Sandbox.sharedPath`). */
  readonly sharedFiles?: Readonly<Record<string, string>>;
}

/** Where shared files appear inside a bubblewrap sandbox, which does not see the host's /tmp, /var or /opt. */
const SHARED_DIR = '/var/spaceport';

/** One environment's sandbox: how to launch a process inside it, what it measures, and its cleanup. */
export class Confinement {
  constructor(
    private readonly caps: SandboxCapabilities,
    private readonly options: ConfinementOptions,
    /** Per-environment scratch directory (holds the /tmp image or directory). */
    private readonly dir: string,
    /** Host path bound at /tmp, when there is one. */
    private readonly tmpHostDir: string | undefined,
    private readonly disk: LoopDisk | undefined,
    readonly memoryCgroup: Cgroup | undefined,
    readonly pidsCgroup: Cgroup | undefined,
  ) {}

  /** True when paths are remapped: the task root is seen at /var/task and the layer at /opt. */
  get remapsPaths(): boolean {
    return this.caps.bwrapRoot !== undefined;
  }

  /** The task root as the function's processes see it. */
  get taskRootPath(): string {
    return this.remapsPaths ? '/var/task' : this.options.taskRoot;
  }

  /** The layer directory as the function's processes see it (Lambda's /opt). */
  get layerPath(): string | undefined {
    if (this.remapsPaths) return '/opt';
    return this.options.layerDir;
  }

  /**
   * The argv that runs `argv` inside this confinement: a shell joins the cgroups and sets Lambda's open-files limit
   * before it executes anything.
   */
  command(argv: readonly string[]): string[] {
    const inner = this.caps.bwrapRoot ? [...this.caps.bwrapRoot, ...this.bwrapMounts(), '--', ...argv] : [...argv];
    const procsFiles = [this.memoryCgroup, this.pidsCgroup].filter((g): g is Cgroup => g !== undefined).map((g) => g.procsFile);
    const setup = [...procsFiles.map((_, i) => `echo $$ > "$${i + 1}"`), `ulimit -n ${MAX_OPEN_FILES}`].join(' && ');
    return ['/bin/sh', '-c', `${setup} && shift ${procsFiles.length} && exec "$@"`, 'spaceport-sandbox', ...procsFiles, ...inner];
  }

  /** Process ids in this environment's cgroups (empty without cgroups). */
  members(): number[] {
    return [...new Set([...(this.memoryCgroup?.pids() ?? []), ...(this.pidsCgroup?.pids() ?? [])])];
  }

  async dispose(): Promise<void> {
    this.memoryCgroup?.remove();
    this.pidsCgroup?.remove();
    await this.disk?.dispose();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private bwrapMounts(): string[] {
    const layer = this.options.layerDir ? ['--ro-bind', this.options.layerDir, '/opt'] : ['--dir', '/opt'];
    const tmp = this.tmpHostDir
      ? ['--bind', this.tmpHostDir, '/tmp']
      : ['--perms', '1777', '--size', String(this.options.ephemeralStorageMb * 1024 * 1024), '--tmpfs', '/tmp'];
    const shared = Object.entries(this.options.sharedFiles ?? {}).flatMap(([name, hostPath]) => ['--ro-bind', hostPath, `${SHARED_DIR}/${name}`]);
    return [
      ...[this.options.writableTaskRoot ? '--bind' : '--ro-bind', this.options.taskRoot, '/var/task', ...layer, ...tmp, ...shared],
      ...this.taskRootUnderTmp(),
      ...this.hiddenPathMounts(),
      ...isolationArgs(),
      '--chdir',
      '/var/task',
    ];
  }

  /**
   * The code also at its own host path when that is under /tmp, which the function's own /tmp would hide: a
   * virtualenv's scripts name their interpreter by absolute path (`#!/tmp/app/.venv/bin/python`), as they would
   * wherever else the app lives, where the read-only host root shows them.
   */
  private taskRootUnderTmp(): string[] {
    const taskRoot = path.resolve(this.options.taskRoot);
    if (!taskRoot.startsWith('/tmp/')) return [];
    return [this.options.writableTaskRoot ? '--bind' : '--ro-bind', taskRoot, taskRoot];
  }

  /** An empty read-only directory over each hidden path that exists, at its host path and under /var/task. */
  private hiddenPathMounts(): string[] {
    const taskRoot = path.resolve(this.options.taskRoot);
    return (this.options.hiddenPaths ?? []).flatMap((hidden) => {
      const full = path.resolve(hidden);
      if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) return [];
      const relative = path.relative(taskRoot, full);
      const inTask = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
      return [full, ...(inTask ? [path.posix.join('/var/task', relative)] : [])].flatMap((target) => ['--tmpfs', target, '--remount-ro', target]);
    });
  }
}

let sequence = 0;

/** Creates confinements for environments, according to probed capabilities. */
export class Sandbox {
  constructor(
    readonly capabilities: SandboxCapabilities = UNCONFINED,
    /** Host files (by name) that every environment may read, such as the local data CA. */
    private readonly sharedFiles: Readonly<Record<string, string>> = {},
  ) {}

  /** The path at which the processes of an environment see the shared file `name`. */
  sharedPath(name: string): string {
    const hostPath = this.sharedFiles[name];
    if (hostPath === undefined) throw new Error(`no shared file named ${name}`);
    return this.capabilities.bwrapRoot ? `${SHARED_DIR}/${name}` : hostPath;
  }

  async confine(options: ConfinementOptions): Promise<Confinement> {
    const caps = this.capabilities;
    const safeName = options.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spaceport-${safeName}-`));
    const cgroupName = `spaceport-${process.pid}-${safeName}-${++sequence}`;
    let disk: LoopDisk | undefined;
    let memoryCgroup: Cgroup | undefined;
    let pidsCgroup: Cgroup | undefined;
    try {
      if (caps.tmp === 'loop-ext4') disk = await LoopDisk.create(dir, options.ephemeralStorageMb * 1024 * 1024);
      if (caps.memoryCgroup) memoryCgroup = Cgroup.memory(caps.memoryCgroup, cgroupName, options.memoryMb * 1024 * 1024);
      if (caps.pidsCgroup) pidsCgroup = Cgroup.pids(caps.pidsCgroup, cgroupName, options.maxProcesses);
    } catch (err) {
      memoryCgroup?.remove();
      await disk?.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`Could not set up the sandbox for ${options.name}: ${(err as Error).message}`, { cause: err });
    }
    return new Confinement(caps, { ...options, sharedFiles: this.sharedFiles }, dir, disk?.mountPoint, disk, memoryCgroup, pidsCgroup);
  }
}

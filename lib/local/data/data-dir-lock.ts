/**
 * One process at a time owns an app's data directory (`spaceport dev` or `spaceport data import|export`): two
 * would interleave journal writes. Every contender creates its own claim file, named after its pid, the process's
 * start time and a nonce, and then reads the directory: claims of processes that are gone (or whose pid now
 * belongs to a younger process) are removed, any other live claim means someone else holds or wants the lock.
 * Of contenders that claim at the same time, the later one's look always sees the earlier one's claim, so at most
 * one finds itself alone; that one marks its claim held. No file is ever taken over by deleting and recreating it,
 * so two processes that find the same stale claim cannot both end up holding the lock.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors';

const CLAIM = /^lock\.(\d+)\.(\d*)\.[0-9a-f]+$/;
const HELD = '.held';
/** The lock file of spaceport releases before claims (its content is the holder's pid). */
const LEGACY_LOCK = 'lock';
const ATTEMPTS = 200;

interface Claim {
  readonly file: string;
  readonly pid: number;
}

/** Takes `dataDir` for this process; returns the function that gives it back. */
export function lockDataDir(dataDir: string): () => void {
  const own = `lock.${process.pid}.${startTime(process.pid) ?? ''}.${randomBytes(8).toString('hex')}`;
  const release = (): void => {
    rmSync(join(dataDir, own + HELD), { force: true });
    rmSync(join(dataDir, own), { force: true });
  };
  let contenders: Claim[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    createExclusively(join(dataDir, own));
    const { others, held } = liveClaims(dataDir, own);
    contenders = others;
    if (others.length === 0) {
      createExclusively(join(dataDir, own + HELD));
      return release;
    }
    release();
    if (held !== undefined) {
      throw new UsageError(`${dataDir} is in use by another spaceport dev (pid ${held.pid}); stop it first`);
    }
    // Only contenders that have not decided yet: step back for a random moment so one of us finds itself alone.
    sleep(1 + Math.random() * 10);
  }
  const pids = [...new Set(contenders.map((claim) => claim.pid))].join(', ');
  throw new UsageError(`could not lock ${dataDir}: other processes (pid ${pids}) kept contending for it; stop them or try again`);
}

/** The claims other than `own` whose processes live (removing the rest), and the one among them that holds. */
function liveClaims(dataDir: string, own: string): { others: Claim[]; held: Claim | undefined } {
  const names = new Set(readdirSync(dataDir));
  const others: Claim[] = [];
  let held: Claim | undefined;
  for (const name of names) {
    if (name === own) continue;
    const claim = claimOf(dataDir, name);
    if (claim === undefined) continue;
    if (!claim.alive) {
      rmSync(join(dataDir, name + (name === LEGACY_LOCK ? '' : HELD)), { force: true });
      rmSync(join(dataDir, name), { force: true });
      continue;
    }
    others.push(claim);
    if (name === LEGACY_LOCK || names.has(name + HELD)) held = claim;
  }
  return { others, held };
}

function claimOf(dataDir: string, name: string): (Claim & { alive: boolean }) | undefined {
  if (name === LEGACY_LOCK) {
    let pid: number;
    try {
      pid = Number(readFileSync(join(dataDir, name), 'utf8'));
    } catch {
      return undefined;
    }
    return { file: name, pid, alive: Number.isInteger(pid) && pid > 0 && isRunning(pid) };
  }
  const match = CLAIM.exec(name);
  if (match === null) return undefined;
  const pid = Number(match[1]);
  const started = match[2];
  // A pid the kernel gave to a younger process since is not the claimant; without /proc, the pid alone decides.
  const alive = isRunning(pid) && (started === '' || (startTime(pid) ?? started) === started);
  return { file: name, pid, alive };
}

function createExclusively(file: string): void {
  closeSync(openSync(file, 'wx', 0o600));
}

/** When `pid` started, in clock ticks since boot (Linux /proc), or undefined where that cannot be read. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its last `)` do not.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

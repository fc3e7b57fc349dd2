import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ExecutionEnvironment,
  Sandbox,
  UNCONFINED,
  formatLimitsTable,
  probeSandbox,
  type ExecutionEnvironmentOptions,
  type LimitStatus,
} from '../../lib/local/emulator';

const SHELL_RUNTIME = path.join(__dirname, 'fixtures', 'shell-runtime');
const caps = await probeSandbox();
const sandbox = new Sandbox(caps);
const environments: ExecutionEnvironment[] = [];

afterAll(async () => {
  await Promise.all(environments.map((env) => env.shutdown()));
});

function inSandbox(overrides: Partial<ExecutionEnvironmentOptions> = {}): ExecutionEnvironment {
  const env = new ExecutionEnvironment({
    functionName: 'sandbox-test',
    taskRoot: SHELL_RUNTIME,
    runtime: 'provided.al2023',
    environment: {},
    log: () => undefined,
    sandbox,
    ...overrides,
  });
  environments.push(env);
  return env;
}

/** The test name, with the probe's reason appended when the limit is not enforced here. */
function when(limit: LimitStatus, name: string): [boolean, string] {
  const skip = limit.enforcement !== 'enforced';
  return [skip, skip ? `${name} (skipped: ${limit.enforcement} here: ${limit.how})` : name];
}

describe('probeSandbox', () => {
  it('states every limit as enforced, approximated or not enforced, with how or why', () => {
    const table = formatLimitsTable(caps);
    console.log(`limits on this machine:\n${table}`);
    for (const name of ['isolation', 'open files', 'read-only filesystem', '/tmp size', 'memory', 'processes/threads', 'timeout']) {
      expect(table).toMatch(new RegExp(`^${name}.*  (enforced|approximated|not enforced)  \\S`, 'm'));
    }
    expect(formatLimitsTable(UNCONFINED)).toMatch(/^read-only filesystem.*not enforced/m);
    expect(formatLimitsTable(UNCONFINED)).toMatch(/^isolation.*not enforced {2}no sandbox configured: the processes run as this user/m);
  });

  it('states the timeout and memory the environments are configured with', () => {
    expect(formatLimitsTable(caps)).toMatch(/^timeout \(20 s\) .*enforced/m);
    const table = formatLimitsTable(caps, { timeoutMs: 1500, memoryMb: 1024 });
    expect(table).toMatch(/^timeout \(1\.5 s\) .*enforced/m);
    expect(table).toMatch(/^memory \(1024 MB\) /m);
    expect(table).not.toMatch(/20 s/);
  });

  it('leaves no cgroup or scratch directory behind once an environment shuts down', async () => {
    const env = inSandbox({ functionName: 'cleanup-check' });
    await env.invoke('true');
    await env.shutdown();
    const leftovers = fs.readdirSync('/tmp').filter((name) => name.startsWith('spaceport-cleanup-check-'));
    expect(leftovers).toEqual([]);
    for (const parent of [caps.memoryCgroup, caps.pidsCgroup]) {
      if (!parent) continue;
      expect(fs.readdirSync(parent.dir).filter((d) => d.startsWith(`spaceport-${process.pid}-cleanup-check`))).toEqual([]);
    }
  });
});

describe('limits inside an execution environment', () => {
  const [roSkip, roName] = when(caps.limits.filesystem, "a write outside /tmp fails with EROFS; /tmp, /var/task and /opt are Lambda's");
  it.skipIf(roSkip)(roName, async () => {
    const result = await inSandbox().invoke('touch /var/task/new; touch /etc/new; touch /new; echo ok > /tmp/x && cat /tmp/x; pwd; ls /var/task');
    const output = result.payload.toString();
    expect(output).toContain("touch: cannot touch '/var/task/new': Read-only file system");
    expect(output).toContain("touch: cannot touch '/etc/new': Read-only file system");
    expect(output).toContain("touch: cannot touch '/new': Read-only file system");
    expect(output).toMatch(/^ok\n\/var\/task\nbootstrap\n/m);
  });

  const [tmpSkip, tmpName] = when(caps.limits.tmp, '/tmp stops at its size with ENOSPC');
  it.skipIf(tmpSkip)(tmpName, async () => {
    const env = inSandbox({ ephemeralStorageMb: 16 });
    const fits = await env.invoke('dd if=/dev/zero of=/tmp/fits bs=1M count=12 2>&1 | tail -1; rm /tmp/fits');
    expect(fits.payload.toString()).toMatch(/12582912 bytes .* copied[\s\S]*exit=0/);
    const tooBig = await env.invoke('dd if=/dev/zero of=/tmp/big bs=1M count=24');
    expect(tooBig.payload.toString()).toContain('No space left on device');
  });

  const [memSkip, memName] = when(caps.limits.memory, 'a memory hog is OOM-killed and reported as Runtime.OutOfMemory');
  it.skipIf(memSkip)(memName, async () => {
    const env = inSandbox({ memoryMb: 128 });
    const result = await env.invoke(`${process.execPath} -e 'const a = []; for (;;) a.push(Buffer.alloc(8 << 20, 1))'`);
    expect(result.outcome).toBe('crash');
    expect(JSON.parse(result.payload.toString())).toEqual({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: signal: killed`,
    });
    expect(result.maxMemoryUsedMb).toBeGreaterThanOrEqual(120);
    expect((await env.invoke('echo alive')).payload.toString()).toContain('alive');
  });

  // dd holds one buffer of its block size: 192 MB touched at once, then it exits (no endless allocation that any limit stops).
  const ALLOCATE_192_MB_AND_EXIT = 'dd if=/dev/zero of=/dev/null bs=192M count=1 2>/dev/null && echo allocated';
  const [limitSkip, limitName] = when(caps.limits.memory, 'a function that allocates 192 MB is killed at 128 MB and not at 256 MB');
  it.skipIf(limitSkip)(limitName, async () => {
    const small = await inSandbox({ memoryMb: 128 }).invoke(ALLOCATE_192_MB_AND_EXIT);
    expect(small).toMatchObject({ outcome: 'crash', functionErrorType: 'Runtime.OutOfMemory' });
    expect(small.maxMemoryUsedMb).toBeLessThanOrEqual(128);

    const large = await inSandbox({ memoryMb: 256 }).invoke(ALLOCATE_192_MB_AND_EXIT);
    expect(large.outcome).toBe('success');
    expect(large.payload.toString()).toContain('allocated');
    expect(large.maxMemoryUsedMb).toBeGreaterThanOrEqual(192);
    expect(large.maxMemoryUsedMb).toBeLessThanOrEqual(256);
  });

  it('never reports Max Memory Used above the memory size, even where it approximates the limit', async () => {
    const lines: string[] = [];
    const env = inSandbox({ memoryMb: 128, sandbox: new Sandbox(UNCONFINED), log: (line) => lines.push(line) });
    // Three processes of 60 MB each: their summed RSS passes 128 MB, so the polled limit kills them.
    const result = await env.invoke(
      `for i in 1 2 3; do ${process.execPath} -e 'globalThis.b = Buffer.alloc(60 << 20, 1); setTimeout(() => {}, 3000)' & done; wait`,
    );
    expect(result.functionErrorType).toBe('Runtime.OutOfMemory');
    expect(result.maxMemoryUsedMb).toBe(128);
    expect(lines.find((line) => line.startsWith('REPORT'))).toContain('Memory Size: 128 MB\tMax Memory Used: 128 MB');
  });

  const [pidsSkip, pidsName] = when(caps.limits.processes, 'more processes than the pids limit cannot be created');
  it.skipIf(pidsSkip)(pidsName, async () => {
    const env = inSandbox({ maxProcesses: 24 });
    const result = await env.invoke('for i in $(seq 40); do sleep 5 & done 2>&1 | head -1; echo started');
    expect(result.payload.toString()).toMatch(/fork|Resource temporarily unavailable/i);
  });
});

/** A private copy of the shell runtime as the task root: an escape that writes into it cannot touch the fixtures. */
function privateTaskRoot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spaceport-sandbox-task-'));
  fs.copyFileSync(path.join(SHELL_RUNTIME, 'bootstrap'), path.join(dir, 'bootstrap'));
  fs.chmodSync(path.join(dir, 'bootstrap'), 0o755);
  return dir;
}

describe('isolation: what Lambda does not share with a function', () => {
  const [isoSkip] = when(caps.limits.isolation, '');
  const named = (name: string): string =>
    isoSkip ? `${name} (skipped: isolation ${caps.limits.isolation.enforcement} here: ${caps.limits.isolation.how})` : name;

  it.skipIf(isoSkip)(named('cannot remount the task root read-write and write into the source tree'), async () => {
    const taskRoot = privateTaskRoot();
    try {
      const result = await inSandbox({ taskRoot }).invoke('mount -o remount,rw,bind /var/task && touch /var/task/escaped; touch /var/task/escaped');
      expect(result.payload.toString()).toMatch(/mount: .*permission denied/);
      expect(result.payload.toString()).toContain("touch: cannot touch '/var/task/escaped': Read-only file system");
      expect(fs.readdirSync(taskRoot)).toEqual(['bootstrap']);
    } finally {
      fs.rmSync(taskRoot, { recursive: true, force: true });
    }
  });

  it.skipIf(isoSkip)(named("cannot change the host's hostname, kernel settings or cgroups"), async () => {
    const hostname = fs.readFileSync('/proc/sys/kernel/hostname', 'utf8');
    try {
      const result = await inSandbox().invoke(
        'echo spaceport-escape > /proc/sys/kernel/hostname; hostname spaceport-escape; echo $$ > /sys/fs/cgroup/cgroup.procs; ' +
          'for f in /sys/fs/cgroup/*/cgroup.procs; do echo $$ > $f; done; hostname',
      );
      const output = result.payload.toString();
      expect(output).toContain('/proc/sys/kernel/hostname: Read-only file system');
      expect(output).toMatch(/hostname: .*(not permitted|permission denied|must be root)/i);
      expect(output).not.toMatch(/^spaceport-escape$/m);
      expect(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8')).toBe(hostname);
    } finally {
      // Only if the sandbox failed: put the host's name back.
      if (fs.readFileSync('/proc/sys/kernel/hostname', 'utf8') !== hostname) fs.writeFileSync('/proc/sys/kernel/hostname', hostname);
    }
  });

  it.skipIf(isoSkip)(named('runs with no capabilities, unable to regain any, in its own PID, IPC and hostname namespaces'), async () => {
    const result = await inSandbox().invoke(
      "grep -E '^(CapPrm|CapEff|NoNewPrivs)' /proc/self/status; readlink /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/pid; ps -e -o pid= | wc -l",
    );
    const output = result.payload.toString();
    expect(output).toMatch(/^CapPrm:\s+0+$/m);
    expect(output).toMatch(/^CapEff:\s+0+$/m);
    expect(output).toMatch(/^NoNewPrivs:\s+1$/m);
    for (const ns of ['uts', 'ipc', 'pid']) {
      const inside = new RegExp(`^${ns}:\\[\\d+\\]$`, 'm').exec(output)?.[0];
      expect(inside).toBeDefined();
      expect(inside).not.toBe(fs.readlinkSync(`/proc/self/ns/${ns}`));
    }
  });

  it.skipIf(isoSkip)(named('still reaches 127.0.0.1, binds its own port and reads /opt and its code'), async () => {
    const sibling = http.createServer((_req, res) => res.end('sibling micro'));
    await new Promise<void>((resolve) => sibling.listen(0, '127.0.0.1', resolve));
    const layerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spaceport-sandbox-layer-'));
    fs.writeFileSync(path.join(layerDir, 'layer.txt'), 'from the layer');
    try {
      const { port } = sibling.address() as AddressInfo;
      const server = `require('http').createServer((q, r) => r.end('own port')).listen(0, '127.0.0.1', async function () {
        console.log(await (await fetch('http://127.0.0.1:' + this.address().port)).text()); process.exit(0); })`;
      const result = await inSandbox({ layerDir }).invoke(
        `curl -sS http://127.0.0.1:${port}/; echo; ${process.execPath} -e "${server}"; cat /opt/layer.txt; echo; head -1 /var/task/bootstrap`,
      );
      expect(result.payload.toString()).toBe('sibling micro\nown port\nfrom the layer\n#!/bin/bash\nexit=0');
    } finally {
      sibling.close();
      fs.rmSync(layerDir, { recursive: true, force: true });
    }
  });

  it.skipIf(isoSkip)(named("cannot read the app's local secrets, neither under /var/task nor at their host path"), async () => {
    // Under /var/tmp, which the sandbox shows read-only as it is (its own /tmp hides the host's).
    const app = fs.mkdtempSync('/var/tmp/spaceport-hidden-');
    const taskRoot = path.join(app, 'web');
    const secrets = path.join(taskRoot, '.spaceport');
    fs.mkdirSync(secrets, { recursive: true });
    fs.writeFileSync(path.join(secrets, 'owner-secret'), 'the-owner-secret');
    fs.copyFileSync(path.join(SHELL_RUNTIME, 'bootstrap'), path.join(taskRoot, 'bootstrap'));
    try {
      const read = `cat /var/task/.spaceport/owner-secret ${secrets}/owner-secret; touch /var/task/.spaceport/x ${secrets}/x; ls -A ${secrets}`;
      // Without hiding them, both paths show the secret: the test can tell.
      expect((await inSandbox({ taskRoot }).invoke(read)).payload.toString()).toMatch(/^the-owner-secretthe-owner-secret/);
      const hidden = (await inSandbox({ taskRoot, hiddenPaths: [secrets] }).invoke(read)).payload.toString();
      expect(hidden).not.toContain('the-owner-secret');
      expect(hidden).toContain('cat: /var/task/.spaceport/owner-secret: No such file or directory');
      expect(hidden).toContain(`cat: ${secrets}/owner-secret: No such file or directory`);
      expect(hidden).toContain("touch: cannot touch '/var/task/.spaceport/x': Read-only file system");
      expect(fs.readdirSync(secrets)).toEqual(['owner-secret']);
    } finally {
      fs.rmSync(app, { recursive: true, force: true });
    }
  });

  it.skipIf(isoSkip)(named('/dev/shm is not writable, so Python multiprocessing cannot create its semaphores, as on Lambda'), async () => {
    const result = await inSandbox().invoke(
      'touch /dev/shm/x; echo > /dev/null && echo null-ok; ' +
        '/usr/bin/python3 -c \'import multiprocessing\ntry:\n  multiprocessing.Pool(2)\nexcept OSError as e:\n  print("OSError", e.errno)\'',
    );
    const output = result.payload.toString();
    expect(output).toContain("touch: cannot touch '/dev/shm/x': Read-only file system");
    expect(output).toContain('null-ok');
    expect(output).toMatch(/^OSError \d+$/m);
  });
});

describe("Lambda's open-files limit", () => {
  it('is 1024, soft and hard, in every environment', async () => {
    for (const env of [
      inSandbox(),
      new ExecutionEnvironment({
        functionName: 'unconfined',
        taskRoot: SHELL_RUNTIME,
        runtime: 'provided.al2023',
        environment: {},
        log: () => undefined,
      }),
    ]) {
      if (!environments.includes(env)) environments.push(env);
      const result = await env.invoke(
        `ulimit -Sn; ulimit -Hn; ${process.execPath} -e "const fs = require('fs'); try { for (let i = 0; i < 1100; i++) fs.openSync('/dev/null'); } catch (e) { console.log(e.code) }"`,
      );
      expect(result.payload.toString()).toBe('1024\n1024\nEMFILE\nexit=0');
    }
  });
});

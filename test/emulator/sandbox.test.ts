import fs from 'node:fs';
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
    for (const name of ['read-only filesystem', '/tmp size', 'memory', 'processes/threads', 'timeout']) {
      expect(table).toMatch(new RegExp(`^${name}.*  (enforced|approximated|not enforced)  \\S`, 'm'));
    }
    expect(formatLimitsTable(UNCONFINED)).toMatch(/^read-only filesystem.*not enforced/m);
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

  const [pidsSkip, pidsName] = when(caps.limits.processes, 'more processes than the pids limit cannot be created');
  it.skipIf(pidsSkip)(pidsName, async () => {
    const env = inSandbox({ maxProcesses: 24 });
    const result = await env.invoke('for i in $(seq 40); do sleep 5 & done 2>&1 | head -1; echo started');
    expect(result.payload.toString()).toMatch(/fork|Resource temporarily unavailable/i);
  });
});

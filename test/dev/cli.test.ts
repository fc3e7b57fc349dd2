/** `spaceport dev` and `spaceport trigger` as a user runs them: arguments, messages, exit codes, Ctrl-C. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../lib/core/errors';
import { devCommand } from '../../lib/cli/dev';
import { triggerCommand } from '../../lib/cli/trigger';
import { findFreePort } from '../../lib/local/dev/free-port';
import { capture, descendantsOf, eventually, isAlive } from './dev-helpers';

const FAULTS = join(__dirname, '../fixtures/dev-faults/Spacefile');

afterEach(() => {
  vi.restoreAllMocks();
});

function appWith(spacefile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-cli-'));
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'index.js'), '');
  writeFileSync(join(dir, 'Spacefile'), spacefile);
  return join(dir, 'Spacefile');
}

describe('spaceport dev and trigger', () => {
  it('runs until SIGINT, fires actions for spaceport trigger, refuses a taken port, and leaves no process', async () => {
    const stdout = capture(process.stdout);
    const stderr = capture(process.stderr);
    const port = await findFreePort();
    const running = devCommand.run(['--port', String(port), '--no-watch', '--no-schedule', FAULTS]);
    // The router listens before the data service and the micros are set up: ready is its last start-up line.
    await eventually(
      async () => (/dev +\| ready on http:\/\/localhost:\d+/.test(stdout()) ? true : undefined),
      'spaceport dev to say it is ready',
      400,
    );
    expect(stdout()).toMatch(/dev +\| memory \(512 MB\) +(enforced|approximated)/);

    expect(await triggerCommand.run(['every-minute', '--port', String(port)])).toBe(0);
    expect(stdout()).toMatch(/action every-minute on faults: ok \(200\) in \d+ ms\n\{"recorded":"every-minute"\}/);
    expect(await triggerCommand.run(['nope', '--port', String(port)])).toBe(1);
    expect(stderr()).toMatch(/spaceport trigger: no action with id 'nope' in .*Spacefile/);

    await expect(devCommand.run(['--port', String(port), FAULTS])).rejects.toThrow(
      new UsageError(`port ${port} on 127.0.0.1 is already in use (another spaceport dev?): pass --port <free port>`),
    );

    const started = descendantsOf(process.pid);
    expect(started.length).toBeGreaterThan(0);
    process.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(0);
    expect(started.filter(isAlive)).toEqual([]);
    expect(stdout()).toMatch(/SIGINT: stopping every micro/);
  });

  it('says when no spaceport dev is running', async () => {
    const stderr = capture(process.stderr);
    const port = await findFreePort();
    expect(await triggerCommand.run(['tick', '--port', String(port)])).toBe(1);
    expect(stderr()).toBe(`spaceport trigger: nothing answers on port ${port}: start 'spaceport dev' first (or pass --port)\n`);
  });

  it('reports Spacefile problems and missing preset values without starting anything', async () => {
    const stderr = capture(process.stderr);
    expect(await devCommand.run([appWith('v: 0\nmicros:\n  - name: web\n    src: ./web\n    engine: nodejs17\n')])).toBe(1);
    expect(stderr()).toMatch(/Spacefile:5:\d+ +micros\[0\]\.engine/);

    const needsSecret = appWith(
      'v: 0\nmicros:\n  - name: web\n    src: ./web\n    engine: nodejs16\n    presets:\n      env:\n        - name: SECRET\n',
    );
    await expect(devCommand.run(['--port', '0', needsSecret])).rejects.toThrow(/preset SECRET of micro web has no default and no value/);
    await expect(devCommand.run(['--env', 'OTHER=1', '--port', '0', needsSecret])).rejects.toThrow(/--env OTHER: no micro/);
  });

  it('rejects malformed options with the usage', async () => {
    await expect(devCommand.run(['--port', 'eighty'])).rejects.toThrow(/--port must be a whole number from 0 to 65535, got 'eighty'/);
    await expect(devCommand.run(['--bogus'])).rejects.toThrow(/Usage: spaceport dev/);
    await expect(triggerCommand.run([])).rejects.toThrow(/expected one action id/);
  });

  it('names an unknown option or a missing value in one line, with the usage', async () => {
    await expect(devCommand.run(['--bogus'])).rejects.toThrow(new UsageError(`unknown option '--bogus'. Usage: spaceport ${devCommand.usage}`));
    await expect(devCommand.run(['--port'])).rejects.toThrow(new UsageError(`--port needs a value. Usage: spaceport ${devCommand.usage}`));
    await expect(devCommand.run(['--build=yes'])).rejects.toThrow(/^--build takes no value\. Usage: spaceport dev/);
    await expect(triggerCommand.run(['tick', '--timeout', '5'])).rejects.toThrow(
      new UsageError(`unknown option '--timeout'. Usage: spaceport ${triggerCommand.usage}`),
    );
  });

  it('answers --help and -h with the usage and every option, starting nothing', async () => {
    const stdout = capture(process.stdout);
    expect(await devCommand.run(['--help', '--port', '1'])).toBe(0);
    for (const option of ['--build', '--port N', '--env NAME=value', '--concurrency N', '--no-watch', '--no-schedule', '--verbose', '-h, --help']) {
      expect(stdout()).toMatch(new RegExp(`^  ${option} +\\S`, 'm'));
    }
    expect(stdout()).toContain(`Usage: spaceport ${devCommand.usage}\n`);
    expect(stdout()).toMatch(/--env NAME=value +a preset's value.*\(repeatable\)/);
    expect(await triggerCommand.run(['-h'])).toBe(0);
    expect(stdout()).toContain(`Usage: spaceport ${triggerCommand.usage}\n`);
    expect(stdout()).toMatch(/^ {2}--port N +the port spaceport dev listens on \(default 4200\)$/m);
  });
});

/** Lambda's limits and failures under spaceport dev, on a fixture micro that misbehaves on demand. */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../lib/local/emulator/sandbox';
import { loadSpacefile } from '../../lib/spacefile/load';
import { type TestDev, eventually, startTestDev } from './dev-helpers';
import { FakeClock } from './fake-clock';

const TIMEOUT_MS = 1500;
let dev: TestDev;
let appDir: string;
const clock = new FakeClock(Date.UTC(2024, 5, 1, 8, 59, 59));

beforeAll(async () => {
  // A copy, so the watcher test can edit the source without touching the repository.
  appDir = mkdtempSync(join(tmpdir(), 'spaceport-dev-faults-'));
  cpSync(join(__dirname, '../fixtures/dev-faults'), appDir, { recursive: true });
  dev = await startTestDev({ app: loadSpacefile(join(appDir, 'Spacefile')), timeoutMs: TIMEOUT_MS, clock, watch: true });
});
afterAll(async () => {
  await dev?.server.stop();
});

async function whoami(ms = 0): Promise<{ pid: number; port: string; startedAt: number }> {
  const response = await dev.get(`/whoami?ms=${ms}`);
  expect(response.status).toBe(200);
  return response.json();
}

describe('spaceport dev under Lambda limits', () => {
  it('serves concurrent requests from several environments, each with its own PORT', async () => {
    const answers = await Promise.all([whoami(400), whoami(400), whoami(400)]);
    expect(new Set(answers.map((a) => a.port)).size).toBe(3);
    expect(dev.logs().match(/faults +\| GET \/whoami 200 \d+ ms cold/g)).toHaveLength(3);
  });

  it('times a slow handler out with a clear 504 and recovers', async () => {
    const response = await dev.get('/slow');
    expect(response.status).toBe(504);
    const body = await response.json();
    expect(body.message).toBe(`micro faults did not answer within ${TIMEOUT_MS / 1000} s`);
    expect(body.errorMessage).toMatch(/Task timed out after 1\.50 seconds/);
    expect((await whoami()).pid).toBeGreaterThan(0);
  });

  it('stops a memory hog and recovers', async () => {
    const response = await dev.get('/hog');
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      message: 'micro faults crashed while handling the request',
      errorType: 'Runtime.OutOfMemory',
    });
    expect(dev.logs()).toMatch(/faults +\| crashed \(Runtime\.OutOfMemory\)/);
    expect((await whoami()).pid).toBeGreaterThan(0);
  });

  it('refuses writes outside /tmp where the sandbox enforces a read-only filesystem', async (context) => {
    const caps = await probeSandbox();
    if (caps.limits.filesystem.enforcement !== 'enforced') context.skip(`read-only filesystem not enforced here: ${caps.limits.filesystem.how}`);
    expect(await (await dev.get('/write')).json()).toEqual({ task: 'EROFS', tmp: 'ok' });
  });

  it('answers 502 naming a micro that fails to start, and logs its output', async () => {
    const response = await dev.get('/broken/anything');
    expect(response.status).toBe(502);
    expect((await response.json()).message).toBe('micro broken failed to start; its output is in the spaceport dev log');
    expect(dev.logs()).toMatch(/broken +\| broken: cannot read config\.json: no such file/);
    expect(dev.logs()).toMatch(/broken +\| failed to start \(/);
  });

  it('fires a * * * * * action at the next minute', async () => {
    clock.advance(1000);
    const runs = await eventually(async () => {
      const { runs } = await (await dev.get('/actions')).json();
      return runs.length > 0 ? runs : undefined;
    }, 'the every-minute action');
    expect(JSON.parse(runs[0])).toEqual({ event: { id: 'every-minute', trigger: 'schedule' } });
  });

  it('restarts a micro when its source changes', async () => {
    const before = await whoami();
    writeFileSync(join(appDir, 'faults', 'changed.js'), '// edited\n');
    const after = await eventually(async () => {
      const now = await whoami();
      return now.startedAt !== before.startedAt ? now : undefined;
    }, 'the micro to restart after a source change');
    expect(after.startedAt).toBeGreaterThan(before.startedAt);
    expect(dev.logs()).toMatch(/faults +\| changed\.js changed: restarting/);
  });
});

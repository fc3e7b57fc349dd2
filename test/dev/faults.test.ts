/** Lambda's limits and failures under spaceport dev, on a fixture micro that misbehaves on demand. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** The log written since `mark` (a length of `dev.logs()`), once it matches `pattern`. */
function loggedSince(mark: number, pattern: RegExp, what: string): Promise<string> {
  return eventually(async () => {
    const text = dev.logs().slice(mark);
    return pattern.test(text) ? text : undefined;
  }, what);
}

describe('spaceport dev under Lambda limits', () => {
  it('states the configured timeout in the limits table', () => {
    expect(dev.logs()).toMatch(/^dev +\| timeout \(1\.5 s\) +enforced/m);
  });

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
    // The output appears once per INIT attempt (Lambda retries a failed INIT inside the invocation), as the micro
    // printed it; the failure lines only summarise.
    expect(dev.logs().match(/broken: cannot read config\.json: no such file/g)).toHaveLength(2);
    expect(dev.logs()).toMatch(/broken +\| failed to start \(Spaceport\.AppStartFailed\): `node server\.js` exited with code \d+ before listening/);
  });

  it('fires a * * * * * action at the next minute', async () => {
    clock.advance(1000);
    const runs = await eventually(async () => {
      const { runs } = await (await dev.get('/actions')).json();
      return runs.length > 0 ? runs : undefined;
    }, 'the every-minute action');
    expect(JSON.parse(runs[0])).toEqual({ event: { id: 'every-minute', trigger: 'schedule' } });
  });

  it('answers 413 as the cloud does when a binary body under 5.5 MB makes an event over 6 MiB', async () => {
    const upload = (bytes: number) =>
      dev.get('/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(bytes, 1) });
    const response = await upload(5_000_000);
    expect(response.status).toBe(413);
    const body = await response.json();
    expect(body).toMatchObject({
      message: 'Request Entity Too Large',
      errorType: 'RequestEntityTooLargeException',
      errorMessage: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    expect(body.detail).toMatch(/the 5000000-byte body is binary, so the event carries it base64-encoded, 4\/3 larger/);
    expect(dev.logs()).toMatch(/faults +\| POST \/upload 413 \d+ ms refused/);
    expect((await upload(4_000_000)).status).toBe(200);
  });

  it('restarts a micro when its source changes and starts it at once, so the next request is warm', async () => {
    const before = await whoami();
    const mark = dev.logs().length;
    writeFileSync(join(appDir, 'faults', 'changed.js'), '// edited\n');
    await loggedSince(mark, /faults +\| ready \(started in \d+ ms\)/, 'the restarted micro to be ready');
    const after = await whoami();
    expect(after.startedAt).toBeGreaterThan(before.startedAt);
    const logged = dev.logs().slice(mark);
    expect(logged).toMatch(/faults +\| changed\.js changed: restarting/);
    expect(logged).toMatch(/faults +\| GET \/whoami 200 \d+ ms warm/);
    expect(logged).not.toMatch(/GET \/whoami 200 \d+ ms cold/);
  });

  it('shows an init error right after the save that causes it, before any request', async () => {
    const server = join(appDir, 'faults', 'server.js');
    const original = readFileSync(server, 'utf8');
    const mark = dev.logs().length;
    writeFileSync(server, `${original}\n)this is not JavaScript(\n`);
    const logged = await loggedSince(mark, /faults +\| failed to start \(/, 'the init error of the edited micro');
    expect(logged).toMatch(/faults +\| .*SyntaxError/);
    expect(logged).not.toMatch(/faults +\| (GET|POST) \//);

    const fixed = dev.logs().length;
    writeFileSync(server, original);
    await loggedSince(fixed, /faults +\| ready \(started in \d+ ms\)/, 'the fixed micro to be ready');
    expect((await whoami()).pid).toBeGreaterThan(0);
  });
});

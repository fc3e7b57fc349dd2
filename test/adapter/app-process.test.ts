/**
 * The Node adapter's app process at shutdown: what the app prints in its SIGTERM handler reaches the log before
 * `stop` resolves, since the adapter exits right after it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { AppProcess } from '../../runtime-layer/node/app-process';

afterEach(() => vi.restoreAllMocks());

it("passes on the app's last words before stop resolves, even when the app exits while the adapter is busy", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-app-process-'));
  writeFileSync(
    join(dir, 'app.js'),
    "process.on('SIGTERM', () => { console.log('saving state'); console.log('bye'); process.exit(0); });\nconsole.log('ready');\nsetInterval(() => {}, 1000);\n",
  );
  const app = new AppProcess(`${JSON.stringify(process.execPath)} app.js`, dir, process.env);
  const printed: string[] = [];
  const ready = new Promise<void>((resolve) => (app.onOutput = resolve));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  await ready;
  const stopped = app.stop(5000);
  // The adapter's event loop is held up (a loaded machine) while the app prints and exits: when it runs again, the
  // stop loop's timer comes before the pipe's data.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  await stopped;
  rmSync(dir, { recursive: true, force: true });
  expect(printed.join('')).toBe('ready\nsaving state\nbye\n');
});

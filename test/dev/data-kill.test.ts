/**
 * `kill -9` of a real `spaceport dev` process: every Base and Drive write the SDK saw acknowledged is there when
 * `spaceport dev` starts again on the same app (which takes over the lock the killed process left).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deta } from 'deta';
import { afterAll, expect, it } from 'vitest';

const CLI = join(__dirname, '..', '..', 'dist', 'bin', 'spaceport.js');
const appDir = mkdtempSync(join(tmpdir(), 'spaceport-dev-kill-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(appDir, { recursive: true, force: true });
});

/** `spaceport dev` on the app; resolves with the data host it printed, once it is ready. */
function startDev(): Promise<{ child: ChildProcess; dataHost: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'dev', join(appDir, 'Spacefile'), '--port', '0', '--no-watch', '--no-schedule'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const host = /data: Base and Drive on https:\/\/(\S+)/.exec(output)?.[1];
      if (host && output.includes('ready on')) resolve({ child, dataHost: host, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`spaceport dev exited with ${code}:\n${output}`)));
  });
}

it('keeps every acknowledged write after kill -9 of spaceport dev', async () => {
  cpSync(join(__dirname, '..', 'fixtures', 'dev-data'), appDir, { recursive: true });
  // The run's CA, which this test process trusts (test/global-setup.ts), as the app's local CA.
  cpSync(join(process.env.SPACEPORT_TEST_STATE_DIR!, 'tls'), join(appDir, '.spaceport', 'tls'), { recursive: true });
  const first = await startDev();
  const deta = Deta(readFileSync(join(appDir, '.spaceport', 'project-key'), 'utf8').trim());
  const db = deta.Base('kept', first.dataHost);
  await db.putMany(Array.from({ length: 25 }, (_, index) => ({ key: `k${index}`, index })));
  await deta.Drive('kept', first.dataHost).put('a/file.txt', { data: 'survives' });
  await new Promise<void>((resolve) => {
    first.child.once('exit', () => resolve());
    first.child.kill('SIGKILL');
  });

  const second = await startDev();
  expect(second.output()).toMatch(/25 items, 1 file/);
  const again = deta.Base('kept', second.dataHost);
  expect((await again.fetch()).count).toBe(25);
  expect(await again.get('k24')).toEqual({ key: 'k24', index: 24 });
  const file = await deta.Drive('kept', second.dataHost).get('a/file.txt');
  expect(await file!.text()).toBe('survives');
  second.child.kill('SIGINT');
  await new Promise((resolve) => second.child.once('exit', resolve));
});

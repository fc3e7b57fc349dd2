/**
 * Every acknowledged write survives `kill -9`: the data service runs in its own process, the official SDK writes
 * to it (many writes in flight when the process is killed), and a restarted service must hold every write that
 * was acknowledged, and nothing torn.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Deta } from 'deta';
import { afterEach, expect, it } from 'vitest';
import { newStateDir, PROJECT_KEY, startTestData } from './data-helpers';

const SERVE = join(__dirname, '..', 'fixtures', 'data-service', 'serve.mjs');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** The service in a child process; resolves with its host once it listens. */
function serveInChild(stateDir: string): Promise<{ child: ChildProcess; host: string }> {
  const child = spawn(process.execPath, [SERVE, stateDir, PROJECT_KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\S+)\n/.exec(output);
      if (ready) resolve({ child, host: ready[1]! });
    });
    child.once('exit', (code) => reject(new Error(`data service exited with ${code} before it was ready`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

it('keeps every acknowledged Base and Drive write after kill -9 and restart', async () => {
  const stateDir = newStateDir();
  const { child, host } = await serveInChild(stateDir);
  const deta = Deta(PROJECT_KEY);
  const db = deta.Base('durable', host);
  const drive = deta.Drive('durable', host);

  // Acknowledged before the kill: these must all be there.
  await db.putMany(Array.from({ length: 25 }, (_, index) => ({ key: `batch-${index}`, index })));
  await db.insert({ key: 'inserted', v: 1 });
  await db.update({ v: db.util.increment(41) }, 'inserted');
  await db.delete('batch-0');
  const file = randomBytes(3 * 1024 * 1024);
  await drive.put('files/one.bin', { data: file });

  // Many writes in flight when the process dies: whichever were acknowledged must survive.
  const acknowledged: string[] = [];
  let enoughAcknowledged: () => void;
  const killTime = new Promise<void>((resolve) => (enoughAcknowledged = resolve));
  const inFlight = Array.from({ length: 400 }, (_, index) =>
    db.put({ index }, `racing-${index}`).then(
      () => {
        acknowledged.push(`racing-${index}`);
        if (acknowledged.length === 50) enoughAcknowledged();
      },
      () => undefined,
    ),
  );
  await killTime;
  await killed(child);
  await Promise.all(inFlight);

  const restarted = await startTestData(stateDir);
  try {
    const again = restarted.deta.Base('durable');
    expect(await again.get('inserted')).toEqual({ key: 'inserted', v: 42 });
    expect(await again.get('batch-0')).toBeNull();
    expect((await again.fetch({ 'key?pfx': 'batch-' })).count).toBe(24);
    for (const key of acknowledged) expect(await again.get(key)).toMatchObject({ key });
    const back = await restarted.deta.Drive('durable').get('files/one.bin');
    expect(Buffer.from(await back!.arrayBuffer()).equals(file)).toBe(true);
    expect(await restarted.deta.Drive('durable').list()).toEqual({ names: ['files/one.bin'] });
  } finally {
    await restarted.stop();
  }
});

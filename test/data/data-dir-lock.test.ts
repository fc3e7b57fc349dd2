/**
 * The data directory's lock, held by real processes: a stale lock (its process gone, or its pid reused) is taken
 * over, a live one refuses with its pid, and of several processes racing for a stale lock exactly one wins.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { lockDataDir } from '../../lib/local/data/data-dir-lock';
import { useTempDirs } from '../temp-dirs';

const LOCK_MODULE = join(__dirname, '..', '..', 'dist', 'lib', 'local', 'data', 'data-dir-lock.js');
const newDir = useTempDirs('spaceport-lock-');

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

it('takes over the lock of a process that is gone, and of a pid now held by a younger process', () => {
  const dir = newDir();
  writeFileSync(join(dir, 'lock'), String(deadPid()));
  const gone = deadPid();
  writeFileSync(join(dir, `lock.${gone}.12.00ff`), '');
  writeFileSync(join(dir, `lock.${gone}.12.00ff.held`), '');
  // This very process, but started at another time: its pid was reused.
  writeFileSync(join(dir, `lock.${process.pid}.1.0abc`), '');
  writeFileSync(join(dir, `lock.${process.pid}.1.0abc.held`), '');
  const release = lockDataDir(dir);
  expect(readdirSync(dir).sort()).toEqual([
    expect.stringMatching(new RegExp(`^lock\\.${process.pid}\\.\\d+\\.[0-9a-f]{16}$`)),
    expect.stringMatching(/\.held$/),
  ]);
  release();
  expect(readdirSync(dir)).toEqual([]);
});

it('refuses while another live process holds the lock, naming its pid, and leaves its lock alone', () => {
  const dir = newDir();
  const release = lockDataDir(dir);
  expect(() => lockDataDir(dir)).toThrow(new RegExp(`${dir} is in use by another spaceport dev \\(pid ${process.pid}\\)`));
  expect(readdirSync(dir)).toHaveLength(2);
  release();
  lockDataDir(dir)();
});

it('never takes the lock from a live process that is still deciding, and takes it once that process is gone', async () => {
  const dir = newDir();
  // A process stopped between making its claim and marking it held (no start time: judged by its pid alone).
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const claim = join(dir, `lock.${child.pid}..c0ffee`);
  writeFileSync(claim, '');
  try {
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`other processes \\(pid ${child.pid}\\) kept contending for it`));
    writeFileSync(`${claim}.held`, '');
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by another spaceport dev \\(pid ${child.pid}\\)`));
    expect(readdirSync(dir).sort()).toEqual([`lock.${child.pid}..c0ffee`, `lock.${child.pid}..c0ffee.held`]);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const release = lockDataDir(dir);
  expect(existsSync(claim)).toBe(false);
  release();
});

it('refuses while a live process holds a lock written by an earlier spaceport release', () => {
  const dir = newDir();
  writeFileSync(join(dir, 'lock'), String(process.pid));
  expect(() => lockDataDir(dir)).toThrow(/is in use by another spaceport dev/);
  expect(existsSync(join(dir, 'lock'))).toBe(true);
});

it('lets exactly one of several processes racing for a stale lock take it', async () => {
  const contenders = 4;
  for (let round = 0; round < 3; round++) {
    const dir = newDir();
    writeFileSync(join(dir, 'lock'), String(deadPid()));
    const gone = deadPid();
    writeFileSync(join(dir, `lock.${gone}.7.0123`), '');
    writeFileSync(join(dir, `lock.${gone}.7.0123.held`), '');
    const go = join(dir, '..', `${round}-${process.pid}-go`);
    const done = join(dir, '..', `${round}-${process.pid}-done`);
    // Each contender waits for the same signal, then locks; a winner holds on until every contender has answered.
    const script = `
      const { existsSync } = require('node:fs');
      const { lockDataDir } = require(${JSON.stringify(LOCK_MODULE)});
      console.log('ready');
      while (!existsSync(${JSON.stringify(go)}));
      let release;
      try { release = lockDataDir(${JSON.stringify(dir)}); console.log('held'); }
      catch (error) { console.log('refused: ' + error.message); }
      if (release) { while (!existsSync(${JSON.stringify(done)})); release(); }
    `;
    const children = Array.from({ length: contenders }, () => spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const answers = children.map((child) => {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const ready = lines.next();
      return { ready, answer: ready.then(() => lines.next()), exited: new Promise((resolve) => child.once('exit', resolve)) };
    });
    try {
      await Promise.all(answers.map((child) => child.ready));
      writeFileSync(go, '');
      const results = await Promise.all(answers.map(async (child) => (await child.answer).value as string));
      expect(results.filter((result) => result === 'held')).toHaveLength(1);
      for (const result of results.filter((result) => result !== 'held')) {
        expect(result).toMatch(/^refused: .* is in use by another spaceport dev \(pid \d+\)/);
      }
    } finally {
      writeFileSync(done, '');
      await Promise.all(answers.map((child) => child.exited));
      rmSync(go, { force: true });
      rmSync(done, { force: true });
    }
  }
});

/** The local Base store's journal: torn tails, damaged lines, compaction, expiry. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BASE_JOURNAL_FILE, JournalBaseStore } from '../../lib/local/data/journal-base-store';
import { useTempDirs } from '../temp-dirs';

const ref = { projectId: 'p', base: 'b' };
const newDir = useTempDirs('spaceport-journal-');

async function keys(store: JournalBaseStore): Promise<string[]> {
  return (await store.scan(ref, { range: {}, limit: 1000 })).records.map((record) => record.item.key);
}

it('cuts off a line torn by a crash (never acknowledged) and keeps every complete one', async () => {
  const dir = newDir();
  const store = await JournalBaseStore.open(dir);
  await store.putMany(ref, [{ item: { key: 'a' } }, { item: { key: 'b' } }]);
  await store.close();
  appendFileSync(join(dir, BASE_JOURNAL_FILE), '{"p":"p","b":"b","put":[{"item":{"key":"c"');
  const reopened = await JournalBaseStore.open(dir);
  expect(await keys(reopened)).toEqual(['a', 'b']);
  await reopened.putMany(ref, [{ item: { key: 'd' } }]);
  await reopened.close();
  expect(await keys(await JournalBaseStore.open(dir))).toEqual(['a', 'b', 'd']);
});

it('refuses to start on a damaged line in the middle, naming it, rather than dropping data', async () => {
  const dir = newDir();
  writeFileSync(join(dir, BASE_JOURNAL_FILE), '{"p":"p","b":"b","put":[{"item":{"key":"a"}}]}\nnot json\n{"p":"p","b":"b","del":"a"}\n');
  await expect(JournalBaseStore.open(dir)).rejects.toThrow(/base\.journal:2: unreadable journal line/);
});

it('compacts a journal of superseded lines into the live records, dropping expired ones', async () => {
  const dir = newDir();
  let now = 1_000_000_000_000;
  const store = await JournalBaseStore.open(dir, { now: () => now, compactionSlack: 10 });
  for (let i = 0; i < 40; i++) await store.putMany(ref, [{ item: { key: 'hot', i } }]);
  await store.putMany(ref, [{ item: { key: 'short-lived', __expires: now / 1000 + 1 }, expires: now / 1000 + 1 }]);
  await store.delete(ref, 'never-there');
  now += 10_000;
  for (let i = 0; i < 40; i++) await store.putMany(ref, [{ item: { key: 'hot', i: 100 + i } }]);
  const lines = readFileSync(join(dir, BASE_JOURNAL_FILE), 'utf8').trim().split('\n');
  expect(lines.length).toBeLessThan(20);
  await store.close();
  const reopened = await JournalBaseStore.open(dir);
  expect(await keys(reopened)).toEqual(['hot']);
  expect((await reopened.get(ref, 'hot'))?.item).toEqual({ key: 'hot', i: 139 });
});

function journalLines(dir: string): number {
  return readFileSync(join(dir, BASE_JOURNAL_FILE), 'utf8').trim().split('\n').length;
}

it('acknowledges a durable write whose compaction fails, logs the failure, and keeps the write across a restart', async () => {
  const dir = newDir();
  // A directory where compaction writes its temporary file: the compaction fails, the journal itself is fine.
  mkdirSync(join(dir, `${BASE_JOURNAL_FILE}.compacting`));
  const logged: string[] = [];
  const store = await JournalBaseStore.open(dir, { compactionSlack: 2, log: (line) => logged.push(line) });
  for (let i = 0; i < 10; i++) await store.putMany(ref, [{ item: { key: 'hot', i } }]);
  await store.putMany(ref, [{ item: { key: 'cold' } }]);
  await store.close();
  expect(logged.length).toBeGreaterThan(0);
  expect(logged[0]).toMatch(/base\.journal: compaction failed \(EISDIR/);
  // Not retried on every write once it failed.
  expect(logged.length).toBeLessThan(5);
  expect(journalLines(dir)).toBe(11);

  // A restart whose own compaction fails still opens, with every acknowledged write.
  const reopened = await JournalBaseStore.open(dir, { compactionSlack: 2, log: (line) => logged.push(line) });
  expect(await keys(reopened)).toEqual(['cold', 'hot']);
  expect((await reopened.get(ref, 'hot'))?.item).toEqual({ key: 'hot', i: 9 });
  await reopened.close();

  // Once the obstacle is gone, compaction works again.
  rmSync(join(dir, `${BASE_JOURNAL_FILE}.compacting`), { recursive: true });
  const healed = await JournalBaseStore.open(dir, { compactionSlack: 2, log: (line) => logged.push(line) });
  expect(journalLines(dir)).toBe(1);
  expect((await healed.get(ref, 'hot'))?.item).toEqual({ key: 'hot', i: 9 });
  await healed.close();
});

it('keeps every write made while compactions run, in order, across a restart', async () => {
  const dir = newDir();
  const store = await JournalBaseStore.open(dir, { compactionSlack: 3 });
  const expected = new Map<string, number>();
  const writes: Promise<unknown>[] = [];
  let operations = 0;
  for (let round = 0; round < 40; round++) {
    // Each awaited write may start a compaction; the burst after it is issued while that compaction runs.
    await store.putMany(ref, [{ item: { key: `k${round % 5}`, round } }]);
    expected.set(`k${round % 5}`, round);
    operations++;
    for (let burst = 0; burst < 6; burst++) {
      const key = `k${(round + burst) % 7}`;
      if (burst === 3) {
        writes.push(store.delete(ref, key));
        expected.delete(key);
      } else {
        writes.push(store.putMany(ref, [{ item: { key, round: round * 10 + burst } }]));
        expected.set(key, round * 10 + burst);
      }
      operations++;
    }
  }
  await Promise.all(writes);
  await store.close();
  expect(existsSync(join(dir, `${BASE_JOURNAL_FILE}.compacting`))).toBe(false);
  expect(journalLines(dir)).toBeLessThan(operations / 4);
  const reopened = await JournalBaseStore.open(dir);
  const records = (await reopened.scan(ref, { range: {}, limit: 1000 })).records;
  expect(new Map(records.map((record) => [record.item.key, record.item.round]))).toEqual(expected);
  await reopened.close();
});

/** The local Base store's journal: torn tails, damaged lines, compaction, expiry. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { BASE_JOURNAL_FILE, JournalBaseStore } from '../../lib/local/data/journal-base-store';

const ref = { projectId: 'p', base: 'b' };
const dirs: string[] = [];
function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spaceport-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

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

/**
 * `spaceport data import|export`: Space's export layouts imported into the real local stores and read back through
 * the official `deta` SDK, safe by default, resumable, refusing malformed exports whole, and a byte-identical round
 * trip.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataCommand } from '../../lib/cli/data';
import { openArchive } from '../../lib/data/archive';
import { DriveApi } from '../../lib/data/drive';
import { exportArchive, importArchive, type ImportOptions, type ImportReport } from '../../lib/data/transfer';
import { openLocalStores } from '../../lib/local/data/local-stores';
import { capture } from '../dev/dev-helpers';
import { newStateDir, PROJECT_KEY, startTestData, type TestData } from './data-helpers';

const PROJECT_ID = PROJECT_KEY.split('_')[0]!;
const FUTURE = Math.floor(Date.now() / 1000) + 86_400;
const PAST = Math.floor(Date.now() / 1000) - 60;
/** Crosses the SDKs' 10 MiB part size, so the import uploads it in two parts. */
const BIG_FILE = Buffer.alloc(10 * 1024 * 1024 + 4321, 7).fill(3, 5_000_000, 5_000_100);

let running: TestData | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Writes `files` (path -> content) into a fresh directory: an unpacked export. */
function exportDir(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'spaceport-export-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** The same files as a zip, written by yazl (not by the code under test). */
async function exportZip(files: Record<string, string | Buffer>): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'spaceport-export-')), 'export.zip');
  const zip = new yazl.ZipFile();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  await finished(out);
  return path;
}

async function runImport(path: string, stateDir: string, options: ImportOptions = {}): Promise<ImportReport> {
  const archive = await openArchive(path);
  const target = await openLocalStores(stateDir, PROJECT_ID);
  try {
    return await importArchive(archive, target, options);
  } finally {
    archive.close();
    await target.close();
  }
}

const SPACE_EXPORT = {
  'bases/notes.json': JSON.stringify([
    { key: 'n1', title: 'first', tags: ['a', 'b'], nested: { deep: { value: 1 } } },
    { key: 'n2', title: 'lives a day', __expires: FUTURE },
    { key: 'gone', title: 'expired before the import', __expires: PAST },
  ]),
  'bases/pages.json': JSON.stringify({
    items: [
      { key: 'p1', n: 1 },
      { key: 'p2', n: 2 },
    ],
    count: 2,
    last: null,
  }),
  'bases/users.json': JSON.stringify({ alice: { name: 'Alice' }, 'bob smith': { key: 'bob smith', name: 'Bob' } }),
  'drives/photos/big picture.png': BIG_FILE,
  'drives/photos/albums/2024/c.txt': 'hello drive',
  'drives/empty/zero.bin': Buffer.alloc(0),
  'README.txt': 'Exported from Deta Space',
};

describe.each(['zip', 'directory'])('an export as a %s', (kind) => {
  it('imports every Base layout and every Drive file; the official SDK reads them back as Space served them', async () => {
    const path = kind === 'zip' ? await exportZip(SPACE_EXPORT) : exportDir(SPACE_EXPORT);
    const stateDir = newStateDir();
    const report = await runImport(path, stateDir);
    expect(report.bases.map(({ base, written, skipped, expired, failed }) => ({ base, written, skipped, expired, failed }))).toEqual([
      { base: 'notes', written: 2, skipped: [], expired: ['gone'], failed: [] },
      { base: 'pages', written: 2, skipped: [], expired: [], failed: [] },
      { base: 'users', written: 2, skipped: [], expired: [], failed: [] },
    ]);
    expect(report.drives.map(({ drive, written, bytes }) => ({ drive, written, bytes }))).toEqual([
      { drive: 'empty', written: 1, bytes: 0 },
      { drive: 'photos', written: 2, bytes: BIG_FILE.length + 11 },
    ]);
    expect(report.ignored).toEqual(['README.txt']);

    running = await startTestData(stateDir);
    const { deta } = running;
    expect(await deta.Base('notes').get('n1')).toEqual({ key: 'n1', title: 'first', tags: ['a', 'b'], nested: { deep: { value: 1 } } });
    expect(await deta.Base('notes').get('n2')).toEqual({ key: 'n2', title: 'lives a day', __expires: FUTURE });
    expect(await deta.Base('notes').get('gone')).toBeNull();
    expect((await deta.Base('pages').fetch()).items).toEqual([
      { key: 'p1', n: 1 },
      { key: 'p2', n: 2 },
    ]);
    expect(await deta.Base('users').get('alice')).toEqual({ key: 'alice', name: 'Alice' });
    expect(await deta.Base('users').get('bob smith')).toEqual({ key: 'bob smith', name: 'Bob' });
    const big = await deta.Drive('photos').get('big picture.png');
    expect(Buffer.from(await big!.arrayBuffer()).equals(BIG_FILE)).toBe(true);
    expect(await (await deta.Drive('photos').get('albums/2024/c.txt'))!.text()).toBe('hello drive');
    expect((await deta.Drive('photos').list({ recursive: true })).names).toEqual(['albums/2024/c.txt', 'big picture.png']);
    expect((await (await deta.Drive('empty').get('zero.bin'))!.arrayBuffer()).byteLength).toBe(0);
  });
});

describe('safe by default', () => {
  const EXPORT = {
    'bases/notes.json': JSON.stringify([
      { key: 'n1', v: 'from export' },
      { key: 'n2', v: 'new' },
    ]),
    'drives/files/a.txt': 'export version',
  };

  async function withExisting(): Promise<string> {
    const stateDir = newStateDir();
    running = await startTestData(stateDir);
    await running.deta.Base('notes').put({ v: 'mine' }, 'n1');
    await running.deta.Drive('files').put('a.txt', { data: 'my version, longer' });
    await running.stop();
    running = undefined;
    return stateDir;
  }

  it('keeps what exists and says so; --overwrite replaces it', async () => {
    const stateDir = await withExisting();
    const kept = await runImport(exportDir(EXPORT), stateDir);
    expect(kept.bases[0]).toMatchObject({ written: 1, skipped: ['n1'] });
    expect(kept.drives[0]!.skipped).toEqual([{ name: 'a.txt', reason: 'exists with 18 bytes, the export has 14; --overwrite replaces it' }]);
    running = await startTestData(stateDir);
    expect(await running.deta.Base('notes').get('n1')).toEqual({ key: 'n1', v: 'mine' });
    await running.stop();
    running = undefined;

    const replaced = await runImport(exportDir(EXPORT), stateDir, { overwrite: true });
    expect(replaced.bases[0]).toMatchObject({ written: 2, skipped: [] });
    running = await startTestData(stateDir);
    expect(await running.deta.Base('notes').get('n1')).toEqual({ key: 'n1', v: 'from export' });
    expect(await (await running.deta.Drive('files').get('a.txt'))!.text()).toBe('export version');
  });

  it('a dry run reports what would happen and writes nothing', async () => {
    const stateDir = await withExisting();
    const report = await runImport(exportDir(EXPORT), stateDir, { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, bases: [{ base: 'notes', written: 1, skipped: ['n1'] }] });
    running = await startTestData(stateDir);
    expect(await running.deta.Base('notes').get('n2')).toBeNull();
  });

  it('resumes an interrupted import without duplicates', async () => {
    const items = Array.from({ length: 120 }, (_, index) => ({ key: `k${String(index).padStart(3, '0')}`, index }));
    const path = exportDir({ 'bases/many.json': JSON.stringify(items) });
    const stateDir = newStateDir();
    // A crash after the first batches: progress is reported per batch of 25.
    const crash = new Error('interrupted');
    await expect(
      runImport(path, stateDir, {
        onProgress: (progress) => {
          if (progress.items >= 50) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    const resumed = await runImport(path, stateDir);
    expect(resumed.bases[0]!.skipped).toHaveLength(50);
    expect(resumed.bases[0]!.written).toBe(70);
    running = await startTestData(stateDir);
    const { items: stored } = await running.deta.Base('many').fetch();
    expect(stored).toEqual(items);
  });
});

describe('a malformed export imports nothing and names the file and item', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['bad JSON', { 'bases/ok.json': '[{"key":"a"}]', 'bases/broken.json': '[{"key": "a",,}]' }, /bases\/broken\.json: not valid JSON/],
    ['an item without a key', { 'bases/notes.json': '[{"key":"a"},{"title":"no key"}]' }, /bases\/notes\.json item 1: no key/],
    ['a key that is not a string', { 'bases/notes.json': '[{"key": 42}]' }, /bases\/notes\.json item 0: Key must be a string/],
    [
      'a map item whose key differs',
      { 'bases/users.json': '{"alice": {"key": "bob"}}' },
      /bases\/users\.json item "alice": its key "bob" differs from the map's key/,
    ],
    ['JSON of another shape', { 'bases/notes.json': '"just a string"' }, /bases\/notes\.json: expected a JSON array of items/],
  ];

  it.each(cases)('%s', async (_name, files, message) => {
    const stateDir = newStateDir();
    await expect(runImport(exportDir(files), stateDir)).rejects.toThrow(message);
    await expect(runImport(exportDir(files), stateDir)).rejects.toThrow(/nothing was imported; fix these first/);
    const target = await openLocalStores(stateDir, PROJECT_ID);
    expect(await target.catalog.baseNames(PROJECT_ID)).toEqual([]);
    await target.close();
  });

  it('a zip whose entries leave the export, or name a file ending in /', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spaceport-evil-'));
    const write = (name: string, entries: [string, string][]): string => {
      const path = join(dir, name);
      // Python's zipfile writes any entry name: the malicious zips yazl would refuse to make.
      const script = `import sys, zipfile, json\nz = zipfile.ZipFile(sys.argv[1], 'w')\nfor n, c in json.loads(sys.argv[2]): z.writestr(n, c)\nz.close()`;
      expect(spawnSync('python3', ['-c', script, path, JSON.stringify(entries)]).status).toBe(0);
      return path;
    };
    const stateDir = newStateDir();
    await expect(
      runImport(
        write('dots.zip', [
          ['bases/ok.json', '[]'],
          ['drives/d/../../../etc/x', 'pwned'],
        ]),
        stateDir,
      ),
    ).rejects.toThrow(/dots\.zip: entry leaves the export \(refused\): drives\/d\/\.\.\/\.\.\/\.\.\/etc\/x/);
    await expect(runImport(write('slash.zip', [['drives/d/folder/', 'content']]), stateDir)).rejects.toThrow(
      /entry 'drives\/d\/folder\/' ends with \/ but holds 7 bytes: a Drive file name cannot end with \//,
    );
  });
});

it('export then import into an empty app gives identical items and byte-identical files', async () => {
  const first = newStateDir();
  await runImport(await exportZip(SPACE_EXPORT), first);
  const out = join(mkdtempSync(join(tmpdir(), 'spaceport-backup-')), 'backup.zip');
  const source = await openLocalStores(first, PROJECT_ID);
  const summary = await exportArchive(source, out);
  await source.close();
  expect(summary).toEqual({ bases: 3, items: 6, files: 3, bytes: BIG_FILE.length + 11 });

  const second = newStateDir();
  await runImport(out, second);
  const [a, b] = [await openLocalStores(first, PROJECT_ID), await openLocalStores(second, PROJECT_ID)];
  try {
    for (const base of await a.catalog.baseNames(PROJECT_ID)) {
      const page = async (target: typeof a) =>
        (await target.base.scan({ projectId: PROJECT_ID, base }, { range: {}, limit: 100 })).records.map((record) => record.item);
      expect(await page(b)).toEqual(await page(a));
    }
    expect(await b.catalog.driveNames(PROJECT_ID)).toEqual(await a.catalog.driveNames(PROJECT_ID));
    const bytes = async (target: typeof a, drive: string, name: string) => {
      const chunks: Buffer[] = [];
      for await (const chunk of (await target.drive.get({ projectId: PROJECT_ID, drive }, name))!.body) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    };
    expect((await bytes(b, 'photos', 'big picture.png')).equals(await bytes(a, 'photos', 'big picture.png'))).toBe(true);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
  } finally {
    await a.close();
    await b.close();
  }
});

it('exports names no zip entry can hold as they are (.. and . segments, empty segments, backslashes) and imports them back unchanged', async () => {
  const names = ['a/../b', '..', './x', 'a//b', '/lead', 'back\\slash', '100%/_x*', 'plain/name.txt'];
  const drives = ['odd', '..', 'w\\in'];
  const first = newStateDir();
  const source = await openLocalStores(first, PROJECT_ID);
  const api = new DriveApi(source.drive);
  for (const drive of drives) {
    for (const name of names) {
      await api.putFile({ projectId: PROJECT_ID, drive }, name, undefined, Readable.from([Buffer.from(`${drive}:${name}`)]), undefined);
    }
  }
  await source.base.putMany({ projectId: PROJECT_ID, base: 'a\\b' }, [{ item: { key: 'k', value: 1 } }]);
  await source.base.putMany({ projectId: PROJECT_ID, base: '..' }, [{ item: { key: 'k', value: 2 } }]);
  const out = join(mkdtempSync(join(tmpdir(), 'spaceport-backup-')), 'odd.zip');
  await exportArchive(source, out);
  await source.close();

  const archive = await openArchive(out);
  // Space's own layout for the names that fit it, unchanged.
  expect(archive.files.filter((file) => file.drive === 'odd' && file.name === 'plain/name.txt')).toHaveLength(1);
  expect(archive.ignored).toEqual([]);
  archive.close();

  // The same export unpacked by another tool imports alike.
  const unpacked = mkdtempSync(join(tmpdir(), 'spaceport-unpacked-'));
  expect(spawnSync('python3', ['-m', 'zipfile', '-e', out, unpacked]).status).toBe(0);
  const fromDirectory = newStateDir();
  await runImport(unpacked, fromDirectory);
  const unpackedTarget = await openLocalStores(fromDirectory, PROJECT_ID);
  expect((await unpackedTarget.drive.list({ projectId: PROJECT_ID, drive: '..' }, { limit: 100 })).names).toEqual([...names].sort());
  await unpackedTarget.close();

  const second = newStateDir();
  const report = await runImport(out, second);
  expect(report.drives.map((drive) => drive.failed)).toEqual([[], [], []]);
  const target = await openLocalStores(second, PROJECT_ID);
  try {
    expect(await target.catalog.driveNames(PROJECT_ID)).toEqual([...drives].sort());
    expect(await target.catalog.baseNames(PROJECT_ID)).toEqual(['..', 'a\\b']);
    expect((await target.base.get({ projectId: PROJECT_ID, base: '..' }, 'k'))?.item).toEqual({ key: 'k', value: 2 });
    for (const drive of drives) {
      const ref = { projectId: PROJECT_ID, drive };
      expect((await target.drive.list(ref, { limit: 100 })).names).toEqual([...names].sort());
      for (const name of names) {
        const chunks: Buffer[] = [];
        for await (const chunk of (await target.drive.get(ref, name))!.body) chunks.push(Buffer.from(chunk));
        expect(Buffer.concat(chunks).toString()).toBe(`${drive}:${name}`);
      }
    }
  } finally {
    await target.close();
  }
});

it('refuses an escaped entry that does not decode, naming it', async () => {
  await expect(runImport(await exportZip({ 'spaceport-drives/_d/%zz': 'x' }), newStateDir())).rejects.toThrow(
    /entry 'spaceport-drives\/_d\/%zz' is not a name escaped by spaceport \("%zz"\)/,
  );
});

describe('spaceport data', () => {
  it('imports an export next to the Spacefile and prints what it did', async () => {
    const app = exportDir({ Spacefile: 'v: 0\nmicros:\n  - name: web\n    src: .\n    engine: nodejs16\n', 'index.js': '' });
    const out = capture(process.stdout);
    capture(process.stderr);
    try {
      const path = await exportZip({ 'bases/notes.json': JSON.stringify([{ key: 'a' }, { key: 'b', __expires: PAST }]), 'drives/files/x.txt': 'x' });
      expect(await dataCommand.run(['import', path, '--spacefile', join(app, 'Spacefile')])).toBe(0);
      expect(out()).toMatch(
        /^Imported into .*\.spaceport\/data in [\d.]+ s:\n {2}base notes: 1 items written; 1 expired, not imported: b\n {2}drive files: 1 files written \(1 B\)\n$/,
      );
      await expect(dataCommand.run(['import', join(app, 'missing.zip'), '--spacefile', join(app, 'Spacefile')])).rejects.toThrow(
        /missing\.zip: no such file or directory/,
      );
      await expect(dataCommand.run(['export', path, '--spacefile', join(app, 'Spacefile')])).rejects.toThrow(/exists; give a new file name/);
    } finally {
      vi.restoreAllMocks();
    }
  });
});

// `spaceport data import` throughput and peak memory: a generated Space export of 100,000 items (one Base, JSON
// array, ~10 MB) and 1 GB of Drive files (100 files of 10 MB), imported into a fresh local store by the real
// command in a child process, which reports its own peak RSS. Needs `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';

const ITEMS = 100_000;
const FILES = 100;
const FILE_BYTES = 10 * 1000 * 1000;
const root = new URL('..', import.meta.url).pathname;

async function writeExport(dir) {
  mkdirSync(join(dir, 'bases'), { recursive: true });
  const base = createWriteStream(join(dir, 'bases', 'items.json'));
  base.write('[');
  for (let i = 0; i < ITEMS; i++) {
    base.write(
      `${i ? ',' : ''}\n${JSON.stringify({ key: `item-${String(i).padStart(6, '0')}`, title: `Item ${i}`, done: i % 3 === 0, tags: ['a', 'b'], n: i })}`,
    );
  }
  base.end('\n]\n');
  await finished(base);
  mkdirSync(join(dir, 'drives', 'files'), { recursive: true });
  const content = Buffer.alloc(FILE_BYTES, 'spaceport ');
  for (let f = 0; f < FILES; f++) writeFileSync(join(dir, 'drives', 'files', `file-${f}.bin`), content);
}

/** Runs the import in a fresh process; the child prints its own peak RSS. */
function importOnce(exportDir, app, only) {
  const script = `
    const { openArchive } = require(${JSON.stringify(join(root, 'dist/lib/data/archive.js'))});
    const { importArchive } = require(${JSON.stringify(join(root, 'dist/lib/data/transfer.js'))});
    const { openLocalStores } = require(${JSON.stringify(join(root, 'dist/lib/local/data/local-stores.js'))});
    (async () => {
      const archive = await openArchive(${JSON.stringify(exportDir)});
      const only = ${JSON.stringify(only)};
      const scoped = { ...archive, bases: only === 'files' ? [] : archive.bases, files: only === 'items' ? [] : archive.files, items: archive.items, openFile: archive.openFile };
      const target = await openLocalStores(${JSON.stringify(join(app, '.spaceport'))}, 'bench');
      const started = performance.now();
      const report = await importArchive(scoped, target, {});
      await target.close();
      const ms = performance.now() - started;
      console.log(JSON.stringify({ ms, items: report.bases.reduce((s, b) => s + b.written, 0), bytes: report.drives.reduce((s, d) => s + d.bytes, 0), maxRssMb: process.resourceUsage().maxRSS / 1024 }));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim().split('\n').at(-1));
}

const dir = mkdtempSync(join(tmpdir(), 'spaceport-bench-import-'));
try {
  const exportDir = join(dir, 'export');
  await writeExport(exportDir);
  const results = {};
  for (const only of ['items', 'files']) {
    const app = join(dir, `app-${only}`);
    mkdirSync(app);
    results[only] = importOnce(exportDir, app, only);
  }
  const { items, files } = results;
  console.log(
    `items: ${items.items} in ${(items.ms / 1000).toFixed(2)} s = ${Math.round(items.items / (items.ms / 1000))} items/s, peak RSS ${items.maxRssMb.toFixed(0)} MB`,
  );
  console.log(
    `files: ${(files.bytes / 1e6).toFixed(0)} MB in ${(files.ms / 1000).toFixed(2)} s = ${(files.bytes / 1e6 / (files.ms / 1000)).toFixed(1)} MB/s, peak RSS ${files.maxRssMb.toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

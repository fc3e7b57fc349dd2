// Lints the Python adapter with Ruff compiled to WebAssembly (the npm package; Ruff's own binary is on PyPI).
// Usage: node tools/lint/ruff.mjs [directory...], by default the adapter, its in-process tests and the mutation harness
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['runtime-layer/python', 'test/adapter/python', 'tools/mutate'];

// pyflakes, pycodestyle, import order, bugbear, pyupgrade for the oldest runtime (3.12); lines as long as the
// TypeScript's.
const workspace = new Workspace(
  { 'line-length': 130, 'target-version': 'py312', lint: { select: ['F', 'E', 'W', 'I', 'B', 'UP'] } },
  PositionEncoding.Utf16,
);

const files = dirs
  .flatMap((dir) => readdirSync(resolve(root, dir), { recursive: true, withFileTypes: true }))
  .filter((entry) => entry.isFile() && entry.name.endsWith('.py') && !entry.parentPath.includes('node_modules'))
  .map((entry) => join(entry.parentPath, entry.name))
  .sort();

let problems = 0;
for (const file of files) {
  for (const diagnostic of workspace.check(readFileSync(file, 'utf8'))) {
    const { row, column } = diagnostic.start_location;
    console.log(`${relative(root, file)}:${row}:${column}: ${diagnostic.code ?? 'error'} ${diagnostic.message}`);
    problems++;
  }
}
if (problems > 0) {
  console.log(`ruff: ${problems} problem(s) in ${files.length} files`);
  process.exitCode = 1;
}

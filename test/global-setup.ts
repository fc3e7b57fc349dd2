/**
 * Builds the runtime layer once per test run when it is missing or older than its sources: integration tests run
 * the real adapter from `runtime-layer/dist/layer`, exactly as `npm run build` produces it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const LAYER_ENTRY = join(ROOT, 'runtime-layer', 'dist', 'layer', 'spaceport', 'bootstrap');
const SOURCES = ['runtime-layer/node', 'runtime-layer/python', 'runtime-layer/bootstrap', 'runtime-layer/extensions', 'runtime-layer/build.mjs', 'lib/routing'];

function newestModification(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).filter((name) => name !== '__pycache__').map((name) => newestModification(join(path, name))));
}

export default function setup(): void {
  if (!existsSync(join(ROOT, 'runtime-layer', 'build.mjs'))) return;
  const builtAt = existsSync(LAYER_ENTRY) ? statSync(LAYER_ENTRY).mtimeMs : 0;
  if (Math.max(...SOURCES.map((source) => newestModification(join(ROOT, source)))) <= builtAt) return;
  execFileSync(process.execPath, [join(ROOT, 'runtime-layer', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

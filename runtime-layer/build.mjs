// Builds the Lambda layer into runtime-layer/dist/layer/: spaceport/bootstrap (executable), spaceport/adapter.js
// (the Node adapter, one minified file), python/spaceport_adapter/ (the Python adapter, standard library only) and
// extensions/spaceport-shutdown (executable; the bash external extension that gets the app SIGTERM at shutdown).
// Usage: node runtime-layer/build.mjs [output directory, default runtime-layer/dist/layer]
import { build } from 'esbuild';
import { chmodSync, copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const layer = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist', 'layer');

rmSync(layer, { recursive: true, force: true });
mkdirSync(join(layer, 'spaceport'), { recursive: true });

await build({
  entryPoints: { adapter: join(root, 'node', 'main.ts') },
  outdir: join(layer, 'spaceport'),
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
});

// Layer zips keep file modes, and a bootstrap or extension without its executable bit fails at init.
for (const [source, target] of [
  ['bootstrap', join('spaceport', 'bootstrap')],
  [join('extensions', 'spaceport-shutdown'), join('extensions', 'spaceport-shutdown')],
]) {
  mkdirSync(dirname(join(layer, target)), { recursive: true });
  copyFileSync(join(root, source), join(layer, target));
  chmodSync(join(layer, target), 0o755);
}
cpSync(join(root, 'python', 'spaceport_adapter'), join(layer, 'python', 'spaceport_adapter'), {
  recursive: true,
  filter: (source) => !source.includes('__pycache__') && !source.endsWith('.pyc'),
});

// Builds the Lambda layer into runtime-layer/dist/layer/: spaceport/bootstrap (executable), spaceport/adapter.js
// (the Node adapter, one minified file) and python/spaceport_adapter/ (the Python adapter, standard library only).
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
  entryPoints: [join(root, 'node', 'main.ts')],
  outfile: join(layer, 'spaceport', 'adapter.js'),
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  logLevel: 'warning',
});

copyFileSync(join(root, 'bootstrap'), join(layer, 'spaceport', 'bootstrap'));
// Layer zips keep file modes, and a bootstrap without its executable bit fails at init.
chmodSync(join(layer, 'spaceport', 'bootstrap'), 0o755);
cpSync(join(root, 'python', 'spaceport_adapter'), join(layer, 'python', 'spaceport_adapter'), {
  recursive: true,
  filter: (source) => !source.includes('__pycache__') && !source.endsWith('.pyc'),
});

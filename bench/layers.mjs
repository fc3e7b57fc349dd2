// The layers a bench compares: the working tree's, built fresh, and with BASELINE=<git ref> (say `main` or a
// commit) the layer that ref builds, so a change is measured before and after, interleaved in one run on the same
// loaded machine instead of across runs. The ref's tree is exported with `git archive` and built by its own
// runtime-layer/build.mjs with this checkout's node_modules.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `[{ label, dir }]`: `now` (this tree), then `before` (BASELINE) when set; built under `work`. */
export function buildLayers(work) {
  const layers = [{ label: 'now', dir: join(work, 'layer') }];
  execFileSync(process.execPath, [join(repo, 'runtime-layer/build.mjs'), layers[0].dir], { stdio: 'inherit' });
  const ref = process.env.BASELINE;
  if (ref) {
    const tree = join(work, 'baseline-tree');
    mkdirSync(tree);
    execFileSync('/bin/sh', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', repo, ref, tree], { stdio: 'inherit' });
    symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'));
    layers.push({ label: `before (${ref})`, dir: join(work, 'layer-before') });
    execFileSync(process.execPath, [join(tree, 'runtime-layer/build.mjs'), layers[1].dir], { stdio: 'inherit' });
  }
  return layers;
}

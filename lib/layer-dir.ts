/**
 * Where the built runtime adapter layer is: `runtime-layer/dist/layer` of the Spaceport package running this code
 * (from the TypeScript sources, from `dist/`, or from `node_modules/spaceport`). The constructs upload it; the
 * local runtime runs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'spaceport';

/** The nearest ancestor of this module whose package.json is Spaceport's. */
function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
  }
}

/** Where `npm run build` puts the layer (unpacked at `/opt` on Lambda). */
export function adapterLayerDir(): string {
  return join(packageRoot(), 'runtime-layer', 'dist', 'layer');
}

/** Whether the layer at `dir` has been built: its bootstrap is there. */
export function isLayerBuilt(dir: string): boolean {
  return existsSync(join(dir, 'spaceport', 'bootstrap'));
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'spaceport';

/**
 * The directory of the installed Spaceport package: the nearest ancestor of this module whose package.json is
 * ours. Works from the TypeScript sources, from `dist/` and from `node_modules/spaceport`.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
  }
}

/** Where `npm run build` puts the runtime adapter layer (unpacked at `/opt` on Lambda). */
export function adapterLayerDir(): string {
  return join(packageRoot(), 'runtime-layer', 'dist', 'layer');
}

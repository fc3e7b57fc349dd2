/** Where the built runtime layer is: `runtime-layer/dist/layer` of the Spaceport package running this code. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../../cli/command';

const LAYER_SUBDIR = join('runtime-layer', 'dist', 'layer');
const ENTRY = join('spaceport', 'bootstrap');

/** The layer dir found walking up from `from` (this module's directory: `lib/...` in source, `dist/lib/...` built). */
export function findLayerDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, LAYER_SUBDIR);
    if (existsSync(join(candidate, ENTRY))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`the runtime layer is not built (no ${join(LAYER_SUBDIR, ENTRY)} above ${from}): run 'npm run build'`);
}

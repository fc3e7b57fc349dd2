/**
 * Symlinks inside a tree the user hands over (a micro's `src`, a static micro's `serve`): where one leads, and
 * whether that is still inside the tree. Packaging (`lib/packaging/file-selection.ts`) and static serving
 * (`runtime-layer/node/static-site.ts`) both keep to the tree with them.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/** Where a symlink really leads, or undefined when it leads nowhere (dangling, a loop). */
export function realTarget(link: string): string | undefined {
  try {
    return realpathSync(link);
  } catch {
    return undefined;
  }
}

/** True when `path` is `directory` or below it (both absolute; real paths when links must not lead out). */
export function isWithin(directory: string, path: string): boolean {
  const inside = relative(directory, path);
  // On Windows a path on another drive stays absolute.
  return !(inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside));
}

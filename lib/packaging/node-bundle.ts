import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync, type BuildFailure } from 'esbuild';
import type { Micro } from '../spacefile/model';
import { PackagingError } from './steps';

/** `node server.js` -> `server.js`; anything else (flags, several commands, a framework's CLI) -> undefined. */
export function nodeEntry(run: string | undefined): string | undefined {
  return /^node\s+([^\s-][^\s]*\.(?:js|cjs|mjs))$/.exec(run?.trim() ?? '')?.[1];
}

/**
 * Replaces the entry file in `dir` by a single-file esbuild bundle of it and its dependencies, at the same relative
 * path so `SPACEPORT_RUN` is unchanged, and drops `node_modules`. Opt-in: an unchanged app may read files next to
 * its dependencies or load them by computed paths, which a bundle breaks at run time; native addons (`.node`)
 * make esbuild fail here instead, with a message saying to turn bundling off.
 */
export function bundleNodeEntry(micro: Micro, dir: string, entry: string, nodeMajor: string): void {
  process.stderr.write(`[spaceport] ${micro.name}: esbuild ${entry} (bundling its dependencies)\n`);
  try {
    buildSync({
      entryPoints: [join(dir, entry)],
      outfile: join(dir, entry),
      allowOverwrite: true,
      bundle: true,
      platform: 'node',
      target: `node${nodeMajor}`,
      format: entry.endsWith('.mjs') ? 'esm' : 'cjs',
      logLevel: 'silent',
    });
  } catch (error) {
    const messages = ((error as BuildFailure).errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    throw new PackagingError(
      micro,
      `esbuild could not bundle ${entry}; turn bundling off for this micro to ship node_modules as they are:\n` +
        (messages.join('\n') || (error as Error).message),
    );
  }
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
}

/**
 * The command `spaceport dev` starts a micro with, chosen as Space's `space dev` chose it: the micro's `dev` command;
 * for a framework engine without one, space-cli's default for the engine (`EngineToDevCommand` in its `cmd/dev.go`)
 * when the micro's package.json has that script; otherwise what the cloud runs (`run`, or a static micro's files).
 * `--prod` always takes what the cloud runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, Micro } from '../../spacefile/model';

/** The package.json script `space dev` ran for each framework engine, with `-- --port $PORT`. */
const ENGINE_DEV_SCRIPTS: Partial<Record<Engine, string>> = {
  react: 'start',
  vue: 'dev',
  svelte: 'dev',
  next: 'dev',
  nuxt: 'dev',
  'svelte-kit': 'dev',
};

function hasScript(dir: string, script: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    return typeof manifest.scripts?.[script] === 'string';
  } catch {
    return false;
  }
}

/** The dev server command of `micro`: its `dev`, or its engine's default; `undefined` when it has neither. */
export function devCommand(micro: Micro): string | undefined {
  if (micro.dev !== undefined) return micro.dev;
  const script = ENGINE_DEV_SCRIPTS[micro.engine];
  return script !== undefined && hasScript(micro.srcDir, script) ? `npm run ${script} -- --port $PORT` : undefined;
}

/** What `spaceport dev` starts `micro` with (`prod`: what the cloud runs); `undefined` serves a static micro's files. */
export function localCommand(micro: Micro, prod: boolean): string | undefined {
  return prod ? micro.run : (devCommand(micro) ?? micro.run);
}

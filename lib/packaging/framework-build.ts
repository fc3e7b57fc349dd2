/**
 * What Deta's builder did for a framework engine (docs/spacefile.md, "Engines"): a micro with no `commands` was
 * installed and built with the framework's own build (`npm run build`), and a full-stack framework's micro shipped
 * what its production server needs, not its source: Next's standalone server, SvelteKit's adapter-node build with
 * the production dependencies, Nuxt's self-contained `.output`. What cannot work says so at synth.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, Micro } from '../spacefile/model';
import { PackagingError, type Step } from './steps';

/** Engines Deta's builder built when their micro had no `commands`. */
const BUILT_ENGINES: ReadonlySet<Engine> = new Set(['react', 'vue', 'svelte', 'next', 'nuxt', 'svelte-kit']);

/** A path of the package: `from` in the built scratch copy, `to` in the function's code (`''` is its root). */
export interface OutputEntry {
  readonly from: string;
  readonly to: string;
}

function buildScript(dir: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    const script = manifest.scripts?.build;
    return typeof script === 'string' ? script : undefined;
  } catch {
    return undefined;
  }
}

/** The framework's own build, for a framework micro without `commands` whose package.json has a `build` script. */
export function frameworkBuildStep(micro: Micro, dir: string): Step | undefined {
  if (micro.commands.length > 0 || !BUILT_ENGINES.has(micro.engine)) return undefined;
  const script = buildScript(dir);
  if (script === undefined) return undefined;
  return { description: `npm run build (${script}; engine ${micro.engine} without commands)`, command: 'npm', args: ['run', 'build'], cwd: dir };
}

/** Where the common build tools put a site (Vite's `dist`, Create React App's `build`, Rollup's `public`, Next export's `out`). */
const SITE_DIRECTORIES = ['dist', 'build', 'public', 'out'];

/**
 * For a static micro whose `serve` directory is missing after its build: the directory the build did write a site
 * to (an `index.html`), to name in the error (a Vite app under `engine: react` builds `dist`, not CRA's `build`).
 */
export function builtSiteDirectory(dir: string): string | undefined {
  return SITE_DIRECTORIES.find((candidate) => existsSync(join(dir, candidate, 'index.html')));
}

function missing(micro: Micro, built: boolean, what: string, fix: string): PackagingError {
  const after = built ? 'its build produced' : 'there is';
  return new PackagingError(micro, `engine ${micro.engine} runs ${what}, but ${after} none: ${fix}`);
}

/**
 * For `next`, `nuxt` and `svelte-kit` micros without `include`: the entries their production server needs, checked
 * to exist; `undefined` for every other micro. `built` says whether a build ran (for the message).
 */
export function frameworkOutputs(micro: Micro, dir: string, built: boolean): OutputEntry[] | undefined {
  if (micro.include) return undefined;
  const has = (path: string): boolean => existsSync(join(dir, path));
  switch (micro.engine) {
    case 'next':
      if (!has('.next/standalone/server.js')) {
        throw missing(
          micro,
          built,
          "Next's standalone server (.next/standalone/server.js)",
          "set output: 'standalone' in next.config.js, as Space's Next quick-start does",
        );
      }
      return [
        { from: '.next/standalone', to: '' },
        { from: '.next/static', to: '.next/static' },
        ...(has('public') ? [{ from: 'public', to: 'public' }] : []),
      ].filter((entry) => has(entry.from));
    case 'svelte-kit':
      if (!has('build/index.js')) {
        throw missing(
          micro,
          built,
          "adapter-node's server (build/index.js)",
          "use @sveltejs/adapter-node in svelte.config.js, as Space's SvelteKit quick-start does (adapter-auto builds for other hosts)",
        );
      }
      return ['build', 'package.json', 'node_modules'].filter(has).map((path) => ({ from: path, to: path }));
    case 'nuxt':
      if (!has('.output/server/index.mjs')) {
        throw missing(
          micro,
          built,
          "Nuxt's server (.output/server/index.mjs)",
          "build with 'nuxt build' (not 'nuxt generate') and the default node-server preset",
        );
      }
      return [{ from: '.output', to: '.output' }];
    default:
      return undefined;
  }
}

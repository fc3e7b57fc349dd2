/**
 * What a micro's `engine` implies when the Spacefile leaves it out: how the adapter hosts it, the Lambda runtime
 * it runs on, the command that starts it and the directory a static micro serves.
 */
import { NODE_RUNTIMES, PYTHON_RUNTIMES, type Engine, type LambdaRuntimeName, type MicroKind, type NodeRuntime, type PythonRuntime } from './model';

/** Engines whose micro is a directory of files (Deta's "frontend engines"): `serve` allowed, `include` not. */
export const STATIC_LIKE_ENGINES: readonly Engine[] = ['static', 'react', 'vue', 'svelte'];

export function isStaticLike(engine: Engine): boolean {
  return STATIC_LIKE_ENGINES.includes(engine);
}

export function kindOf(engine: Engine): MicroKind {
  if (isStaticLike(engine)) return 'static';
  if (engine === 'python3.9' || engine === 'python3.8') return 'python';
  if (engine === 'custom') return 'custom';
  return 'node';
}

/**
 * The build output each framework's template put its files in, served when `serve` is omitted
 * (`static` has no default: Deta required `serve` for it).
 */
export const DEFAULT_SERVE: Partial<Record<Engine, string>> = {
  react: 'build',
  vue: 'dist',
  svelte: 'public',
};

/**
 * Start commands when `run` is omitted. Node falls back to `index.js` as on Deta; Python to a `main.py`
 * exposing a WSGI/ASGI `app`, served by the adapter's Python module; the Node frameworks to the server their
 * documented production build produces (`next` with `output: 'standalone'`, `svelte-kit` with `adapter-node`).
 * `custom` has none: its `run` is required. Static-like engines run nothing: the adapter serves their files.
 */
export const DEFAULT_RUN: Partial<Record<Engine, string>> = {
  nodejs16: 'node index.js',
  'python3.9': 'python3 -m spaceport_adapter.serve main:app',
  'python3.8': 'python3 -m spaceport_adapter.serve main:app',
  next: 'node server.js',
  nuxt: 'node .output/server/index.mjs',
  'svelte-kit': 'node build/index.js',
};

/** Lambda runtimes chosen instead of each family's default (the first of `NODE_RUNTIMES` / `PYTHON_RUNTIMES`). */
export interface RuntimeChoice {
  readonly node?: NodeRuntime;
  readonly python?: PythonRuntime;
}

/** Python micros run on a Python runtime; every other kind on Node.js, which also carries the static server. */
export function runtimeFor(kind: MicroKind, choice: RuntimeChoice = {}): LambdaRuntimeName {
  if (kind === 'python') return choice.python ?? PYTHON_RUNTIMES[0];
  return choice.node ?? NODE_RUNTIMES[0];
}

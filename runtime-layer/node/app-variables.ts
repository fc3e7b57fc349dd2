/**
 * The environment the app's server is started with: the function's own, plus what lets the recipes of Space's
 * quick-starts run as written. Mirrored by runtime-layer/python/spaceport_adapter/app_variables.py.
 *
 * - Node heap: Lambda's managed Node runtime sizes V8 from memory on its own node command line, which the bootstrap
 *   (an exec wrapper replacing the runtime client) never runs; Lambda sets no NODE_OPTIONS. Without the flags, a
 *   micro's `node` would get V8's default heap, sized from the host's memory rather than the function's. Only the
 *   app gets them: the adapter and the shutdown extension keep their own small heaps.
 * - The port, the ways servers started without one read it: `$PORT` itself (gunicorn binds it by default),
 *   `UVICORN_PORT` (`uvicorn main:app`), `FLASK_RUN_PORT` (`flask --app main run`).
 * - Console scripts: a virtualenv in the task root (`.venv`, `venv` or `.env`, as Space's Python quick-start and
 *   apps name it; only locally, packaging leaves it out) is used as activating it would: its `bin` first on PATH,
 *   `VIRTUAL_ENV` set. The scripts of packaged dependencies (`pip install -t` puts them in `<task root>/bin`) come
 *   after the system's, and the task root is on PYTHONPATH so those scripts import the packages beside them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeHeapFlags } from '../../lib/core/node-heap';

/** Variables servers read their port from when started without one (gunicorn reads PORT itself). */
const PORT_VARIABLES = ['UVICORN_PORT', 'FLASK_RUN_PORT'];
/** Virtualenv directory names, in the order they are looked for. */
const VIRTUALENV_DIRS = ['.venv', 'venv', '.env'];

/** The virtualenv in `taskRoot`, if any: a directory with `pyvenv.cfg`. */
export function findVirtualenv(taskRoot: string): string | undefined {
  return VIRTUALENV_DIRS.map((name) => join(taskRoot, name)).find((dir) => existsSync(join(dir, 'pyvenv.cfg')));
}

function joinPaths(...parts: Array<string | undefined>): string {
  return parts.filter((part) => part !== undefined && part !== '').join(':');
}

/** The app's environment: `env` plus the heap flags, port variables and script paths described above. */
export function appVariables(env: NodeJS.ProcessEnv, taskRoot: string): NodeJS.ProcessEnv {
  const app: NodeJS.ProcessEnv = { ...env };
  const memory = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '';
  // Node takes the last of a repeated flag, so the function's own NODE_OPTIONS win. Outside Lambda, no flags.
  if (/^[0-9]+$/.test(memory)) app.NODE_OPTIONS = [...nodeHeapFlags(Number(memory)), env.NODE_OPTIONS].filter(Boolean).join(' ');
  if (env.PORT) for (const name of PORT_VARIABLES) app[name] = env.PORT;
  const virtualenv = findVirtualenv(taskRoot);
  app.PATH = joinPaths(virtualenv && join(virtualenv, 'bin'), env.PATH, join(taskRoot, 'bin'));
  if (virtualenv) app.VIRTUAL_ENV = virtualenv;
  app.PYTHONPATH = joinPaths(taskRoot, env.PYTHONPATH);
  return app;
}

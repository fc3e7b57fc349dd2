/**
 * How a Space app's paths map to its micros. One implementation for the cloud router (HTTP API route keys)
 * and the local router (`matchRoute`), so both send every path to the same micro.
 *
 * Space semantics: the primary receives every path not under another micro's path; a micro at `/api`
 * receives `/api` and everything below it, with the prefix stripped (by the adapter, see `stripBasePath`).
 * Paths under `/__space/` belong to the runtime, never to a micro.
 */
import { isUnder, RESERVED_PREFIX } from '../core/paths';
import type { Micro } from '../spacefile/model';

/** Anything with a path can be routed: the model's `Micro`, or a serialisable subset of it (see lib/auth). */
export interface Routable {
  readonly path: string;
}

export type RouteMatch<M extends Routable = Micro> = { readonly kind: 'micro'; readonly micro: M } | { readonly kind: 'reserved' };

/** HTTP API route keys that send a micro its requests, e.g. `ANY /api` and `ANY /api/{proxy+}`. */
export function routeKeys(micro: Routable): string[] {
  if (micro.path === '/') return ['ANY /', 'ANY /{proxy+}'];
  return [`ANY ${micro.path}`, `ANY ${micro.path}/{proxy+}`];
}

/**
 * The micro (or the runtime) that receives `path`, as an HTTP API with `routeKeys` would choose:
 * the longest matching micro path wins, the primary takes the rest.
 */
export function matchRoute<M extends Routable = Micro>(app: { readonly primary: M; readonly micros: readonly M[] }, path: string): RouteMatch<M> {
  if (isUnder(path, RESERVED_PREFIX)) return { kind: 'reserved' };
  let best: M = app.primary;
  for (const micro of app.micros) {
    if (micro.path !== '/' && isUnder(path, micro.path) && micro.path.length > (best.path === '/' ? 0 : best.path.length)) {
      best = micro;
    }
  }
  return { kind: 'micro', micro: best };
}

/** The path a micro at `basePath` sees: `/api/items` -> `/items`, `/api` -> `/`. */
export function stripBasePath(path: string, basePath: string): string {
  if (!basePath || basePath === '/' || !isUnder(path, basePath)) return path;
  return path.slice(basePath.length) || '/';
}

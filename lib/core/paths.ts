/**
 * The paths the Space runtime owns (everything under `/__space/`, never a micro's: the adapter answers them 404), the
 * one rule of what is under a path, and how a request path may be read: the rule behind "is this path public" and
 * "is this path the runtime's", which routing, auth (cloud authorizer and dev router), the dev router and both
 * adapters apply (the Python adapter ports `pathReadings` line for line in `spaceport_adapter/events.py`; the fixtures
 * in runtime-layer/conformance hold both adapters to it).
 *
 * The rules never guess which framework is behind a micro. They take every reading one of them may make:
 * - as sent (Werkzeug, Starlette and Express route `/a/../b` literally),
 * - percent-decoded, once and twice (a proxy or a framework may decode again),
 * - with `\` as `/` (some servers and most browsers treat them alike),
 * - with `.`/`..` segments and repeated slashes resolved (servers that normalise),
 * - with a leading `//host` taken as an authority (URL parsers read `//x/__space` as host `x`, path `/__space`),
 * - and, for the reserved prefix, in any case (many routers ignore case).
 * A path is public only if every reading is public, and reserved if any reading is reserved.
 */

/** Paths under this prefix belong to the Space runtime (actions, sign-in, assets). */
export const RESERVED_PREFIX = '/__space';

/** The path a scheduled action is posted to, relative to the micro that declares it. */
export const ACTIONS_PATH = '/__space/v0/actions';

/** Where `spaceport trigger` and `spaceport actions --local` run, pause and list actions (`spaceport dev` only). */
export const DEV_ACTIONS_PATH = '/__space/dev/actions';

/** True when `path` is `prefix` itself or below it (`/api` matches `/api` and `/api/x`, not `/apix`). */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

/** A target the router and adapters accept: origin-form (`/path?query`). Absolute-form (`http://h/p`) and `*` are not. */
export function isOriginForm(target: string): boolean {
  return target.startsWith('/');
}

/** Resolves `.`, `..` and repeated slashes as a server normalising its path would. Keeps a trailing slash. */
export function resolveDots(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailingSlash = segments.length > 0 && /\/\.{0,2}$/.test(path);
  return '/' + segments.join('/') + (trailingSlash ? '/' : '');
}

/** Something in the path that some reading would change; without it (the common case) the path is its only reading. */
// Stryker disable next-line Regex: equivalent, it only chooses the fast path (see pathReadings)
const READ_DIFFERENTLY = /[%\\]|\/\/|\/\./;

/** How many times a path is decoded at most: a proxy's decoding plus the framework's. */
const DECODINGS = 2;

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined; // Malformed percent-encoding: a framework cannot decode it either.
  }
}

/** Every way a framework may read `path` (see the module comment); the first reading is the path as sent. */
export function pathReadings(path: string): string[] {
  // Stryker disable next-line ConditionalExpression: equivalent, the fast path; every other reading of such a path is itself
  if (!READ_DIFFERENTLY.test(path)) return [path];
  const spellings = [path];
  let current = path;
  for (let i = 0; i < DECODINGS; i++) {
    const next = decoded(current);
    // Stryker disable next-line ConditionalExpression: equivalent, decoding a decoded path again only repeats a reading
    if (next === undefined || next === current) break;
    spellings.push(next);
    current = next;
  }
  const readings = new Set<string>();
  for (const spelling of spellings) {
    for (const slashes of [spelling, spelling.replace(/\\/g, '/')]) {
      for (const withoutAuthority of [slashes, slashes.replace(/^\/\/[^/]*/, '') || '/']) {
        readings.add(withoutAuthority);
        readings.add(resolveDots(withoutAuthority));
      }
    }
  }
  return [...readings];
}

/** True when any reading of `path` (relative to its micro, or of the whole app) lies under `/__space`, in any case. */
export function isReservedPath(path: string): boolean {
  return pathReadings(path).some((reading) => isUnder(reading.toLowerCase(), RESERVED_PREFIX));
}

/**
 * The paths the Space runtime owns (everything under `/__space/`, never a micro's: the adapter answers them 404), and
 * the one rule of what is under a path, which routing, auth, the Spacefile rules and both adapters apply.
 */

/** Paths under this prefix belong to the Space runtime (actions, sign-in, assets). */
export const RESERVED_PREFIX = '/__space';

/** The path a scheduled action is posted to, relative to the micro that declares it. */
export const ACTIONS_PATH = '/__space/v0/actions';

/** The dev router's page listing the app's actions (`spaceport dev` only). */
export const DEV_PAGE_PATH = '/__space/dev';

/** Where `spaceport trigger` and the dev page post to run an action now (`spaceport dev` only). */
export const DEV_ACTIONS_PATH = '/__space/dev/actions';

/** True when `path` is `prefix` itself or below it (`/api` matches `/api` and `/api/x`, not `/apix`). */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

/**
 * Where `spaceport dev` keeps an app's secrets (owner secret, internal key, project key, API keys): a directory next
 * to the Spacefile (lib/local/state.ts). Packaging never takes it and static micros never serve it.
 */
export const STATE_DIR_NAME = '.spaceport';

/**
 * The shape of a `DETA_PROJECT_KEY`, `<projectId>_<secret>`, and how Spaceport makes one: locally in `.spaceport/`,
 * in the cloud at deploy time. Deta project ids are 8 lower-case alphanumerics and secrets 32 letters and digits.
 */
import { randomInt } from 'node:crypto';

export const PROJECT_KEY_FORMAT = /^[a-z0-9]+_[A-Za-z0-9]+$/;

const LOWER_ALPHANUMERICS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALPHANUMERICS = LOWER_ALPHANUMERICS + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A new project key; `projectId` keeps the id of an existing app (data is keyed by it), else a random one. */
export function generateProjectKey(projectId: string = randomText(8, LOWER_ALPHANUMERICS)): string {
  return `${projectId}_${randomText(32, ALPHANUMERICS)}`;
}

function randomText(length: number, alphabet: string): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

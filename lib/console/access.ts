/**
 * Who may use the console: the signed-in owner, and nobody else. API keys and the internal key are no way in (they
 * open micros, not the app's management). Every request must be a browser's navigation, never a script's (`isNavigation`).
 * A state-changing request must also come from a console page: same-origin by `Sec-Fetch-Site`/`Origin`, and carrying
 * the session's CSRF token, an HMAC of the session cookie under a key
 * derived from the owner secret, so a rotated secret or a new session invalidates every token.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { cookiePairs, cookieValues } from '../auth/rules';
import type { ConsoleRequest } from './http';

/** How the console recognises the owner: the session cookie's name and the signer's check of it. */
export interface ConsoleSession {
  readonly cookieName: string;
  /** True when `token` is a valid, unexpired owner session at `now` (epoch ms). */
  verify(token: string, now: number): boolean;
}

/**
 * Whether a browser sent `request` as a page load or a form post (`Sec-Fetch-Mode: navigate`), not from a script.
 * The console shares the app's origin, so a script on any page of the app (an XSS in a micro, HTML a public route
 * serves) could otherwise fetch a console page and read its CSRF token; Space kept its console on another origin.
 * Clients that send no `Sec-Fetch-*` (older browsers, curl) are judged by the session and the CSRF token alone.
 */
export function isNavigation(request: ConsoleRequest): boolean {
  const mode = request.headers['sec-fetch-mode'];
  return mode === undefined || mode === 'navigate';
}

/** The key CSRF tokens are made with: derived from the owner secret for this purpose only. */
export function consoleCsrfKey(ownerSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ownerSecret, 'spaceport', 'owner console csrf v1', 32));
}

/** `consoleCsrfKey` of the owner secret as it is now, derived again only when the secret has rotated. */
export function rotatingCsrfKey(): (ownerSecret: string) => Buffer {
  let derived: { readonly secret: string; readonly key: Buffer } | undefined;
  return (ownerSecret) => {
    if (derived?.secret !== ownerSecret) derived = { secret: ownerSecret, key: consoleCsrfKey(ownerSecret) };
    return derived.key;
  };
}

/** The owner's session token in `request`, or undefined when it carries none that verifies. */
export function ownerSession(request: ConsoleRequest, session: ConsoleSession, now: number): string | undefined {
  return cookieValues(cookiePairs(request.headers['cookie']), session.cookieName).find((token) => session.verify(token, now));
}

export function csrfToken(key: Buffer, sessionToken: string): string {
  return createHmac('sha256', key).update(sessionToken).digest('base64url');
}

export function isValidCsrfToken(key: Buffer, sessionToken: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const expected = Buffer.from(csrfToken(key, sessionToken));
  const candidate = Buffer.from(given);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

/**
 * The owner's sign-in and sign-out pages under `/__space/`, shared by the cloud sign-in function and the dev
 * router: GET shows a form, POST exchanges the owner secret for a session cookie and returns to `next`.
 */
import type { AuthRequest } from './rules';
import { SIGNIN_PATH, SIGNOUT_PATH } from './rules';
import { type AuthResponse, escapeHtml, htmlResponse, jsonResponse, redirectResponse } from './responses';
import type { SessionSigner } from './session';

/** A sign-in form post is two short fields; anything larger is refused before it is parsed. */
export const MAX_SIGNIN_BODY_BYTES = 16 * 1024;

export interface SigninRequest extends Pick<AuthRequest, 'method' | 'path' | 'query' | 'headers'> {
  /** The request body, decoded as UTF-8 (empty for GET). */
  readonly body: string;
}

export function isSigninPath(path: string): boolean {
  return path === SIGNIN_PATH || path === SIGNOUT_PATH;
}

/**
 * Only a path on this app: never `//host` or `/\host`, which browsers treat as another origin. Characters a
 * `Location` header cannot carry (beyond ASCII, spaces) are percent-encoded; a lone surrogate sends it home.
 */
function safeNext(next: string | null): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f]/.test(next)) {
    return '/';
  }
  try {
    return next.replace(/[^\x21-\x7e]/gu, encodeURIComponent);
  } catch {
    // Stryker disable next-line StringLiteral: equivalent, unreachable from a form or a query (they never decode to a lone surrogate)
    return '/';
  }
}

/**
 * A state change that another site cannot cause (a sign-out, a console form): a browser's cross-site request says so in `Sec-Fetch-Site`, or its
 * `Origin` names another host than the one it is sent to. Requests with neither (curl) are no browser's.
 */
export function isSameOriginRequest(headers: Readonly<Record<string, string | undefined>>): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers['origin'];
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === headers['host'];
  } catch {
    return false;
  }
}

function signoutPage(): AuthResponse {
  return htmlResponse(
    200,
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign out</title></head>
<body><main>
<h1>Sign out of this app</h1>
<form method="post" action="${SIGNOUT_PATH}"><button type="submit">Sign out</button></form>
</main></body></html>
`,
  );
}

function signinPage(status: number, next: string, error?: string): AuthResponse {
  const message = error ? `<p role="alert">${escapeHtml(error)}</p>` : '';
  return htmlResponse(
    status,
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in</title></head>
<body><main>
<h1>Sign in to this app</h1>
<p>Paste the owner secret (printed by <code>spaceport dev</code>, or read from the deployed stack's OwnerSecretCommand output).</p>
${message}<form method="post" action="${SIGNIN_PATH}">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label>Owner secret <input type="password" name="secret" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button>
</form>
</main></body></html>
`,
  );
}

export function handleSignin(request: SigninRequest, signer: SessionSigner, now: number): AuthResponse {
  if (request.path === SIGNOUT_PATH) {
    // A GET only shows the button: an <img> or a link on any page must not sign the owner out.
    if (request.method === 'GET' || request.method === 'HEAD') return signoutPage();
    if (request.method !== 'POST') return methodNotAllowed(request);
    if (!isSameOriginRequest(request.headers)) {
      return jsonResponse(403, { error: 'forbidden', message: 'sign out from a page of this app: cross-site sign-out is refused' });
    }
    return redirectResponse(303, SIGNIN_PATH, [signer.clearCookie()]);
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    return signinPage(200, safeNext(new URLSearchParams(request.query).get('next')));
  }
  if (request.method !== 'POST') return methodNotAllowed(request);
  if (Buffer.byteLength(request.body) > MAX_SIGNIN_BODY_BYTES) return signinTooLarge();
  // Stryker disable next-line StringLiteral: equivalent, any default that is not the form's type is refused alike
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return jsonResponse(415, { error: 'unsupported_media_type', message: 'post the sign-in form as application/x-www-form-urlencoded' });
  }
  const form = new URLSearchParams(request.body);
  const next = safeNext(form.get('next'));
  // Stryker disable next-line StringLiteral: equivalent, a missing secret is compared as some string that is not the secret
  if (!signer.isOwnerSecret(form.get('secret') ?? '')) return signinPage(401, next, 'That is not the owner secret.');
  return redirectResponse(303, next, [signer.issueCookie(now)]);
}

export function signinTooLarge(): AuthResponse {
  return jsonResponse(413, { error: 'payload_too_large', message: `a sign-in form is at most ${MAX_SIGNIN_BODY_BYTES} bytes` });
}

function methodNotAllowed(request: SigninRequest): AuthResponse {
  return jsonResponse(405, { error: 'method_not_allowed', message: `${request.method} is not allowed on ${request.path}` });
}

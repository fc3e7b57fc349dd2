/**
 * The responses auth answers by itself (denials, reserved paths, sign-in pages), in one neutral shape that the
 * dev router writes as HTTP and the cloud sign-in function returns as a payload 2.0 result.
 */
export interface AuthResponse {
  readonly status: number;
  /** Lower-case header names; `set-cookie` is never here, see `cookies`. */
  readonly headers: Readonly<Record<string, string>>;
  /** `Set-Cookie` values (payload 2.0 keeps them apart in `cookies[]`). */
  readonly cookies: readonly string[];
  readonly body: string;
}

// Nothing auth answers may be cached: a cached 302 or sign-in page would outlive the session it describes.
const NO_STORE = { 'cache-control': 'no-store' };

export function jsonResponse(status: number, body: object, cookies: readonly string[] = []): AuthResponse {
  return { status, headers: { 'content-type': 'application/json', ...NO_STORE }, cookies, body: JSON.stringify(body) };
}

/** Text made safe inside HTML elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function htmlResponse(status: number, html: string, cookies: readonly string[] = []): AuthResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE }, cookies, body: html };
}

export function redirectResponse(status: 302 | 303, location: string, cookies: readonly string[] = []): AuthResponse {
  return { status, headers: { location, ...NO_STORE }, cookies, body: '' };
}

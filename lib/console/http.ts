/**
 * The console's requests and responses in the plain shape of the data API's (no framework, no Node `http`): the dev
 * router and the cloud console function each adapt theirs to it, so every page, form and access rule is written once.
 */
import { createHash } from 'node:crypto';
import type { ByteStream } from '../data/drive-store';
import type { DataRequest, DataResponse } from '../data/http';

/** A request as the data API's handler takes it (method, path as sent, raw query, lower-case headers), body whole. */
export interface ConsoleRequest extends Omit<DataRequest, 'body'> {
  /** The whole body (empty for GET); the adapter refuses bodies over its platform's limit before calling. */
  readonly body: Buffer;
}

/** Status, lower-case headers, and a page, or a file or an export streamed from its store (a download). */
export interface ConsoleResponse extends Omit<DataResponse, 'body'> {
  readonly body: Buffer | ByteStream;
}

/** The console's own styles, inline so a page is one request; allowed by their hash, so no inline script ever runs. */
export const CONSOLE_CSS = `
:root{color-scheme:light dark;--muted:#6b7280;--line:#d1d5db;--accent:#2563eb;--bad:#b91c1c;--good:#15803d}
body{font:15px/1.5 system-ui,sans-serif;margin:0}
header{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;align-items:baseline;padding:.8rem 1.5rem;border-bottom:1px solid var(--line)}
header strong{font-size:1.05rem}nav a{margin-right:.9rem}nav a[aria-current=page]{font-weight:600;text-decoration:none}
main{padding:1rem 1.5rem 3rem;max-width:72rem}h1{font-size:1.4rem;margin:.6rem 0 1rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
table{border-collapse:collapse;margin:.4rem 0 1rem}th,td{padding:.35rem .7rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600}code,pre,textarea{font:13px ui-monospace,Menlo,Consolas,monospace}pre{white-space:pre-wrap;word-break:break-word;margin:0}
form.inline{display:inline}form.stack{display:grid;gap:.5rem;max-width:40rem;margin:.5rem 0 1rem}form.stack button{justify-self:start}
label{display:block}input,select,textarea,button{font:inherit}textarea{width:100%;box-sizing:border-box}
button{cursor:pointer}.nowrap{white-space:nowrap}.muted{color:var(--muted)}.ok{color:var(--good)}.bad{color:var(--bad)}
[role=status],[role=alert]{padding:.6rem .9rem;border:1px solid var(--line);border-radius:.3rem;margin:0 0 1rem}
[role=alert]{border-color:var(--bad)}.secret{display:inline-block;margin-top:.4rem;font-size:1.05rem;user-select:all;padding:.3rem .5rem;border:1px dashed var(--accent)}
fieldset{border:1px solid var(--line);border-radius:.3rem;margin:0 0 1rem;padding:.6rem 1rem}legend{font-weight:600}
`;

const STYLE_HASH = createHash('sha256').update(CONSOLE_CSS).digest('base64');

/**
 * Headers on every console answer: never cached (pages show keys once and per-session tokens), never framed,
 * no script at all, forms only to this app, no referrer leaving for another site (a page may show a key; with
 * `no-referrer` browsers would send the forms' `Origin` as `null`).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Lets go of a streamed body that will not be sent (a HEAD, a failed write): a file handle or a temporary export
 * is released when its stream is destroyed.
 */
export function discardBody(body: ConsoleResponse['body']): void {
  if (Buffer.isBuffer(body)) return;
  const stream = body as { destroy?: () => void; return?: () => unknown };
  if (typeof stream.destroy === 'function') stream.destroy();
  else void stream.return?.();
}

export function htmlPage(status: number, html: string): ConsoleResponse {
  return { status, headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(html) };
}

export function jsonAnswer(status: number, value: object): ConsoleResponse {
  return { status, headers: { ...SECURITY_HEADERS, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

export function redirect(location: string): ConsoleResponse {
  return { status: 303, headers: { ...SECURITY_HEADERS, location }, body: Buffer.alloc(0) };
}

/** A download: `attachment`, with the name in both the plain and the RFC 5987 form. */
export function download(body: ByteStream, contentType: string, fileName: string, size?: number): ConsoleResponse {
  const plain = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    // A file from the app's Drive is data, never a page of this origin: no sniffing, no rendering.
    'content-type': contentType,
    'content-disposition': `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
  };
  if (size !== undefined) headers['content-length'] = String(size);
  return { status: 200, headers, body };
}

/**
 * Who gets into the owner's console, on every one of its routes, against the real `spaceport dev`: only the signed-in
 * owner. Anonymous requests, API keys, the internal key, forged, expired and rotated sessions are sent to sign in
 * (pages) or refused (posts); a post also needs to come from a console page (same-origin) with the session's CSRF
 * token; and no spelling of a `/__space/` path ever reaches a micro.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionSigner, localSessionCookie } from '../../lib/auth/session';
import { consoleRoutes } from '../../lib/console/handler';
import { LocalApiKeyStore } from '../../lib/local/state';
import { type ConsoleDev, csrfOf, navigate, open, ownerSecretOf, page, post, signIn, startConsoleDev } from './console-helpers';

let app: ConsoleDev;
let apiKey: string;
let internalKey: string;

beforeAll(async () => {
  app = await startConsoleDev();
  ({ key: apiKey } = await new LocalApiKeyStore(join(app.appDir, '.spaceport')).create('matrix', undefined, new Date()));
  internalKey = readFileSync(join(app.appDir, '.spaceport', 'internal-key'), 'utf8').trim();
});
afterAll(() => app?.dev.server.stop());

const DAY_MS = 24 * 60 * 60 * 1000;

function cookieOf(signer: SessionSigner, at: number): string {
  return signer.issueCookie(at).split(';')[0]!;
}

/** Every way in that is not the owner's live session, as the headers a client would send. */
function outsiders(): Array<[string, Record<string, string>]> {
  const cookieName = localSessionCookie(app.appDir);
  const forger = new SessionSigner('someone-elses-secret-of-enough-length', false, cookieName);
  const owner = new SessionSigner(ownerSecretOf(app), false, cookieName);
  return [
    ['anonymous', {}],
    ['an API key', { 'x-space-app-key': apiKey }],
    ['the internal key', { 'x-api-key': internalKey }],
    ['a forged session', { cookie: cookieOf(forger, Date.now()) }],
    ['an expired session', { cookie: cookieOf(owner, Date.now() - 8 * DAY_MS) }],
    ['the session cookie of another app', { cookie: `spaceport_session=${cookieOf(owner, Date.now()).split('=')[1]}` }],
  ];
}

function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(
      { host: '127.0.0.1', port: app.dev.server.port, path, headers: { host: `localhost:${app.dev.server.port}`, ...headers } },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      },
    );
    sent.on('error', reject);
    sent.end();
  });
}

/** A route's URL with the parameters its page needs. */
function urlOf(path: string): string {
  const params: Record<string, string> = {
    '/__space/data/base': '?base=notes',
    '/__space/data/item': '?base=notes&key=a',
    '/__space/data/drive': '?drive=files',
    '/__space/data/file': '?drive=files&name=a.txt',
  };
  return path + (params[path] ?? '');
}

describe('the console answers only the signed-in owner', () => {
  it('covers every page and form of the console', () => {
    const routes = consoleRoutes().map((route) => `${route.method} ${route.path}`);
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /__space/',
        'GET /__space/keys',
        'POST /__space/keys/create',
        'POST /__space/app-actions/run',
        'GET /__space/data/export',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(22);
  });

  it.each(consoleRoutes().filter((route) => route.method === 'GET'))('sends everyone else to sign in from $path', async ({ path }) => {
    for (const [who, headers] of outsiders()) {
      const response = await app.dev.get(urlOf(path), { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
      expect(response.status, who).toBe(302);
      expect(response.headers.get('location'), who).toBe(`/__space/signin?next=${encodeURIComponent(urlOf(path))}`);
      const api = await app.dev.get(urlOf(path), { headers: { accept: 'application/json', ...headers } });
      expect(api.status, who).toBe(401);
      expect(await api.text(), who).not.toContain('Console demo');
    }
    const owner = await open(app, urlOf(path));
    expect([200, 404]).toContain(owner.status);
    expect(owner.headers.get('cache-control')).toBe('no-store');
  });

  it.each(consoleRoutes().filter((route) => route.method === 'POST'))(
    'refuses posts to $path from everyone else, before doing anything',
    async ({ path }) => {
      const csrf = csrfOf(await page(app, '/__space/keys'));
      for (const [who, headers] of outsiders()) {
        const response = await app.dev.get(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.dev.server.url, 'sec-fetch-site': 'same-origin', ...headers },
          body: new URLSearchParams({ csrf, name: 'intruder', id: 'tick', micro: 'web', action: 'greet', base: 'notes', key: 'a', item: '{}' }),
          redirect: 'manual',
        });
        expect(response.status, who).toBe(401);
      }
      expect((await new LocalApiKeyStore(join(app.appDir, '.spaceport')).list()).map((key) => key.name)).not.toContain('intruder');
    },
  );

  it.each(consoleRoutes().filter((route) => route.method === 'POST'))(
    'refuses the owner cross-site and CSRF-less posts to $path',
    async ({ path }) => {
      const csrf = csrfOf(await page(app, '/__space/keys'));
      const send = (headers: Record<string, string>, token?: string): Promise<Response> =>
        navigate(app, path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: app.cookie, ...headers },
          body: new URLSearchParams({ ...(token === undefined ? {} : { csrf: token }), name: 'csrf-victim', id: 'tick' }),
        });
      const sameOrigin = { origin: app.dev.server.url, 'sec-fetch-site': 'same-origin' };
      expect((await send({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, csrf)).status).toBe(403);
      expect((await send({ 'sec-fetch-site': 'same-site' }, csrf)).status).toBe(403);
      expect((await send({ origin: 'https://evil.example' }, csrf)).status).toBe(403);
      expect((await send(sameOrigin)).status).toBe(403);
      expect((await send(sameOrigin, `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`)).status).toBe(403);
      // The token of another session of the same owner (signed in a minute earlier) is not this session's.
      const other = { ...app, cookie: cookieOf(new SessionSigner(ownerSecretOf(app), false, localSessionCookie(app.appDir)), Date.now() - 60_000) };
      expect((await send(sameOrigin, csrfOf(await page(other, '/__space/keys')))).status).toBe(403);
      expect((await new LocalApiKeyStore(join(app.appDir, '.spaceport')).list()).map((key) => key.name)).not.toContain('csrf-victim');
    },
  );

  it("answers the owner's page loads and form posts, never a script's request, so no page of the app can read a CSRF token", async () => {
    const load = (mode: string): Promise<Response> => open(app, '/__space/keys', { 'sec-fetch-mode': mode });
    expect((await load('navigate')).status).toBe(200);
    // A client that sends no Sec-Fetch-Mode at all (curl, an older browser) is judged by the session and the token.
    expect((await rawGet('/__space/keys', { accept: 'text/html', cookie: app.cookie })).status).toBe(200);
    for (const mode of ['cors', 'same-origin', 'no-cors']) {
      const scripted = await load(mode);
      expect(scripted.status, mode).toBe(403);
      expect(await scripted.text(), mode).not.toContain('name="csrf"');
    }
    const csrf = csrfOf(await page(app, '/__space/keys'));
    const scriptedPost = await navigate(app, '/__space/keys/create', {
      method: 'POST',
      headers: {
        cookie: app.cookie,
        origin: app.dev.server.url,
        'sec-fetch-site': 'same-origin',
        'sec-fetch-mode': 'cors',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ csrf, name: 'scripted', micro: '' }),
    });
    expect(scriptedPost.status).toBe(403);
    expect((await new LocalApiKeyStore(join(app.appDir, '.spaceport')).list()).map((key) => key.name)).not.toContain('scripted');
  });

  it("refuses everyone else's post before reading its body, and the owner's over the body limit", async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 'a');
    const send = (cookie?: string): Promise<Response> =>
      navigate(app, '/__space/data/upload', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.dev.server.url, ...(cookie ? { cookie } : {}) },
        body: big,
      });
    expect((await send()).status).toBe(401);
    const owner = await send(app.cookie);
    expect(owner.status).toBe(413);
    expect((await owner.json()).detail).toContain('at most 5767168 bytes');
  });

  it('takes the same post with the session token from a console page', async () => {
    const response = await post(app, '/__space/keys/create', { name: 'from-the-page', micro: '' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Copy it now');
  });

  it('never hands a spelling of a /__space/ path to a micro', async () => {
    const spellings = [
      '/__SPACE/keys',
      '/%5F_space/keys',
      '/%5f%5fspace/',
      '/x/../__space/keys',
      '/%2e%2e/__space/keys',
      '/__space%2fkeys',
      '/.//__space/keys',
      '/docs/__space/keys',
      '/docs/%5F_space/',
    ];
    for (const spelling of spellings) {
      // As sent: fetch would resolve the dots and slashes before anyone could judge them.
      const response = await rawGet(spelling, { accept: 'text/html', cookie: app.cookie });
      const body = response.body;
      expect(body, spelling).not.toContain('"micro":"web"');
      expect(body, spelling).not.toContain('Docs');
      expect([302, 400, 404], spelling).toContain(response.status);
    }
  });

  it('sends every console page uncached, unframed and without script', async () => {
    const response = await open(app, '/__space/keys');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'; frame-ancestors 'none'/);
    expect(response.headers.get('content-security-policy')).not.toMatch(/script-src|unsafe/);
    expect(await response.text()).not.toMatch(/<script/i);
  });

  it('ends every session when the owner secret is rotated', async () => {
    const before = app.cookie;
    expect((await open(app, '/__space/')).status).toBe(200);
    const file = join(app.appDir, '.spaceport', 'owner-secret');
    writeFileSync(file, 'a-brand-new-owner-secret-after-rotation\n');
    const stale = await open(app, '/__space/');
    expect(stale.status).toBe(302);
    app.cookie = await signIn(app);
    expect(app.cookie).not.toBe(before);
    expect((await open(app, '/__space/')).status).toBe(200);
  });
});

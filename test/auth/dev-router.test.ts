/**
 * The same route x credential matrix through the real dev router over real HTTP (the micro behind it is a stub
 * that answers 200), plus the browser's sign-in round trip that only a local router can offer.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAuth } from '../../lib/local/dev/local-auth';
import { accessPolicyOf } from '../../lib/auth/policy';
import { createRouter, listen } from '../../lib/local/dev/dev-router';
import { loadSpacefile } from '../../lib/spacefile/load';
import { sendRaw } from '../helpers/raw-http';
import { CREDENTIAL_LABELS, type Credentials, credentialKinds, INTERNAL_KEY, NOW, OWNER_SECRET } from './fixtures';

const app = loadSpacefile('examples/hello/Spacefile');
const invoked: string[] = [];
let kinds: Credentials[];
let base = '';
let server: ReturnType<typeof createRouter>;

beforeAll(async () => {
  const { kinds: made, store } = await credentialKinds();
  kinds = made;
  server = createRouter({
    app,
    auth: new LocalAuth(accessPolicyOf(app), OWNER_SECRET, false, INTERNAL_KEY, store, () => NOW),
    invokeHttp: async (micro, event) => {
      invoked.push(`${micro} ${event.rawPath}`);
      return { statusCode: 200, headers: [['content-type', 'text/plain']], body: Buffer.from(`hello from ${micro}`) };
    },
    triggerAction: async () => undefined,
    log: () => undefined,
  });
  base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  expect((server.address() as AddressInfo).address).toBe('127.0.0.1');
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const MATRIX: ReadonlyArray<{ path: string; expected: readonly number[] }> = [
  { path: '/', expected: [401, 200, 401, 401, 200, 401, 200, 401, 401] },
  { path: '/public/hello.txt', expected: [200, 200, 200, 200, 200, 200, 200, 200, 200] },
  { path: '/public/../notes', expected: [401, 200, 401, 401, 200, 401, 200, 401, 401] },
  { path: '/public/..%2Fnotes', expected: [401, 200, 401, 401, 200, 401, 200, 401, 401] },
  { path: '/api/items', expected: [401, 200, 401, 401, 401, 401, 200, 401, 401] },
  { path: '/docs/index.html', expected: [200, 200, 200, 200, 200, 200, 200, 200, 200] },
  { path: '/api/__space/v0/actions', expected: [404, 404, 404, 404, 404, 404, 404, 404, 404] },
  { path: '/docs/__space/v0/actions', expected: [404, 404, 404, 404, 404, 404, 404, 404, 404] },
  { path: '/__space/v0/actions', expected: [404, 404, 404, 404, 404, 404, 404, 404, 404] },
];

describe('dev router: route x credential over HTTP', () => {
  for (const row of MATRIX) {
    CREDENTIAL_LABELS.forEach((credential, index) => {
      it(`${row.path} with ${credential}: ${row.expected[index]}`, async () => {
        const { cookies, headers } = kinds.find((kind) => kind.label === credential)!;
        const before = invoked.length;
        const response = await fetch(base + row.path, {
          method: 'POST',
          headers: { accept: 'application/json', ...headers, ...(cookies.length ? { cookie: cookies.join('; ') } : {}) },
          redirect: 'manual',
        });
        expect(response.status).toBe(row.expected[index]);
        // Nothing denied or reserved ever reaches the micro.
        expect(invoked.length - before).toBe(response.status === 200 ? 1 : 0);
      });
    });
  }
});

describe('dev router: CORS preflights (issue 10, finding 2)', () => {
  const preflight = { origin: 'https://other.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-space-app-key' };

  it('are answered by the router on a micro that takes API keys: the micro never runs and no body comes back', async () => {
    const before = invoked.length;
    const response = await fetch(`${base}/notes`, { method: 'OPTIONS', headers: preflight, body: 'secret-stealing payload' });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('x-space-app-key');
    // Never credentials: a page of another origin cannot ride on the owner's cookie.
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(invoked.length).toBe(before);
  });

  it('get no exception on a micro without API keys, and a plain OPTIONS is judged like any request', async () => {
    const before = invoked.length;
    expect((await fetch(`${base}/api/items`, { method: 'OPTIONS', headers: preflight })).status).toBe(401);
    expect((await fetch(`${base}/notes`, { method: 'OPTIONS' })).status).toBe(401);
    expect(invoked.length).toBe(before);
  });
});

describe('dev router: a browser signs in', () => {
  it('is sent to sign in, signs in with the owner secret and comes back to the page it asked for', async () => {
    const first = await fetch(`${base}/notes?page=2`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(first.status).toBe(302);
    const signin = new URL(first.headers.get('location')!, base);
    expect(signin.pathname + signin.search).toBe('/__space/signin?next=%2Fnotes%3Fpage%3D2');

    const form = await fetch(signin);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('value="/notes?page=2"');

    const wrong = await fetch(`${base}/__space/signin`, {
      method: 'POST',
      body: new URLSearchParams({ secret: 'nope', next: '/notes?page=2' }),
      redirect: 'manual',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);

    const posted = await fetch(`${base}/__space/signin`, {
      method: 'POST',
      body: new URLSearchParams({ secret: OWNER_SECRET, next: '/notes?page=2' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/notes?page=2');
    const [cookie] = posted.headers.getSetCookie();
    expect(cookie).toMatch(/HttpOnly; SameSite=Lax$/);

    const back = await fetch(`${base}/notes?page=2`, { headers: { accept: 'text/html', cookie: cookie!.split(';')[0]! }, redirect: 'manual' });
    expect(back.status).toBe(200);
    expect(await back.text()).toBe('hello from web');

    const tooLarge = await fetch(`${base}/__space/signin`, {
      method: 'POST',
      body: new URLSearchParams({ secret: 'x'.repeat(20_000) }),
      redirect: 'manual',
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('connection')).toBe('close');

    const signedOut = await fetch(`${base}/__space/signout`, { method: 'POST', redirect: 'manual' });
    expect(signedOut.headers.getSetCookie()[0]).toMatch(/^spaceport_session=; Path=\/; Max-Age=0/);
  });
});

describe('dev router: paths sent as they are, dots and all (issue 10, findings 1 and 11)', () => {
  // fetch resolves dot segments before sending; curl --path-as-is does not, and neither does this.
  it('denies a private path dressed as a public one, and keeps every spelling of /__space from the micro', async () => {
    const before = invoked.length;
    const accept = { accept: 'application/json' };
    expect((await sendRaw(base, { path: '/notes/../public/hello.txt', headers: accept })).status).toBe(401);
    expect((await sendRaw(base, { path: '/notes/..%2Fpublic/hello.txt', headers: accept })).status).toBe(401);
    for (const path of ['/__SPACE/v0/actions', '/a/..%5C__space/v0/actions', '/docs/%255F%255Fspace/v0/actions']) {
      expect((await sendRaw(base, { method: 'POST', path, headers: accept })).status, path).toBe(404);
    }
    expect(invoked.length).toBe(before);
    expect((await sendRaw(base, { path: '/public/./hello.txt' })).status).toBe(200);
  });
});

describe('dev router: request targets that are not paths (issue 10, finding 3)', () => {
  it('refuses absolute-form and asterisk-form targets before anything reaches a micro, signed in or not', async () => {
    const { cookies } = kinds.find((kind) => kind.label === 'owner cookie')!;
    const before = invoked.length;
    for (const target of ['http://x/__space/v0/actions', 'http://x/public/hello.txt', '*']) {
      const response = await sendRaw(base, {
        method: 'POST',
        path: target,
        headers: { cookie: cookies.join('; '), 'content-type': 'application/json' },
      });
      expect(response.status, target).toBe(400);
    }
    expect(invoked.length).toBe(before);
  });
});

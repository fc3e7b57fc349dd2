/** Owner sign-in: the pages, the cookie they set, and what that cookie is worth afterwards. */
import { describe, expect, it } from 'vitest';
import { handleSignin, type SigninRequest } from '../../lib/auth/signin';
import { SessionSigner } from '../../lib/auth/session';
import { cookiePair, DAY_MS, NOW, OWNER_SECRET } from './fixtures';

const signer = new SessionSigner(OWNER_SECRET, true);

function post(body: string, path = '/__space/signin'): SigninRequest {
  return { method: 'POST', path, query: '', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

describe('sign-in page', () => {
  it('shows a form that posts the secret and carries next along, escaped', () => {
    const page = handleSignin({ method: 'GET', path: '/__space/signin', query: 'next=%2Fa%22%3E%3Cscript%3E', headers: {}, body: '' }, signer, NOW);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<form method="post" action="/__space/signin">');
    expect(page.body).toContain('value="/a&#34;&#62;&#60;script&#62;"');
    expect(page.body).not.toContain('<script>');
  });

  it('exchanges the owner secret for an HttpOnly, Secure, SameSite=Lax cookie with an expiry, and returns to next', () => {
    const response = handleSignin(post(form({ secret: OWNER_SECRET, next: '/notes?x=1' })), signer, NOW);
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/notes?x=1');
    const [cookie] = response.cookies;
    expect(cookie).toMatch(/^spaceport_session=v1\.\d+\.[\w-]+; Path=\/; Max-Age=604800; Expires=[^;]+ GMT; HttpOnly; SameSite=Lax; Secure$/);
    const token = cookiePair(cookie!).split('=')[1]!;
    expect(signer.verify(token, NOW + DAY_MS)).toBe(true);
    expect(signer.verify(token, NOW + 8 * DAY_MS)).toBe(false);
  });

  it('leaves Secure off for plain-http localhost', () => {
    const local = new SessionSigner(OWNER_SECRET, false);
    const [cookie] = handleSignin(post(form({ secret: OWNER_SECRET })), local, NOW).cookies;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).not.toContain('Secure');
  });

  it('refuses a wrong secret with 401 and the form again, setting no cookie', () => {
    const response = handleSignin(post(form({ secret: 'guess', next: '/notes' })), signer, NOW);
    expect(response.status).toBe(401);
    expect(response.cookies).toEqual([]);
    expect(response.body).toContain('That is not the owner secret.');
  });

  it('never redirects off the app after sign-in', () => {
    for (const next of ['https://evil.example/', '//evil.example/', '/\\evil.example/', 'javascript:alert(1)']) {
      expect(handleSignin(post(form({ secret: OWNER_SECRET, next })), signer, NOW).headers['location'], next).toBe('/');
    }
  });

  it('rejects what is not a sign-in form with a status that says why', () => {
    expect(handleSignin({ ...post(''), headers: { 'content-type': 'application/json' } }, signer, NOW).status).toBe(415);
    expect(handleSignin(post('x'.repeat(17 * 1024)), signer, NOW).status).toBe(413);
    expect(handleSignin({ ...post(''), method: 'PUT' }, signer, NOW).status).toBe(405);
  });

  it('signs out by clearing the cookie', () => {
    const response = handleSignin(post('', '/__space/signout'), signer, NOW);
    expect(response.status).toBe(303);
    expect(response.cookies[0]).toMatch(/^spaceport_session=; Path=\/; Max-Age=0;/);
  });

  it('signs out only on a same-origin POST: another page cannot log the owner out (issue 10, finding 12)', () => {
    const page = handleSignin({ method: 'GET', path: '/__space/signout', query: '', headers: {}, body: '' }, signer, NOW);
    expect(page.status).toBe(200);
    expect(page.cookies).toEqual([]);
    expect(page.body).toContain('<form method="post" action="/__space/signout">');
    const crossSite = { ...post('', '/__space/signout'), headers: { host: 'app.example', origin: 'https://evil.example' } };
    expect(handleSignin(crossSite, signer, NOW)).toMatchObject({ status: 403, cookies: [] });
    const fetchedCrossSite = { ...post('', '/__space/signout'), headers: { host: 'app.example', 'sec-fetch-site': 'cross-site' } };
    expect(handleSignin(fetchedCrossSite, signer, NOW)).toMatchObject({ status: 403, cookies: [] });
    const sameOrigin = {
      ...post('', '/__space/signout'),
      headers: { host: 'app.example', origin: 'https://app.example', 'sec-fetch-site': 'same-origin' },
    };
    expect(handleSignin(sameOrigin, signer, NOW).status).toBe(303);
  });

  it('returns to a next with characters outside ASCII, percent-encoded, never a 500 (issue 10, finding 12)', () => {
    const response = handleSignin(post(form({ secret: OWNER_SECRET, next: '/\u0100?q=\u00e9 x' })), signer, NOW);
    expect(response).toMatchObject({ status: 303, headers: { location: '/%C4%80?q=%C3%A9%20x' } });
    const page = handleSignin({ method: 'GET', path: '/__space/signin', query: 'next=%2F%C4%80', headers: {}, body: '' }, signer, NOW);
    expect(page.body).toContain('value="/%C4%80"');
  });
});

describe('session tokens', () => {
  const token = cookiePair(signer.issueCookie(NOW)).split('=')[1]!;

  it('is valid 1 ms before it expires and refused at its expiry (issue 19)', () => {
    const expiresAt = Number(token.split('.')[1]) * 1000;
    expect(signer.verify(token, expiresAt - 1)).toBe(true);
    expect(signer.verify(token, expiresAt)).toBe(false);
  });

  it('rejects tampered, truncated and foreign tokens', () => {
    const [version, expires, signature] = token.split('.');
    expect(signer.verify(`${version}.${Number(expires) + 3600}.${signature}`, NOW)).toBe(false);
    expect(signer.verify(`${version}.${expires}`, NOW)).toBe(false);
    expect(signer.verify(`${token}.extra`, NOW)).toBe(false);
    expect(signer.verify('', NOW)).toBe(false);
    expect(new SessionSigner('another-secret-of-enough-length', true).verify(token, NOW)).toBe(false);
  });
});

describe('cloud sign-in function (payload 2.0)', () => {
  it('signs in from a base64 form body, puts the cookie in cookies[], and 404s other runtime paths', async () => {
    const { createSigninHandler } = await import('../../lib/handlers/signin-handler');
    const handle = createSigninHandler({ readOwnerSecret: async () => OWNER_SECRET, now: () => NOW });
    const event = (rawPath: string, method: string, body?: string) => ({
      rawPath,
      rawQueryString: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      requestContext: { http: { method } },
      ...(body === undefined ? {} : { body: Buffer.from(body).toString('base64') }),
      isBase64Encoded: body !== undefined,
    });
    const result = await handle(event('/__space/signin', 'POST', form({ secret: OWNER_SECRET, next: '/x' })));
    expect(result).toMatchObject({ statusCode: 303, headers: { location: '/x' } });
    expect(result.cookies[0]).toMatch(/^spaceport_session=v1\..*; Secure$/);
    expect((await handle(event('/__space/v0/actions', 'POST'))).statusCode).toBe(404);
  });

  it('answers CORS preflights of micros with api_keys without any micro, and nothing else it is sent (issue 10, finding 2)', async () => {
    const { createSigninHandler } = await import('../../lib/handlers/signin-handler');
    const handle = createSigninHandler({ readOwnerSecret: async () => OWNER_SECRET, now: () => NOW });
    const options = (headers: Record<string, string>) => ({
      rawPath: '/notes',
      rawQueryString: '',
      headers,
      requestContext: { http: { method: 'OPTIONS' } },
      body: 'x',
      isBase64Encoded: false,
    });
    const answered = await handle(
      options({
        origin: 'https://other.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-space-app-key,content-type',
      }),
    );
    expect(answered).toMatchObject({
      statusCode: 204,
      body: '',
      headers: {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'PUT',
        'access-control-allow-headers': 'x-space-app-key,content-type',
      },
    });
    expect((await handle(options({}))).statusCode).toBe(405);
  });

  it('follows a rotated owner secret at once: old sessions and the old secret stop working (issue 10, finding 9)', async () => {
    const { createSigninHandler } = await import('../../lib/handlers/signin-handler');
    let current = OWNER_SECRET;
    const handle = createSigninHandler({ readOwnerSecret: async () => current, now: () => NOW });
    const signin = (secret: string) =>
      handle({
        rawPath: '/__space/signin',
        rawQueryString: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        requestContext: { http: { method: 'POST' } },
        body: form({ secret }),
        isBase64Encoded: false,
      });
    expect((await signin(OWNER_SECRET)).statusCode).toBe(303);
    current = 'the-rotated-owner-secret-of-enough-length';
    expect((await signin(OWNER_SECRET)).statusCode).toBe(401);
    expect((await signin(current)).statusCode).toBe(303);
  });
});

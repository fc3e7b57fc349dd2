/** The shared access rules: what a user sees for public patterns, odd paths, browsers and API clients. */
import { describe, expect, it } from 'vitest';
import { generateInternalKey, InternalKey } from '../../lib/auth/internal-key';
import type { MicroAccessPolicy } from '../../lib/auth/policy';
import { AccessRules, type ApiKeyGrant, type AuthContext, type AuthRequest, authorize, authorizeConsole } from '../../lib/auth/rules';

function policyOf(...micros: MicroAccessPolicy[]) {
  return { primary: micros.find((m) => m.path === '/')!, micros };
}

const INTERNAL_KEY = generateInternalKey();
const internalKey = new InternalKey(INTERNAL_KEY);

function context(rules: AccessRules, keys: Record<string, ApiKeyGrant> = {}): AuthContext {
  return {
    rules,
    now: 0,
    verifyOwnerSession: (token) => token === 'good',
    verifyInternalKey: (key) => internalKey.matches(key),
    verifyApiKey: async (key) => keys[key],
  };
}

function request(path: string, extra: Partial<AuthRequest> = {}): AuthRequest {
  const [pathname, query = ''] = path.split('?');
  return { method: 'GET', path: pathname!, query, headers: {}, cookies: [], ...extra };
}

describe('public routes', () => {
  const rules = new AccessRules(
    policyOf(
      { name: 'web', path: '/', apiKeys: false, publicRoutes: ['/about', '/blog/*/comments', '/assets/*'] },
      { name: 'open', path: '/open', apiKeys: false, publicRoutes: ['/*'] },
    ),
  );
  const outcome = async (path: string) => (await authorize(request(path), context(rules))).outcome;

  it('opens exact paths and nothing around them', async () => {
    expect(await outcome('/about')).toBe('allow');
    expect(await outcome('/about/team')).toBe('deny');
    expect(await outcome('/aboutx')).toBe('deny');
  });

  it('lets * match anything, slashes included, anywhere in the pattern', async () => {
    expect(await outcome('/blog/2024/05/comments')).toBe('allow');
    expect(await outcome('/blog/2024/05/edit')).toBe('deny');
    expect(await outcome('/assets/css/site.css')).toBe('allow');
  });

  it('treats /* as everything, the micro root included', async () => {
    expect(await outcome('/open')).toBe('allow');
    expect(await outcome('/open/')).toBe('allow');
    expect(await outcome('/open/a/b')).toBe('allow');
  });

  it('matches public routes relative to the micro path, not the app root', async () => {
    expect(await outcome('/open/about')).toBe('allow');
    expect(await outcome('/openx')).toBe('deny');
  });

  it('does not let encoded or dotted paths climb out of a public folder', async () => {
    expect(await outcome('/assets/../admin')).toBe('deny');
    expect(await outcome('/assets/..%2Fadmin')).toBe('deny');
    expect(await outcome('/assets%2F..%2Fadmin')).toBe('deny');
    expect(await outcome('/assets/%2e%2e/admin')).toBe('deny');
    expect(await outcome('/assets/..\\admin')).toBe('deny');
  });

  it('judges the path as sent too: a router that reads /admin/../assets/x literally reaches /admin (finding 1)', async () => {
    // Werkzeug's `/admin/<path:p>`, Express's `/admin/*` and Starlette route the literal path, dots and all.
    expect(await outcome('/admin/../assets/x')).toBe('deny');
    expect(await outcome('/admin/./../assets/x')).toBe('deny');
    expect(await outcome('/admin/..\\assets/x')).toBe('deny');
    expect(await outcome('/admin/%252e%252e/assets/x')).toBe('deny');
    // A path whose every reading is public stays public.
    expect(await outcome('/assets/./css/site.css')).toBe('allow');
    expect(await outcome('/assets/css%20dir/site.css')).toBe('allow');
  });

  it('never opens a target that is not a path (absolute-form, asterisk-form) (finding 3)', async () => {
    for (const path of ['http://x/__space/v0/actions', 'http://x/about', '*', 'about']) {
      const decision = await authorize(request(path, { cookies: ['spaceport_session=good'] }), context(rules));
      expect(decision.outcome, path).toBe('reserved');
      if (decision.outcome === 'reserved') expect(decision.response.status, path).toBe(400);
    }
  });

  it('keeps runtime paths unreachable however they are spelled', async () => {
    for (const path of [
      '/a/..%5C__space/v0/actions',
      '/a/..%5c__SPACE/v0/actions',
      '/open/%255F%255Fspace/v0/actions',
      '//x/__space/v0/actions',
      '/open/..\\__Space/v0',
      '/__space/v0/actions',
      '/__SPACE/v0/actions',
      '/open/__space/v0/actions',
      '/open//__space/v0/actions',
      '/assets/../__space/v0/actions',
      '/%5f%5fspace/v0/actions',
    ]) {
      const decision = await authorize(request(path, { cookies: ['spaceport_session=good'] }), context(rules));
      expect(decision.outcome, path).toBe('reserved');
      if (decision.outcome === 'reserved') expect(decision.response.status).toBe(404);
    }
  });
});

describe('denials', () => {
  const rules = new AccessRules(policyOf({ name: 'web', path: '/', apiKeys: true, publicRoutes: [] }));

  it('sends a browser to sign in, remembering where it was going', async () => {
    const decision = await authorize(request('/notes/1?tab=2', { headers: { accept: 'text/html,application/xhtml+xml' } }), context(rules));
    expect(decision.outcome).toBe('deny');
    if (decision.outcome !== 'deny') return;
    expect(decision.response.status).toBe(302);
    expect(decision.response.headers['location']).toBe('/__space/signin?next=%2Fnotes%2F1%3Ftab%3D2');
  });

  it('answers an API client 401 JSON that says what to do', async () => {
    const decision = await authorize(request('/notes', { headers: { accept: 'application/json' } }), context(rules));
    if (decision.outcome !== 'deny') throw new Error(`expected a denial, got ${decision.outcome}`);
    expect(decision.response.status).toBe(401);
    expect(decision.response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(decision.response.body)).toEqual({ error: 'unauthorized', message: expect.stringContaining('X-Space-App-Key') });
  });

  it('does not suggest an API key on a micro that accepts none', async () => {
    const keyless = new AccessRules(policyOf({ name: 'web', path: '/', apiKeys: false, publicRoutes: [] }));
    const decision = await authorize(request('/notes', { headers: { accept: 'application/json' } }), context(keyless));
    if (decision.outcome !== 'deny') throw new Error(`expected a denial, got ${decision.outcome}`);
    expect(JSON.parse(decision.response.body).message).toBe('this app is private: sign in as its owner');
  });

  it('answers a wrong key with 401 even from a browser: a key means an API client', async () => {
    const decision = await authorize(request('/notes', { headers: { accept: 'text/html', 'x-space-app-key': 'nope' } }), context(rules));
    if (decision.outcome !== 'deny') throw new Error(`expected a denial, got ${decision.outcome}`);
    expect(decision.response.status).toBe(401);
    expect(decision.reason).toContain('not a valid API key');
  });
});

describe('API keys', () => {
  const rules = new AccessRules(
    policyOf(
      { name: 'web', path: '/', apiKeys: true, publicRoutes: [] },
      { name: 'api', path: '/api', apiKeys: true, publicRoutes: [] },
      { name: 'admin', path: '/admin', apiKeys: false, publicRoutes: [] },
    ),
  );
  const keys = { 'k-any': { name: 'any' }, 'k-api': { name: 'only-api', micro: 'api' } };
  const decide = (path: string, key: string) => authorize(request(path, { headers: { 'x-space-app-key': key } }), context(rules, keys));

  it('accepts an app-wide key on every micro with the preset', async () => {
    expect(await decide('/x', 'k-any')).toMatchObject({ outcome: 'allow', via: 'api-key', keyName: 'any' });
    expect(await decide('/api/x', 'k-any')).toMatchObject({ outcome: 'allow', micro: 'api' });
  });

  it('limits a micro-scoped key to its micro', async () => {
    expect(await decide('/api/x', 'k-api')).toMatchObject({ outcome: 'allow' });
    expect(await decide('/x', 'k-api')).toMatchObject({ outcome: 'deny', reason: expect.stringContaining("limited to the micro 'api'") });
  });

  it('refuses keys on a micro without the preset, naming the micro', async () => {
    expect(await decide('/admin', 'k-any')).toMatchObject({ outcome: 'deny', reason: expect.stringContaining("'admin' does not accept API keys") });
  });
});

describe("the app's internal key (X-API-Key: $DETA_API_KEY)", () => {
  const rules = new AccessRules(
    policyOf({ name: 'web', path: '/', apiKeys: true, publicRoutes: [] }, { name: 'admin', path: '/admin', apiKeys: false, publicRoutes: [] }),
  );
  const keys = { 'k-any': { name: 'any' } };
  const decide = (path: string, headers: Record<string, string>, extra: Partial<AuthRequest> = {}) =>
    authorize(request(path, { headers, ...extra }), context(rules, keys));

  it('lets a sibling micro in like the owner, on micros with and without api_keys', async () => {
    expect(await decide('/notes', { 'x-api-key': INTERNAL_KEY })).toEqual({ outcome: 'allow', micro: 'web', via: 'internal-key' });
    expect(await decide('/admin/users?page=2', { 'x-api-key': INTERNAL_KEY })).toEqual({ outcome: 'allow', micro: 'admin', via: 'internal-key' });
  });

  it('never opens the runtime paths', async () => {
    for (const path of ['/__space/v0/actions', '/admin/__space/v0/actions', '/%5F%5Fspace/v0/actions', '/x/../__SPACE/v0/actions']) {
      expect((await decide(path, { 'x-api-key': INTERNAL_KEY })).outcome, path).toBe('reserved');
    }
  });

  it('treats a wrong X-API-Key as no credential: the request is judged as if it were not there', async () => {
    const wrong = { 'x-api-key': INTERNAL_KEY.slice(1) + INTERNAL_KEY[0] };
    expect(await decide('/notes', wrong, { cookies: ['spaceport_session=good'] })).toMatchObject({ outcome: 'allow', via: 'owner' });
    expect(await decide('/notes', { ...wrong, 'x-space-app-key': 'k-any' })).toMatchObject({ outcome: 'allow', via: 'api-key' });
    // A browser is still sent to sign in: a wrong X-API-Key does not make it an API client.
    const browser = await decide('/notes', { ...wrong, accept: 'text/html' });
    expect(browser.outcome === 'deny' && browser.response.status).toBe(302);
    const client = await decide('/notes', wrong);
    expect(client).toMatchObject({ outcome: 'deny', reason: 'this app is private: sign in as its owner or send an X-Space-App-Key' });
    expect(await decide('/notes', { 'x-api-key': '' })).toMatchObject({ outcome: 'deny' });
  });

  it("stays apart from user API keys: neither is accepted in the other one's header", async () => {
    expect(await decide('/notes', { 'x-space-app-key': INTERNAL_KEY })).toMatchObject({
      outcome: 'deny',
      reason: expect.stringContaining('not a valid API key'),
    });
    expect(await decide('/notes', { 'x-api-key': 'k-any' })).toMatchObject({ outcome: 'deny' });
  });
});

describe('InternalKey', () => {
  it('matches the key exactly: not a prefix, not a longer string, not another case', () => {
    const key = new InternalKey(INTERNAL_KEY);
    expect(key.matches(INTERNAL_KEY)).toBe(true);
    expect(key.matches(INTERNAL_KEY.slice(0, -1))).toBe(false);
    expect(key.matches(INTERNAL_KEY + 'x')).toBe(false);
    expect(key.matches(INTERNAL_KEY.toUpperCase() === INTERNAL_KEY ? INTERNAL_KEY.toLowerCase() : INTERNAL_KEY.toUpperCase())).toBe(false);
  });

  it('refuses a key too short to be a generated one', () => {
    expect(() => new InternalKey('short')).toThrow("the app's internal key is too short (5 characters, at least 32)");
    expect(() => new InternalKey('k'.repeat(31))).toThrow('too short (31 characters');
    expect(new InternalKey('k'.repeat(32)).matches('k'.repeat(32))).toBe(true);
    expect(generateInternalKey()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateInternalKey()).not.toBe(generateInternalKey());
  });
});

describe('what a user notices at the edges of the rules', () => {
  const rules = new AccessRules(
    policyOf(
      { name: 'web', path: '/', apiKeys: false, publicRoutes: ['/', '/robots.txt'] },
      { name: 'api', path: '/api', apiKeys: true, publicRoutes: [] },
    ),
  );
  const decide = (path: string, extra: Partial<AuthRequest> = {}, keys: Record<string, ApiKeyGrant> = {}) =>
    authorize(request(path, extra), context(rules, keys));

  it('opens the root itself when / is public, and a dotted route only as written', async () => {
    expect((await decide('/')).outcome).toBe('allow');
    expect((await decide('/robots.txt')).outcome).toBe('allow');
    expect((await decide('/robotsXtxt')).outcome).toBe('deny');
  });

  it('answers a reserved path 404 with a body that says why', async () => {
    const decision = await decide('/__space/v0/actions');
    expect(decision.outcome === 'reserved' && JSON.parse(decision.response.body)).toEqual({
      error: 'not_found',
      message: '/__space/v0/actions belongs to the Space runtime and is not reachable',
    });
    expect(decision.outcome === 'reserved' && decision.response.headers['cache-control']).toBe('no-store');
  });

  it('reads the session from its own cookie only, with the spaces a Cookie header has', async () => {
    expect((await decide('/notes', { cookies: ['other=good'] })).outcome).toBe('deny');
    expect((await decide('/notes', { cookies: ['=good', 'spaceport_session'] })).outcome).toBe('deny');
    expect(await decide('/notes', { cookies: ['theme=dark', ' spaceport_session = good '] })).toMatchObject({ outcome: 'allow', via: 'owner' });
  });

  it('accepts a key header with the whitespace a client left around it', async () => {
    expect(await decide('/notes', { headers: { 'x-api-key': ` ${INTERNAL_KEY} ` } })).toMatchObject({ outcome: 'allow', via: 'internal-key' });
    const grant = { name: 'ci' };
    expect(await decide('/api/x', { headers: { 'x-space-app-key': ' k-ci ' } }, { 'k-ci': grant })).toMatchObject({
      outcome: 'allow',
      via: 'api-key',
    });
  });

  it('answers a key the micro cannot take with 401 JSON, not a sign-in redirect, even to a browser', async () => {
    const browser = { accept: 'text/html' };
    const noPreset = await decide('/notes', { headers: { ...browser, 'x-space-app-key': 'k-ci' } }, { 'k-ci': { name: 'ci' } });
    expect(noPreset.outcome === 'deny' && noPreset.response.status).toBe(401);
    const otherMicro = await decide('/api/x', { headers: { ...browser, 'x-space-app-key': 'k-web' } }, { 'k-web': { name: 'w', micro: 'web' } });
    expect(otherMicro).toMatchObject({ outcome: 'deny', reason: "the API key 'w' is limited to the micro 'web'" });
    expect(otherMicro.outcome === 'deny' && otherMicro.response.status).toBe(401);
    expect(otherMicro.outcome === 'deny' && otherMicro.response.cookies).toEqual([]);
  });

  it('lets through only a real CORS preflight: OPTIONS with an Origin and the method it asks for', async () => {
    const preflight = { origin: 'https://client.example', 'access-control-request-method': 'POST' };
    expect(await decide('/api/x', { method: 'OPTIONS', headers: preflight })).toMatchObject({ outcome: 'preflight', micro: 'api' });
    expect((await decide('/api/x', { method: 'OPTIONS', headers: { origin: 'https://client.example' } })).outcome).toBe('deny');
    expect((await decide('/api/x', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } })).outcome).toBe('deny');
  });

  it('answers only a real preflight itself: 204, what was asked allowed from any origin, no credentials', async () => {
    const asked = { origin: 'https://client.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-space-app-key' };
    const decision = await decide('/api/x', { method: 'OPTIONS', headers: asked });
    expect(decision.outcome === 'preflight' && decision.response).toEqual({
      status: 204,
      headers: {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'PUT',
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
        'access-control-allow-headers': 'x-space-app-key',
      },
      cookies: [],
      body: '',
    });
    expect((await decide('/api/x', { method: 'GET', headers: asked })).outcome).toBe('deny');
  });

  it('refuses a target that is not a path with a 400 that says so', async () => {
    const decision = await decide('http://evil.example/__space/x');
    expect(decision.outcome === 'reserved' && decision.response.status).toBe(400);
    expect(decision.outcome === 'reserved' && JSON.parse(decision.response.body)).toEqual({
      error: 'bad_request',
      message: 'the request target must be a path (origin-form), not a URL',
    });
  });

  it('sends a denied browser to sign in with a bodiless, uncached redirect', async () => {
    const decision = await decide('/notes', { headers: { accept: 'text/html' } });
    expect(decision.outcome === 'deny' && decision.response).toEqual({
      status: 302,
      headers: { location: '/__space/signin?next=%2Fnotes', 'cache-control': 'no-store' },
      cookies: [],
      body: '',
    });
  });
});

describe("the owner's console", () => {
  const session = { now: 7, verifyOwnerSession: (token: string, now: number) => token === 'good' && now === 7 };
  const decide = (path: string, extra: Partial<AuthRequest> = {}) => authorizeConsole(request(path, extra), session);

  it("opens /__space and everything under it with the owner's session, and nothing else", () => {
    for (const path of ['/__space', '/__space/', '/__space/keys', '/__space/data/base?name=a']) {
      expect(decide(path, { cookies: ['other=x', 'spaceport_session=bad', 'spaceport_session=good'] })).toEqual({ allowed: true });
    }
    const signIn = "the console is for the app's owner: sign in";
    expect(decide('/__space/keys')).toEqual({ allowed: false, reason: signIn });
    expect(decide('/__space/keys', { cookies: ['spaceport_session=bad'] })).toEqual({ allowed: false, reason: signIn });
    // An API key or the internal key is no credential here, whatever it is worth on a micro.
    expect(decide('/__space/keys', { headers: { 'x-api-key': INTERNAL_KEY, 'x-space-app-key': 'k' } })).toEqual({ allowed: false, reason: signIn });
  });

  it('reads the session from the cookie name the context gives', () => {
    const renamed = { ...session, sessionCookie: 'owner' };
    expect(authorizeConsole(request('/__space/', { cookies: ['owner=good'] }), renamed)).toEqual({ allowed: true });
    expect(authorizeConsole(request('/__space/', { cookies: ['spaceport_session=good'] }), renamed)).toMatchObject({ allowed: false });
  });

  it('refuses a path some reading of which leaves /__space, even for the owner', () => {
    for (const path of [
      '/__space/../api/items',
      '/__space/..%2Fnotes',
      '/__space%2F..%2Fnotes',
      '/__spacex/keys',
      '/api/__space/',
      'http://h/__space/',
    ]) {
      expect(decide(path, { cookies: ['spaceport_session=good'] })).toEqual({ allowed: false, reason: `${path} is not a path of the console` });
    }
  });
});

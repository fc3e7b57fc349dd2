/**
 * The access matrix (route x credential) through the Lambda authorizer handler, fed payload 2.0 REQUEST
 * authorizer events shaped as API Gateway sends them. `isAuthorized: false` is what API Gateway turns into 403.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer, type SimpleAuthorizerResult } from '../../lib/handlers/authorizer';
import type { LocalApiKeyStore } from '../../lib/local/state';
import { authorizerEvent, CREDENTIAL_LABELS, type Credentials, credentialKinds, helloPolicy, INTERNAL_KEY, NOW, OWNER_SECRET } from './fixtures';

type Expected = 'allow' | 'deny';

/** Per route: the expected outcome for each credential above, in order. */
const MATRIX: ReadonlyArray<{ rawPath: string; routeKey: string; expected: readonly Expected[]; why: string }> = [
  {
    rawPath: '/',
    routeKey: 'ANY /',
    expected: ['deny', 'allow', 'deny', 'deny', 'allow', 'deny', 'allow', 'deny', 'deny'],
    why: 'private primary with api_keys',
  },
  {
    rawPath: '/notes',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'allow', 'deny', 'allow', 'deny', 'deny'],
    why: 'private primary with api_keys',
  },
  {
    rawPath: '/public/hello.txt',
    routeKey: 'ANY /{proxy+}',
    expected: ['allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'allow'],
    why: 'public route wins over keys',
  },
  {
    rawPath: '/public/../notes',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'allow', 'deny', 'allow', 'deny', 'deny'],
    why: 'dot segments leave the public folder',
  },
  // Public routes go through the authorizer too: an encoded `..` under the public prefix is judged here, not by the micro.
  {
    rawPath: '/public/..%2Fnotes',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'allow', 'deny', 'allow', 'deny', 'deny'],
    why: 'encoded slash after dots leaves the public folder',
  },
  {
    rawPath: '/public/%2E%2E/notes',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'allow', 'deny', 'allow', 'deny', 'deny'],
    why: 'encoded dots leave the public folder',
  },
  {
    rawPath: '/public/..%5Capi/items',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'allow', 'deny', 'allow', 'deny', 'deny'],
    why: 'encoded backslash read as a slash',
  },
  // The micro may route the literal path (Flask's `/<path:p>` under a private prefix): finding 1 of issue 10.
  {
    rawPath: '/notes/../public/x',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'allow', 'deny', 'allow', 'deny', 'deny'],
    why: 'literal dots under a private path',
  },
  {
    rawPath: '/api/items',
    routeKey: 'ANY /api/{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'deny', 'deny', 'allow', 'deny', 'deny'],
    why: 'micro without the api_keys preset',
  },
  {
    rawPath: '/api',
    routeKey: 'ANY /api',
    expected: ['deny', 'allow', 'deny', 'deny', 'deny', 'deny', 'allow', 'deny', 'deny'],
    why: 'micro root, no preset',
  },
  {
    rawPath: '/docs/index.html',
    routeKey: 'ANY /docs/{proxy+}',
    expected: ['allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'allow', 'allow'],
    why: 'public: true',
  },
  {
    rawPath: '/__space/v0/actions',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'action endpoint',
  },
  {
    rawPath: '/api/__space/v0/actions',
    routeKey: 'ANY /api/{proxy+}',
    expected: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'action endpoint under a micro path',
  },
  {
    rawPath: '/docs/__space/v0/actions',
    routeKey: 'ANY /docs/{proxy+}',
    expected: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'even on a public micro',
  },
  {
    rawPath: '/a/..%5C__space/v0/actions',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'encoded backslash and dots to the runtime',
  },
  {
    rawPath: '/%5F%5Fspace/v0/actions',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'percent-encoded runtime path',
  },
  // The owner's console: only the owner's session opens it, never an API key or the internal key (issue 16).
  {
    rawPath: '/__space',
    routeKey: 'ANY /__space',
    expected: ['deny', 'allow', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'console',
  },
  {
    rawPath: '/__space/keys',
    routeKey: 'ANY /__space/{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'console page',
  },
  {
    rawPath: '/__space/actions/run',
    routeKey: 'ANY /__space/{proxy+}',
    expected: ['deny', 'allow', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'console post',
  },
  {
    rawPath: '/__space/..%2Fnotes',
    routeKey: 'ANY /__space/{proxy+}',
    expected: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'a console route whose path some framework reads as a micro path',
  },
  {
    rawPath: '/__space/keys',
    routeKey: 'ANY /{proxy+}',
    expected: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    why: 'a console path on a micro route stays the runtime path',
  },
];

describe('Lambda authorizer: route x credential', () => {
  let kinds: Credentials[];
  let authorizer: ReturnType<typeof createAuthorizer>;

  beforeAll(async () => {
    let store: LocalApiKeyStore;
    ({ kinds, store } = await credentialKinds());
    authorizer = createAuthorizer({
      policy: helloPolicy,
      readOwnerSecret: async () => OWNER_SECRET,
      readInternalKey: async () => INTERNAL_KEY,
      keys: store,
      now: () => NOW,
    });
  });

  for (const row of MATRIX) {
    CREDENTIAL_LABELS.forEach((credential, index) => {
      const expected = row.expected[index]!;
      it(`${row.rawPath} with ${credential}: ${expected} (${row.why})`, async () => {
        const { cookies, headers } = kinds.find((kind) => kind.label === credential)!;
        const result: SimpleAuthorizerResult = await authorizer(authorizerEvent({ rawPath: row.rawPath, routeKey: row.routeKey, cookies, headers }));
        expect(result.isAuthorized).toBe(expected === 'allow');
      });
    });
  }

  it('tells the integration who was let in and why', async () => {
    const key = kinds.find((kind) => kind.label === 'valid key')!;
    const result = await authorizer(authorizerEvent({ rawPath: '/notes', routeKey: 'ANY /{proxy+}', headers: key.headers }));
    expect(result).toEqual({ isAuthorized: true, context: { micro: 'web', via: 'api-key', keyName: 'ci' } });
  });

  it('denies a path API Gateway routed to another micro than the one the rules judged it for', async () => {
    // /docs is public, but this request would be answered by api: the public verdict does not carry over.
    const misrouted = await authorizer(authorizerEvent({ rawPath: '/docs/index.html', routeKey: 'ANY /api/{proxy+}' }));
    expect(misrouted).toEqual({ isAuthorized: false, context: { micro: 'api', reason: "judged for micro 'docs' but routed to 'api'" } });
    const key = kinds.find((kind) => kind.label === 'valid key')!;
    // web accepts keys, api does not: a key must not reach api through a path the rules read as web's.
    expect(await authorizer(authorizerEvent({ rawPath: '/notes', routeKey: 'ANY /api/{proxy+}', headers: key.headers }))).toMatchObject({
      isAuthorized: false,
    });
    expect(await authorizer(authorizerEvent({ rawPath: '/docs', routeKey: 'ANY /docs' }))).toMatchObject({ isAuthorized: true });
  });

  it("reads the owner's session from a Cookie header too, among other cookies, as from payload 2.0's cookies", async () => {
    const [session] = kinds.find((kind) => kind.label === 'owner cookie')!.cookies;
    const asHeader = (cookie: string) => authorizerEvent({ rawPath: '/notes', routeKey: 'ANY /{proxy+}', headers: { cookie } });
    expect(await authorizer(asHeader(`theme=dark; ${session}; lang=en`))).toMatchObject({ isAuthorized: true });
    expect(await authorizer(asHeader('theme=dark; lang=en'))).toMatchObject({ isAuthorized: false });
  });

  it('lets a sibling micro in with the internal key like the owner, on a micro without api_keys too', async () => {
    const internal = kinds.find((kind) => kind.label === 'internal key')!;
    const result = await authorizer(authorizerEvent({ rawPath: '/api/items', routeKey: 'ANY /api/{proxy+}', headers: internal.headers }));
    expect(result).toEqual({ isAuthorized: true, context: { micro: 'api', via: 'internal-key' } });
  });

  it('never lets an unauthenticated CORS preflight reach a micro: the runtime answers it (issue 10, finding 2)', async () => {
    const preflight = {
      origin: 'https://other.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-space-app-key',
    };
    // The router sends OPTIONS of micros with api_keys to the runtime function; should one come here, it is denied.
    expect(await authorizer(authorizerEvent({ method: 'OPTIONS', rawPath: '/notes', routeKey: 'ANY /{proxy+}', headers: preflight }))).toMatchObject({
      isAuthorized: false,
    });
    expect(
      await authorizer(authorizerEvent({ method: 'OPTIONS', rawPath: '/api/items', routeKey: 'ANY /api/{proxy+}', headers: preflight })),
    ).toMatchObject({ isAuthorized: false });
    expect(await authorizer(authorizerEvent({ method: 'OPTIONS', rawPath: '/notes', routeKey: 'ANY /{proxy+}' }))).toMatchObject({
      isAuthorized: false,
    });
    expect(
      await authorizer(authorizerEvent({ method: 'OPTIONS', rawPath: '/__space/v0/actions', routeKey: 'ANY /{proxy+}', headers: preflight })),
    ).toMatchObject({ isAuthorized: false });
    // With a credential, an OPTIONS is a request like any other.
    const { headers } = kinds.find((kind) => kind.label === 'valid key')!;
    expect(await authorizer(authorizerEvent({ method: 'OPTIONS', rawPath: '/notes', routeKey: 'ANY /{proxy+}', headers }))).toMatchObject({
      isAuthorized: true,
    });
  });

  it('never lets the internal key reach the action endpoint, however it is sent', async () => {
    for (const method of ['GET', 'POST']) {
      for (const [rawPath, routeKey] of [
        ['/__space/v0/actions', 'ANY /{proxy+}'],
        ['/api/__space/v0/actions', 'ANY /api/{proxy+}'],
      ] as const) {
        const result = await authorizer(
          authorizerEvent({ method, rawPath, routeKey, headers: { 'x-api-key': INTERNAL_KEY, 'content-type': 'application/json' } }),
        );
        expect(result, `${method} ${rawPath}`).toEqual({ isAuthorized: false, context: { reason: 'reserved path' } });
      }
    }
  });

  it('fails closed when the owner secret cannot be read, and retries on the next request', async () => {
    let attempts = 0;
    const flaky = createAuthorizer({
      policy: helloPolicy,
      readOwnerSecret: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('AccessDeniedException');
        return OWNER_SECRET;
      },
      readInternalKey: async () => INTERNAL_KEY,
      keys: { find: async () => undefined },
      now: () => NOW,
    });
    const event = authorizerEvent({ rawPath: '/public/a', routeKey: 'ANY /{proxy+}' });
    await expect(flaky(event)).rejects.toThrow('AccessDeniedException');
    await expect(flaky(event)).resolves.toMatchObject({ isAuthorized: true });
  });

  it('follows a rotated owner secret and internal key on the next request, not the next cold start (issue 10, finding 9)', async () => {
    let ownerSecret = OWNER_SECRET;
    let internalKey = INTERNAL_KEY;
    const rotating = createAuthorizer({
      policy: helloPolicy,
      readOwnerSecret: async () => ownerSecret,
      readInternalKey: async () => internalKey,
      keys: { find: async () => undefined },
      now: () => NOW,
    });
    const session = kinds.find((kind) => kind.label === 'owner cookie')!.cookies;
    const withSession = authorizerEvent({ rawPath: '/notes', routeKey: 'ANY /{proxy+}', cookies: session });
    const withKey = (key: string) => authorizerEvent({ rawPath: '/notes', routeKey: 'ANY /{proxy+}', headers: { 'x-api-key': key } });
    expect(await rotating(withSession)).toMatchObject({ isAuthorized: true });
    expect(await rotating(withKey(INTERNAL_KEY))).toMatchObject({ isAuthorized: true });
    ownerSecret = 'the-rotated-owner-secret-of-enough-length';
    internalKey = 'R'.repeat(43);
    expect(await rotating(withSession)).toMatchObject({ isAuthorized: false });
    expect(await rotating(withKey(INTERNAL_KEY))).toMatchObject({ isAuthorized: false });
    expect(await rotating(withKey(internalKey))).toMatchObject({ isAuthorized: true });
  });
});

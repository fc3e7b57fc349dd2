/** Shared fixtures for the auth tests: the example app's access policy, a signer, real key stores, real event shapes. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpApiAuthorizerEvent } from '../../lib/handlers/authorizer';
import { generateInternalKey } from '../../lib/auth/internal-key';
import { LocalApiKeyStore } from '../../lib/local/state';
import type { AccessPolicy, MicroAccessPolicy } from '../../lib/auth/policy';
import { SessionSigner } from '../../lib/auth/session';

const web: MicroAccessPolicy = { name: 'web', path: '/', apiKeys: true, publicRoutes: ['/public/*'] };
const api: MicroAccessPolicy = { name: 'api', path: '/api', apiKeys: false, publicRoutes: [] };
const docs: MicroAccessPolicy = { name: 'docs', path: '/docs', apiKeys: false, publicRoutes: ['/*'] };

/** examples/hello: a private primary with a public folder and API keys, a private Python micro, a public static micro. */
export const helloPolicy: AccessPolicy = { primary: web, micros: [web, api, docs] };

export const OWNER_SECRET = 'a-test-owner-secret-of-enough-length';
/** The app's internal key (`DETA_API_KEY`) in these tests. */
export const INTERNAL_KEY = generateInternalKey();
export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
export const DAY_MS = 24 * 60 * 60 * 1000;

/** The `name=value` part of a Set-Cookie value, as a browser would send it back. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0]!;
}

export function tempStateDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'spaceport-auth-')), '.spaceport');
}

export interface Credentials {
  readonly label: string;
  readonly cookies: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
}

/** The credentials the access matrices try, in the order their expected outcomes are written. */
export const CREDENTIAL_LABELS = [
  'none',
  'owner cookie',
  'expired cookie',
  'forged cookie',
  'valid key',
  'deleted key',
  'internal key',
  'wrong internal key',
  'user key as X-API-Key',
] as const;

/** Every kind of credential the matrix tries, made with a real signer and a real (file) key store. */
export async function credentialKinds(): Promise<{ kinds: Credentials[]; store: LocalApiKeyStore }> {
  const signer = new SessionSigner(OWNER_SECRET, true);
  const forger = new SessionSigner('someone-elses-secret-of-enough-length', true);
  const store = new LocalApiKeyStore(tempStateDir());
  const { key } = await store.create('ci', undefined, new Date(NOW));
  const { key: deletedKey } = await store.create('old', undefined, new Date(NOW));
  await store.delete('old');
  const kinds: Credentials[] = [
    { label: 'none', cookies: [], headers: {} },
    { label: 'owner cookie', cookies: [cookiePair(signer.issueCookie(NOW))], headers: {} },
    { label: 'expired cookie', cookies: [cookiePair(signer.issueCookie(NOW - 8 * DAY_MS))], headers: {} },
    { label: 'forged cookie', cookies: [cookiePair(forger.issueCookie(NOW))], headers: {} },
    { label: 'valid key', cookies: [], headers: { 'x-space-app-key': key } },
    { label: 'deleted key', cookies: [], headers: { 'x-space-app-key': deletedKey } },
    { label: 'internal key', cookies: [], headers: { 'x-api-key': INTERNAL_KEY } },
    // Same length, last character changed: close to the key is still not the key.
    { label: 'wrong internal key', cookies: [], headers: { 'x-api-key': INTERNAL_KEY.slice(0, -1) + (INTERNAL_KEY.endsWith('A') ? 'B' : 'A') } },
    // A user API key sent in the internal key's header is not the internal key.
    { label: 'user key as X-API-Key', cookies: [], headers: { 'x-api-key': key } },
  ];
  return { kinds, store };
}

/**
 * A payload 2.0 REQUEST authorizer event as API Gateway sends it (the example of the API Gateway developer
 * guide, "Control access to HTTP APIs with AWS Lambda authorizers"), for one request on a route of the app.
 */
export function authorizerEvent(request: {
  method?: string;
  rawPath: string;
  rawQueryString?: string;
  routeKey: string;
  cookies?: readonly string[];
  headers?: Readonly<Record<string, string>>;
}): HttpApiAuthorizerEvent {
  const method = request.method ?? 'GET';
  const event = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/${method}${request.rawPath}`,
    routeKey: request.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString ?? '',
    ...(request.cookies && request.cookies.length > 0 ? { cookies: [...request.cookies] } : {}),
    headers: {
      accept: '*/*',
      'content-length': '0',
      host: 'abcdef123.execute-api.us-east-1.amazonaws.com',
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...request.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef123',
      domainName: 'abcdef123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abcdef123',
      http: { method, path: request.rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: request.routeKey,
      stage: '$default',
      time: '15/Jan/2025:12:00:00 +0000',
      timeEpoch: NOW,
    },
    ...(request.routeKey.endsWith('/{proxy+}')
      ? { pathParameters: { proxy: request.rawPath.slice(request.routeKey.length - 'ANY /{proxy+}'.length + 2) } }
      : {}),
  };
  return event as HttpApiAuthorizerEvent;
}

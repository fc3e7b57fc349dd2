/**
 * The data function's own rules around the shared handler: the browser path for the signed-in owner only, the
 * not-found page CloudFront fetches, and HTTP API events in and results out (binary bodies as base64).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SessionSigner } from '../../lib/auth/session';
import { SESSION_COOKIE } from '../../lib/auth/rules';
import { createDataFunction, type DataFunctionEvent, NOT_FOUND_PATH } from '../../lib/handlers/data-function';
import type { DataRequest } from '../../lib/data/http';

const PROJECT_KEY = 'a0test12_SecretValueForTestsOnly0123456789';
const NOW = Date.UTC(2026, 10, 29, 12);
const signer = new SessionSigner('owner-secret-for-tests-only', true);
const session = signer.issueCookie(NOW).split(';')[0]!;

/** A handler that records what reached it and answers with the path it saw. */
function recording() {
  const seen: DataRequest[] = [];
  const fn = createDataFunction({
    projectKey: PROJECT_KEY,
    now: () => NOW,
    verifyOwnerSession: async () => (token, now) => signer.verify(token, now),
    handler: async (request) => {
      seen.push(request);
      if (request.path.endsWith('/download')) {
        return { status: 200, headers: { 'content-type': 'image/png' }, body: Readable.from([Buffer.from([0x89, 0x50, 0x4e, 0x47])]) };
      }
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ path: request.path })) };
    },
  });
  return { fn, seen };
}

function event(rawPath: string, extra: Partial<DataFunctionEvent> = {}): DataFunctionEvent {
  return { rawPath, rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET' } }, isBase64Encoded: false, ...extra };
}

describe('the data function', () => {
  it("serves the browser path to the owner as the app's project, with the project key", async () => {
    const { fn, seen } = recording();
    const result = await fn(event('/__space/v0/base/v1/dummy/notes/items/a%2Fb', { cookies: ['other=1', session] }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ path: '/v1/a0test12/notes/items/a%2Fb' });
    expect(seen[0]!.headers['x-api-key']).toBe(PROJECT_KEY);
    await fn(event('/__space/v0/drive/v1/dummy/files/files', { cookies: [session] }));
    expect(seen[1]!.path).toBe('/v1/a0test12/files/files');
  });

  it('refuses the browser path without a valid owner session, and a key sent by the page does not count', async () => {
    const { fn, seen } = recording();
    for (const cookies of [[], [`${SESSION_COOKIE}=v1.9999999999.forged`], [signer.issueCookie(NOW - 8 * 24 * 3600 * 1000).split(';')[0]!]]) {
      const result = await fn(event('/__space/v0/base/v1/dummy/notes/items/a', { cookies, headers: { 'x-api-key': PROJECT_KEY } }));
      expect(result.statusCode).toBe(401);
      expect(JSON.parse(result.body).errors[0]).toBe('Unauthorized');
    }
    expect(seen).toHaveLength(0);
  });

  it('keeps Base paths to Base endpoints and Drive paths to Drive ones, and refuses pages of other sites', async () => {
    const { fn, seen } = recording();
    const owner = { cookies: [session], headers: { host: 'app.example.com' } };
    expect((await fn(event('/__space/v0/base/v1/dummy/files/files/download', owner))).statusCode).toBe(404);
    expect((await fn(event('/__space/v0/drive/v1/dummy/notes/items/a', owner))).statusCode).toBe(404);
    const crossSite = await fn(
      event('/__space/v0/base/v1/dummy/notes/items/a', { ...owner, headers: { ...owner.headers, origin: 'https://evil.example' } }),
    );
    expect(crossSite.statusCode).toBe(403);
    const sameSite = await fn(
      event('/__space/v0/base/v1/dummy/notes/items/a', { ...owner, headers: { ...owner.headers, origin: 'https://app.example.com' } }),
    );
    expect(sameSite.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('has no browser path without the owner secret', async () => {
    const fn = createDataFunction({ projectKey: PROJECT_KEY, handler: async () => ({ status: 200, headers: {}, body: new Uint8Array() }) });
    const result = await fn(event('/__space/v0/base/v1/dummy/notes/items/a', { cookies: [session] }));
    expect(result.statusCode).toBe(404);
  });

  it('passes /v1 requests through as sent: raw path, query, lower-cased headers, the body decoded', async () => {
    const { fn, seen } = recording();
    await fn(
      event('/v1/a0test12/files/uploads/u1/parts', {
        rawQueryString: 'name=a+b&part=1',
        headers: { 'X-Api-Key': PROJECT_KEY, 'Content-Type': 'application/octet-stream' },
        requestContext: { http: { method: 'POST' } },
        body: Buffer.from([0, 255]).toString('base64'),
        isBase64Encoded: true,
      }),
    );
    const request = seen[0]!;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/a0test12/files/uploads/u1/parts', query: 'name=a+b&part=1' });
    expect(request.headers['x-api-key']).toBe(PROJECT_KEY);
    const chunks: Uint8Array[] = [];
    for await (const chunk of request.body) chunks.push(chunk);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([0, 255]));
  });

  it('returns binary downloads base64-encoded, and answers the not-found page CloudFront fetches', async () => {
    const { fn } = recording();
    const download = await fn(event('/v1/a0test12/files/files/download', { rawQueryString: 'name=x.png' }));
    expect(download).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'content-type': 'image/png' } });
    expect(Buffer.from(download.body, 'base64')).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const page = await fn(event(NOT_FOUND_PATH));
    expect(page.statusCode).toBe(200);
    expect(JSON.parse(page.body).errors[0]).toBe('File not found');
  });
});

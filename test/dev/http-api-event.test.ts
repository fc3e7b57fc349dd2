import { describe, expect, it } from 'vitest';
import { buildHttpApiEvent, httpResponseFromResult, InvalidResponseError, type IncomingHttpRequest } from '../../lib/local/http-api-event';
import { micro } from './model-helpers';

const api = micro({ name: 'api', path: '/api' });
const web = micro({ name: 'web', path: '/', primary: true });

function request(overrides: Partial<IncomingHttpRequest>): IncomingHttpRequest {
  return {
    method: 'GET',
    url: '/',
    httpVersion: '1.1',
    rawHeaders: ['Host', 'localhost:4200', 'User-Agent', 'curl/8'],
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    receivedAt: new Date(Date.UTC(2024, 2, 5, 9, 3, 58, 123)),
    ...overrides,
  };
}

describe('buildHttpApiEvent', () => {
  it('keeps the full path and picks the proxy route key of the micro', () => {
    const event = buildHttpApiEvent(request({ url: '/api/items/7?x=1&x=2&q=a%20b' }), api);
    expect(event.routeKey).toBe('ANY /api/{proxy+}');
    expect(event.rawPath).toBe('/api/items/7');
    expect(event.rawQueryString).toBe('x=1&x=2&q=a%20b');
    expect(event.queryStringParameters).toEqual({ x: '1,2', q: 'a b' });
    expect(event.pathParameters).toEqual({ proxy: 'items/7' });
    expect(event.requestContext.http).toEqual({
      method: 'GET',
      path: '/api/items/7',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'curl/8',
    });
    expect(event.requestContext.time).toBe('05/Mar/2024:09:03:58 +0000');
    expect(event.requestContext.timeEpoch).toBe(Date.UTC(2024, 2, 5, 9, 3, 58, 123));
    expect(event.requestContext.domainName).toBe('localhost:4200');
  });

  it('uses the exact route key for the micro path itself and for the primary root', () => {
    const exact = buildHttpApiEvent(request({ url: '/api' }), api);
    expect(exact.routeKey).toBe('ANY /api');
    expect(exact.pathParameters).toBeUndefined();
    expect(exact.queryStringParameters).toBeUndefined();
    expect(buildHttpApiEvent(request({ url: '/' }), web).routeKey).toBe('ANY /');
    const deep = buildHttpApiEvent(request({ url: '/a/b' }), web);
    expect(deep.routeKey).toBe('ANY /{proxy+}');
    expect(deep.pathParameters).toEqual({ proxy: 'a/b' });
  });

  it('lower-cases headers, comma-joins duplicates and moves cookies to cookies[]', () => {
    const event = buildHttpApiEvent(request({ rawHeaders: ['X-Tag', 'a', 'x-tag', 'b', 'Cookie', 'a=1; b=2', 'Cookie', 'c=3'] }), web);
    expect(event.headers['x-tag']).toBe('a,b');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('sends text bodies as text and everything else base64', () => {
    const json = buildHttpApiEvent(
      request({ method: 'POST', rawHeaders: ['Content-Type', 'application/vnd.api+json'], body: Buffer.from('{"a":1}') }),
      web,
    );
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const bytes = Buffer.from([0, 1, 2, 255]);
    const binary = buildHttpApiEvent(request({ method: 'POST', rawHeaders: ['Content-Type', 'image/png'], body: bytes }), web);
    expect(binary).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    const gzipped = buildHttpApiEvent(
      request({ method: 'POST', rawHeaders: ['Content-Type', 'text/plain', 'Content-Encoding', 'gzip'], body: bytes }),
      web,
    );
    expect(gzipped.isBase64Encoded).toBe(true);
    const empty = buildHttpApiEvent(request({}), web);
    expect(empty.body).toBeUndefined();
    expect(empty.isBase64Encoded).toBe(false);
  });
});

describe('httpResponseFromResult', () => {
  it('turns cookies into Set-Cookie headers and decodes base64 bodies', () => {
    const response = httpResponseFromResult({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png' },
      cookies: ['a=1; Path=/', 'b=2'],
      body: Buffer.from([1, 2, 3]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual([
      ['content-type', 'image/png'],
      ['set-cookie', 'a=1; Path=/'],
      ['set-cookie', 'b=2'],
    ]);
    expect([...response.body]).toEqual([1, 2, 3]);
  });

  it('treats a result without statusCode as a JSON body, as HTTP API does', () => {
    const response = httpResponseFromResult({ hello: 'world' });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual([['content-type', 'application/json']]);
    expect(response.body.toString()).toBe('{"hello":"world"}');
  });

  it('rejects results HTTP API could not answer with', () => {
    expect(() => httpResponseFromResult({ statusCode: 'soon' })).toThrow(InvalidResponseError);
    expect(() => httpResponseFromResult({ statusCode: 200, body: { a: 1 } })).toThrow(/body must be a string/);
  });
});

/** The invocation result each front door gets for an app's response: headers, cookies, bodies, the adapter's own refusals. */
import { describe, expect, it } from 'vitest';
import { headerMap, refusalResponse, toResult, type AppResponse } from '../../runtime-layer/node/results';

function response(rawHeaders: string[], body: Buffer | string = 'hello', status = 200, reason = 'OK'): AppResponse {
  return { status, reason, headers: headerMap(rawHeaders), body: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

describe('headerMap', () => {
  it('lower-cases names, keeps repeated values in order and leaves out hop-by-hop headers', () => {
    const headers = headerMap([
      'Content-Type',
      'text/plain',
      'Set-Cookie',
      'a=1',
      'set-cookie',
      'b=2',
      'Connection',
      'close',
      'Transfer-Encoding',
      'chunked',
    ]);
    expect([...headers]).toEqual([
      ['content-type', ['text/plain']],
      ['set-cookie', ['a=1', 'b=2']],
    ]);
    for (const name of ['Keep-Alive', 'Upgrade', 'Trailer', 'Proxy-Connection']) expect(headerMap([name, 'x']).size, name).toBe(0);
  });

  it('ignores a name without a value', () => {
    expect([...headerMap(['x-a', '1', 'x-dangling'])]).toEqual([['x-a', ['1']]]);
  });
});

describe('refusalResponse', () => {
  it.each([
    [400, 'Bad Request'],
    [404, 'Not Found'],
    [413, 'Payload Too Large'],
    [502, 'Bad Gateway'],
    [418, ''],
  ])('answers %i as JSON with its reason phrase', (status, reason) => {
    const refusal = refusalResponse({ status, message: 'why' });
    expect(refusal.status).toBe(status);
    expect(refusal.reason).toBe(reason);
    expect([...refusal.headers]).toEqual([['content-type', ['application/json']]]);
    expect(JSON.parse(refusal.body.toString('utf8'))).toEqual({ message: 'why' });
  });
});

describe('toResult', () => {
  it('payload 2.0: moves Set-Cookie to cookies[] and joins other repeated headers with commas', () => {
    const result = toResult(
      'v2',
      response(['content-type', 'text/plain', 'vary', 'accept', 'vary', 'origin', 'set-cookie', 'a=1', 'set-cookie', 'b=2']),
    );
    expect(result).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain', vary: 'accept,origin' },
      cookies: ['a=1', 'b=2'],
      body: 'hello',
      isBase64Encoded: false,
    });
    expect(toResult('v2', response(['content-type', 'text/plain'])).cookies).toEqual([]);
  });

  it('sends a binary or encoded body as base64, text as text, an empty body as empty text', () => {
    const bytes = Buffer.from([0, 255, 7]);
    expect(toResult('v2', response(['content-type', 'image/png'], bytes))).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(toResult('v2', response([], bytes))).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    const gzipped = response(['content-type', 'text/html', 'content-encoding', 'gzip'], bytes);
    expect(toResult('v1', gzipped)).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true });
    expect(toResult('v2', response(['content-type', 'application/json; charset=utf-8'], '{"é":1}'))).toMatchObject({
      body: '{"é":1}',
      isBase64Encoded: false,
    });
    expect(toResult('alb', response(['content-type', 'image/png'], ''))).toMatchObject({ body: '', isBase64Encoded: false });
  });

  it('payload 1.0: every header as multiValueHeaders, cookies included', () => {
    const result = toResult('v1', response(['content-type', 'text/plain', 'set-cookie', 'a=1', 'set-cookie', 'b=2'], 'hi', 201, 'Created'));
    expect(result).toEqual({
      statusCode: 201,
      multiValueHeaders: { 'content-type': ['text/plain'], 'set-cookie': ['a=1', 'b=2'] },
      body: 'hi',
      isBase64Encoded: false,
    });
  });

  it('ALB: both header forms, the last cookie in the single-value form, and a status description', () => {
    const result = toResult(
      'alb',
      response(['content-type', 'text/plain', 'vary', 'a', 'vary', 'b', 'set-cookie', 'a=1', 'set-cookie', 'b=2'], 'hi', 404, 'Not Found'),
    );
    expect(result).toEqual({
      statusCode: 404,
      statusDescription: '404 Not Found',
      headers: { 'content-type': 'text/plain', vary: 'a,b', 'set-cookie': 'b=2' },
      multiValueHeaders: { 'content-type': ['text/plain'], vary: ['a', 'b'], 'set-cookie': ['a=1', 'b=2'] },
      body: 'hi',
      isBase64Encoded: false,
    });
    expect(toResult('alb', response([], '', 599, '')).statusDescription).toBe('599');
  });
});

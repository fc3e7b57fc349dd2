/**
 * The Node adapter's event translation, in-process: the request an app sees for each front door's event, and the
 * refusals it never sees (reserved paths, oversized bodies, malformed events).
 */
import { describe, expect, it } from 'vitest';
import { appActionEvent } from '../../lib/core/app-action-event';
import { BODY_LIMIT_BYTES } from '../../lib/core/limits';
import { asciiJson, parseEvent, type AppRequest, type InvocationContext, type ParsedEvent } from '../../runtime-layer/node/events';

const CONTEXT: InvocationContext = { basePath: '/', lambdaContext: '{"request_id":"r-1"}' };

function parse(event: unknown, context: InvocationContext = CONTEXT): ParsedEvent {
  return parseEvent(Buffer.from(JSON.stringify(event)), context);
}

function requestOf(event: unknown, context: InvocationContext = CONTEXT): AppRequest {
  const parsed = parse(event, context);
  if (parsed.kind !== 'http') throw new Error(`expected an HTTP request, got ${JSON.stringify(parsed)}`);
  return parsed.request;
}

/** The headers as name -> values, in order. */
function headersOf(request: AppRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < request.headers.length; i += 2) (headers[request.headers[i] as string] ??= []).push(request.headers[i + 1] as string);
  return headers;
}

function v2(overrides: Record<string, unknown> = {}, http: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '2.0',
    rawPath: '/notes',
    rawQueryString: '',
    headers: {},
    requestContext: { domainName: 'app.example.com', http: { method: 'GET', path: '/notes', sourceIp: '203.0.113.9', ...http } },
    isBase64Encoded: false,
    ...overrides,
  };
}

function v1(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '1.0',
    httpMethod: 'GET',
    path: '/notes',
    requestContext: { domainName: 'rest.example.com', identity: { sourceIp: '198.51.100.7' } },
    ...overrides,
  };
}

function alb(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { httpMethod: 'GET', path: '/notes', requestContext: { elb: { targetGroupArn: 'arn:tg' } }, ...overrides };
}

describe('payload 2.0 (HTTP API, function URLs)', () => {
  it('gives the app the method, path and raw query as sent', () => {
    const request = requestOf(v2({ rawPath: '/notes/1', rawQueryString: 'tab=2&q=a%20b' }, { method: 'PUT' }));
    expect(request.method).toBe('PUT');
    expect(request.target).toBe('/notes/1?tab=2&q=a%20b');
    expect(parse(v2()).kind === 'http' && (parse(v2()) as { format: string }).format).toBe('v2');
  });

  it('tells the app the micro path it was mounted at in X-Forwarded-Prefix, never what the client claimed', () => {
    const mounted = headersOf(requestOf(v2({ rawPath: '/api/items', headers: { 'x-forwarded-prefix': '/evil' } }), { ...CONTEXT, basePath: '/api' }));
    expect(mounted['x-forwarded-prefix']).toEqual(['/api']);
    // A client's claims about the front door, which API Gateway passes as sent, never reach the app.
    const forged = headersOf(requestOf(v2({ headers: { 'x-forwarded-host': 'evil.example', forwarded: 'host=evil.example' } }), CONTEXT));
    expect([forged['x-forwarded-host'], forged.forwarded]).toEqual([undefined, undefined]);
    expect(headersOf(requestOf(v2(), { ...CONTEXT, basePath: '' }))['x-forwarded-prefix']).toBeUndefined();
  });

  it('leaves out the ? when there is no query', () => {
    expect(requestOf(v2({ rawQueryString: '' })).target).toBe('/notes');
    expect(requestOf(v2({ rawQueryString: undefined })).target).toBe('/notes');
  });

  it('strips the micro path, so a micro at /api sees its own root', () => {
    const context = { ...CONTEXT, basePath: '/api' };
    expect(requestOf(v2({ rawPath: '/api/items' }), context).target).toBe('/items');
    expect(requestOf(v2({ rawPath: '/api' }), context).target).toBe('/');
  });

  it('joins the cookies[] array back into one Cookie header', () => {
    expect(headersOf(requestOf(v2({ cookies: ['a=1', 'b=2'] }))).cookie).toEqual(['a=1; b=2']);
    expect(headersOf(requestOf(v2({ cookies: [] }))).cookie).toBeUndefined();
  });

  it('completes Host, X-Forwarded-For and X-Forwarded-Proto the way API Gateway would', () => {
    const headers = headersOf(requestOf(v2()));
    expect(headers.host).toEqual(['app.example.com']);
    expect(headers['x-forwarded-for']).toEqual(['203.0.113.9']);
    expect(headers['x-forwarded-proto']).toEqual(['https']);
  });

  it("keeps the client's own Host and X-Forwarded-Proto, and appends the source IP to a forwarded chain once", () => {
    const sent = { Host: 'custom.example', 'X-Forwarded-Proto': 'http', 'x-forwarded-for': '10.0.0.1' };
    const headers = headersOf(requestOf(v2({ headers: sent })));
    expect(headers.Host).toEqual(['custom.example']);
    expect(headers.host).toBeUndefined();
    expect(headers['X-Forwarded-Proto']).toEqual(['http']);
    expect(headers['x-forwarded-proto']).toBeUndefined();
    expect(headers['x-forwarded-for']).toEqual(['10.0.0.1, 203.0.113.9']);
    const already = headersOf(requestOf(v2({ headers: { 'x-forwarded-for': '10.0.0.1, 203.0.113.9' } })));
    expect(already['x-forwarded-for']).toEqual(['10.0.0.1, 203.0.113.9']);
  });

  it('completes Host and X-Forwarded-Proto when the client sent other headers but not those', () => {
    const headers = headersOf(requestOf(v2({ headers: { accept: 'text/html' } })));
    expect(headers.host).toEqual(['app.example.com']);
    expect(headers['x-forwarded-proto']).toEqual(['https']);
  });

  it('keeps a forwarded chain as sent when there is no source IP to add', () => {
    const event = v2({ headers: { 'x-forwarded-for': '10.0.0.1' }, requestContext: { http: { method: 'GET' } } });
    expect(headersOf(requestOf(event))['x-forwarded-for']).toEqual(['10.0.0.1']);
  });

  it('falls back to localhost as Host, and sends no X-Forwarded-For without a source IP', () => {
    const event = v2({ requestContext: { http: { method: 'GET' } } });
    const headers = headersOf(requestOf(event));
    expect(headers.host).toEqual(['localhost']);
    expect(headers['x-forwarded-for']).toBeUndefined();
  });

  it('drops hop-by-hop and length headers, and the request context headers a client might forge', () => {
    const sent = {
      connection: 'keep-alive',
      'Content-Length': '999',
      'transfer-encoding': 'chunked',
      expect: '100-continue',
      'x-amzn-request-context': '{"forged":true}',
      'x-amzn-lambda-context': 'forged',
      accept: 'text/html',
    };
    const headers = headersOf(requestOf(v2({ headers: sent })));
    for (const name of ['connection', 'Content-Length', 'transfer-encoding', 'expect']) expect(headers[name], name).toBeUndefined();
    const more = headersOf(requestOf(v2({ headers: { 'keep-alive': 'timeout=5', upgrade: 'websocket', 'proxy-connection': 'close' } })));
    for (const name of ['keep-alive', 'upgrade', 'proxy-connection']) expect(more[name], name).toBeUndefined();
    expect(headers.accept).toEqual(['text/html']);
    expect(headers['x-amzn-lambda-context']).toEqual([CONTEXT.lambdaContext]);
    expect(JSON.parse((headers['x-amzn-request-context'] as string[])[0] as string).domainName).toBe('app.example.com');
  });

  it('tells the app its request context as ASCII JSON, so it fits a header', () => {
    const event = v2({ requestContext: { domainName: 'app.example.com', http: { method: 'GET' }, authorizer: { lambda: { user: 'Zoë ☃' } } } });
    const value = (headersOf(requestOf(event))['x-amzn-request-context'] as string[])[0] as string;
    expect(value).toMatch(/^[\x20-\x7e]+$/);
    expect(value).toContain('Zo\\u00eb \\u2603');
    expect(JSON.parse(value).authorizer.lambda.user).toBe('Zoë ☃');
    expect(asciiJson({ a: 'é' })).toBe('{"a":"\\u00e9"}');
  });

  it('decodes a base64 body and passes a text body as UTF-8', () => {
    const bytes = Buffer.from([0, 255, 1, 128]);
    expect(requestOf(v2({ body: bytes.toString('base64'), isBase64Encoded: true })).body).toEqual(bytes);
    expect(requestOf(v2({ body: 'héllo', isBase64Encoded: false })).body.toString('utf8')).toBe('héllo');
    expect(requestOf(v2({ body: 'aGk=', isBase64Encoded: 'true' })).body.toString('utf8')).toBe('aGk=');
    expect(requestOf(v2({ body: '' })).body.length).toBe(0);
  });

  it('percent-encodes what may not stand in a request target, keeping what may', () => {
    expect(requestOf(v2({ rawPath: '/a b/ü"<>' })).target).toBe('/a%20b/%C3%BC%22%3C%3E');
    expect(requestOf(v2({ rawPath: '/a#b?c' })).target).toBe('/a%23b%3Fc');
    expect(requestOf(v2({ rawPath: "/a-b_c.d~e!$&'()*+,;=:@" })).target).toBe("/a-b_c.d~e!$&'()*+,;=:@");
  });

  it('is recognised by rawPath alone, without a version', () => {
    const { version: _, ...unversioned } = v2();
    expect(parse(unversioned)).toMatchObject({ kind: 'http', format: 'v2' });
  });
});

describe('payload 1.0 (REST API) and ALB', () => {
  it('re-encodes the query API Gateway decoded, and repeats multi-value parameters', () => {
    const event = v1({ multiValueQueryStringParameters: { q: ['a b', 'c&d'], tab: ['2'] }, queryStringParameters: { q: 'c&d', tab: '2' } });
    expect(requestOf(event).target).toBe('/notes?q=a%20b&q=c%26d&tab=2');
    expect(requestOf(v1({ queryStringParameters: { 'a b': 'x/y' } })).target).toBe('/notes?a%20b=x%2Fy');
    expect(requestOf(v1({ multiValueQueryStringParameters: { one: 'v' } })).target).toBe('/notes?one=v');
  });

  it('passes the query of an ALB event as sent, as ALB does not decode it', () => {
    expect(requestOf(alb({ queryStringParameters: { q: 'a%20b' } })).target).toBe('/notes?q=a%20b');
    expect(parse(alb())).toMatchObject({ kind: 'http', format: 'alb' });
  });

  it('repeats multi-value headers, or reads single-value headers', () => {
    const multi = headersOf(requestOf(v1({ multiValueHeaders: { accept: ['a', 'b'], 'x-one': 'solo' }, headers: { accept: 'b' } })));
    expect(multi.accept).toEqual(['a', 'b']);
    expect(multi['x-one']).toEqual(['solo']);
    expect(headersOf(requestOf(v1({ headers: { accept: 'text/plain' } }))).accept).toEqual(['text/plain']);
    expect(headersOf(requestOf(v1({ headers: null })))['accept']).toBeUndefined();
  });

  it('joins repeated X-Forwarded-For values and appends the source IP', () => {
    const headers = headersOf(
      requestOf(v1({ multiValueHeaders: { 'X-Forwarded-For': ['10.0.0.1', '10.0.0.2'], 'x-forwarded-for': ['10.0.0.3', '10.0.0.4'] } })),
    );
    expect(headers['x-forwarded-for']).toEqual(['10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 198.51.100.7']);
    expect(headersOf(requestOf(v1()))['host']).toEqual(['rest.example.com']);
  });

  it('is recognised by httpMethod alone, without a version', () => {
    const { version: _, ...unversioned } = v1();
    expect(parse(unversioned)).toMatchObject({ kind: 'http', format: 'v1' });
  });
});

describe('refusals the app never sees', () => {
  it.each([
    '/__space',
    '/__space/v0/actions',
    '/%5F%5Fspace/v0/actions',
    '/notes/../__space/v0/actions',
    '//__space/v0/actions',
    '/./__space/v0/actions',
    '/a/b/../../__space/x',
  ])('answers %s 404: paths under /__space belong to the runtime', (rawPath) => {
    expect(parse(v2({ rawPath }))).toEqual({
      kind: 'refused',
      format: 'v2',
      refusal: { status: 404, message: 'Not found: paths under /__space/ are reserved for the Space runtime' },
    });
  });

  it.each(['http://evil.example/__space/v0/actions', '*'])('answers %s 400: only a path goes on to the app', (rawPath) => {
    expect(parse(v2({ rawPath }))).toEqual({
      kind: 'refused',
      format: 'v2',
      refusal: { status: 400, message: 'Bad request: the request target must be a path, not a URL' },
    });
  });

  it('judges the path the micro sees, under its base path', () => {
    expect(parse(v2({ rawPath: '/api/__space/v0/actions' }), { ...CONTEXT, basePath: '/api' }).kind).toBe('refused');
  });

  it.each(['/__spaces', '/notes/__space', '/%zz/__space', '/a/.../__space'])('lets %s through: it is not under /__space', (rawPath) => {
    expect(parse(v2({ rawPath })).kind).toBe('http');
  });

  it('answers 413 for a body over the limit, and lets one at the limit through', () => {
    const over = parse(v2({ body: Buffer.alloc(BODY_LIMIT_BYTES + 1).toString('base64'), isBase64Encoded: true }));
    expect(over).toMatchObject({ kind: 'refused', refusal: { status: 413 } });
    expect((over as { refusal: { message: string } }).refusal.message).toBe(
      `Payload too large: the request body is ${BODY_LIMIT_BYTES + 1} bytes, the limit is ${BODY_LIMIT_BYTES} bytes (5.5 MB)`,
    );
    expect(parse(v2({ body: Buffer.alloc(BODY_LIMIT_BYTES).toString('base64'), isBase64Encoded: true })).kind).toBe('http');
  });

  it.each([
    [v2({}, { method: undefined }), 'v2', 'Bad request: the API Gateway HTTP API (payload 2.0) event has no requestContext.http.method'],
    [v2({ rawPath: '' }, { path: undefined }), 'v2', 'Bad request: the API Gateway HTTP API (payload 2.0) event has no rawPath'],
    [v1({ httpMethod: '' }), 'v1', 'Bad request: the API Gateway REST (payload 1.0) event has no httpMethod'],
    [v1({ path: undefined }), 'v1', 'Bad request: the API Gateway REST (payload 1.0) event has no path'],
    [{ version: '1.0', path: '/x' }, 'v1', 'Bad request: the API Gateway REST (payload 1.0) event has no httpMethod'],
    [alb({ path: 7 }), 'alb', 'Bad request: the ALB event has no path'],
  ])('answers 400 naming the missing field (%#)', (event, format, message) => {
    expect(parse(event)).toEqual({ kind: 'refused', format, refusal: { status: 400, message } });
  });

  it('takes the path from requestContext.http when rawPath is missing', () => {
    const { rawPath: _, ...event } = v2({}, { path: '/from-context' });
    expect(requestOf({ ...event, version: '2.0' }).target).toBe('/from-context');
  });
});

describe('scheduled actions', () => {
  it('posts the action to /__space/v0/actions as Space did', () => {
    const parsed = parse({ source: 'spaceport.action', event: { id: 'cleanup', trigger: 'schedule' } });
    expect(parsed).toMatchObject({ kind: 'action', actionId: 'cleanup' });
    const request = (parsed as { request: AppRequest }).request;
    expect(request.method).toBe('POST');
    expect(request.target).toBe('/__space/v0/actions');
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ event: { id: 'cleanup', trigger: 'schedule' } });
    expect(headersOf(request)).toEqual({
      host: ['localhost'],
      'content-type': ['application/json'],
      'x-amzn-lambda-context': [CONTEXT.lambdaContext],
    });
  });

  it.each([{}, { event: 'cleanup' }, { event: { id: '' } }, { event: { id: 7 } }])('refuses an action event without an id (%j)', (fields) => {
    expect(parse({ source: 'spaceport.action', ...fields })).toEqual({
      kind: 'unsupported',
      errorType: 'Spaceport.MalformedEvent',
      message: 'The spaceport.action event has no event.id: expected {"source":"spaceport.action","event":{"id":"<action id>","trigger":"schedule"}}',
    });
  });
});

describe("App Action calls of the owner's console", () => {
  it('reaches GET /__space/actions, which no HTTP event may, and is answered as payload 2.0', () => {
    const parsed = parse(appActionEvent('GET', '/__space/actions'), { ...CONTEXT, basePath: '/api' });
    expect(parsed).toMatchObject({ kind: 'http', format: 'v2' });
    const request = (parsed as { request: AppRequest }).request;
    expect(request).toMatchObject({ method: 'GET', target: '/__space/actions' });
    expect(request.body.length).toBe(0);
    expect(headersOf(request)).toEqual({
      host: ['localhost'],
      'content-type': ['application/json'],
      'x-amzn-lambda-context': [CONTEXT.lambdaContext],
    });
  });

  it('posts the inputs as JSON to the action path', () => {
    const request = requestOf(appActionEvent('POST', '/__space/actions/greet', { name: 'Ada', loud: true }));
    expect(request).toMatchObject({ method: 'POST', target: '/__space/actions/greet' });
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ name: 'Ada', loud: true });
  });

  it.each([
    {},
    { request: 'GET /__space/actions' },
    { request: { method: 'PUT', path: '/x' } },
    { request: { method: 'GET' } },
    { request: { method: 'GET', path: 7 } },
    { request: { method: 'GET', path: 'http://other/__space/actions' } },
    { request: { path: '/x' } },
  ])('refuses a call without a method and a path (%j)', (fields) => {
    expect(parse({ source: 'spaceport.app-action', ...fields })).toEqual({
      kind: 'unsupported',
      errorType: 'Spaceport.MalformedEvent',
      message:
        'The spaceport.app-action event needs request.method (GET or POST) and request.path (a path): expected {"source":"spaceport.app-action","request":{"method":"GET","path":"/__space/actions"}}',
    });
  });

  it('sends no body when the call has none that is text', () => {
    expect(requestOf({ source: 'spaceport.app-action', request: { method: 'POST', path: '/run', body: { a: 1 } } }).body.length).toBe(0);
  });
});

describe('events the adapter cannot serve', () => {
  it('says an event is not JSON', () => {
    expect(parseEvent(Buffer.from('{nope'), CONTEXT)).toEqual({
      kind: 'unsupported',
      errorType: 'Spaceport.UnsupportedEvent',
      message: 'The event is not JSON',
    });
  });

  it.each([
    [[1], 'a JSON array'],
    [null, 'JSON null'],
    [42, 'a JSON number'],
    [{}, 'an empty JSON object'],
    [{ Records: [] }, 'an object with keys Records'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, 'an object with keys a, b, c, d, e'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, 'an object with keys a, b, c, d, e, ...'],
  ])('describes what it got: %j', (event, description) => {
    expect(parse(event)).toEqual({
      kind: 'unsupported',
      errorType: 'Spaceport.UnsupportedEvent',
      message: `Spaceport cannot handle this event (${description}): it serves API Gateway, function URL and ALB HTTP requests, spaceport.action and spaceport.app-action events`,
    });
  });
});

import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../lib/core/limits';
import { HTTP_INTEGRATION_CONTENT_TYPE, RuntimeApi, type Invocation } from '../../lib/local/emulator';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let api: RuntimeApi;
let address: string;

beforeEach(async () => {
  api = new RuntimeApi({ functionName: 'fn', handler: 'index.handler', externalExtensionNames: ['ext-external'] });
  address = await api.listen();
});

afterEach(async () => {
  await api.close();
});

/** A hand-driven Runtime API client: plain HTTP, optionally chunked with trailers. */
function call(
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; trailers?: Record<string, string> } = {},
): Promise<Reply> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (options.trailers) {
      req.setHeader('Transfer-Encoding', 'chunked');
      req.setHeader('Trailer', Object.keys(options.trailers).join(', '));
      req.write(options.body ?? '');
      req.addTrailers(options.trailers);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

const next = () => call('GET', '/2018-06-01/runtime/invocation/next');
const respond = (id: string, body: string | Buffer, headers?: Record<string, string>) =>
  call('POST', `/2018-06-01/runtime/invocation/${id}/response`, { body, headers });

function invocation(requestId = 'req-1', payload = '{"a":1}'): Invocation {
  return {
    requestId,
    payload: Buffer.from(payload),
    deadlineMs: 1_900_000_000_000,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    traceId: 'Root=1-abc',
    clientContext: 'eyJjdXN0b20iOnt9fQ==',
  };
}

describe('RuntimeApi runtime endpoints', () => {
  it("blocks /next until an event, then hands it over with Lambda's headers", async () => {
    const nextReply = next();
    await api.initDone();
    const result = api.invoke(invocation());
    const got = await nextReply;
    expect(got.status).toBe(200);
    expect(got.body).toBe('{"a":1}');
    expect(got.headers).toMatchObject({
      'lambda-runtime-aws-request-id': 'req-1',
      'lambda-runtime-deadline-ms': '1900000000000',
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      'lambda-runtime-trace-id': 'Root=1-abc',
      'lambda-runtime-client-context': 'eyJjdXN0b20iOnt9fQ==',
    });
    const accepted = await respond('req-1', '{"ok":true}');
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.body)).toEqual({ status: 'OK' });
    expect(await result).toEqual({ kind: 'response', payload: Buffer.from('{"ok":true}') });
  });

  it('tells when the runtime is blocked on /next, before and again after each event', async () => {
    let waiting = false;
    const firstWait = api.whenRuntimeWaiting().then(() => (waiting = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(waiting).toBe(false);
    const nextReply = next();
    await firstWait;
    const result = api.invoke(invocation());
    expect((await nextReply).body).toBe('{"a":1}');

    waiting = false;
    const secondWait = api.whenRuntimeWaiting().then(() => (waiting = true));
    await respond('req-1', 'done');
    await result;
    expect(waiting).toBe(false);
    const secondNext = next();
    await secondWait;
    void api.invoke(invocation('req-2'));
    expect((await secondNext).headers['lambda-runtime-aws-request-id']).toBe('req-2');
  });

  it('refuses a stale or unknown request id with 400 InvalidRequestID', async () => {
    const nextReply = next();
    const result = api.invoke(invocation());
    await nextReply;
    const unknown = await respond('someone-else', 'x');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body)).toEqual({ errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
    await respond('req-1', 'done');
    await result;
    const secondNext = next();
    void api.invoke(invocation('req-2'));
    await secondNext;
    const stale = await respond('req-1', 'again');
    expect(stale.status).toBe(400);
    expect(JSON.parse(stale.body).errorType).toBe('InvalidRequestID');
  });

  it('answers a second /response, or /error after /response, with 403 InvalidStateTransition as the RIE does', async () => {
    const nextReply = next();
    const result = api.invoke(invocation());
    await nextReply;
    expect((await respond('req-1', 'done')).status).toBe(202);
    await result;
    for (const late of [await respond('req-1', 'again'), await call('POST', '/2018-06-01/runtime/invocation/req-1/error', { body: '{}' })]) {
      expect(late.status).toBe(403);
      expect(JSON.parse(late.body)).toEqual({
        errorType: 'InvalidStateTransition',
        errorMessage: expect.stringMatching(/^State transition from RuntimeResponseSent to RuntimeInvocation(Error)?Response failed for runtime/),
      });
    }
  });

  it("keeps an error type naming Runtime. or Function., records any other as Runtime.Unknown, and keeps the error's Content-Type", async () => {
    const cases: [string | undefined, string][] = [
      ['Runtime.HandlerNotFound', 'Runtime.HandlerNotFound'],
      ['Function.MyProblem', 'Function.MyProblem'],
      ['Function.', 'Function.Unknown'],
      ['TypeError', 'Runtime.Unknown'],
      [undefined, 'Runtime.Unknown'],
    ];
    for (const [index, [sent, recorded]] of cases.entries()) {
      const id = `req-${index}`;
      const nextReply = next();
      const result = api.invoke(invocation(id));
      await nextReply;
      const headers: Record<string, string> = { 'Content-Type': 'application/vnd.example+json' };
      if (sent) headers['Lambda-Runtime-Function-Error-Type'] = sent;
      await call('POST', `/2018-06-01/runtime/invocation/${id}/error`, { body: '{"errorType":"whatever"}', headers });
      expect(await result).toEqual({
        kind: 'error',
        errorType: recorded,
        payload: Buffer.from('{"errorType":"whatever"}'),
        contentType: 'application/vnd.example+json',
      });
    }
  });

  it('answers 403 InvalidStateTransition for /next while an event is being processed, and /response during init', async () => {
    const early = await respond('req-1', 'too early');
    expect(early.status).toBe(403);
    expect(JSON.parse(early.body).errorType).toBe('InvalidStateTransition');

    const nextReply = next();
    void api.invoke(invocation());
    await nextReply;
    const again = await next();
    expect(again.status).toBe(403);
    expect(JSON.parse(again.body)).toMatchObject({ errorType: 'InvalidStateTransition' });
    expect(JSON.parse(again.body).errorMessage).toMatch(/^State transition from \S+ to RuntimeReady failed for runtime/);
  });

  it('turns a response over 6291556 bytes into 413 RequestEntityTooLarge and a Function.ResponseSizeTooLarge error', async () => {
    const nextReply = next();
    const result = api.invoke(invocation());
    await nextReply;
    const tooLarge = await respond('req-1', Buffer.alloc(MAX_RESPONSE_BYTES + 1, 'a'));
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toEqual({
      errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'RequestEntityTooLarge',
    });
    const reply = await result;
    expect(reply.kind).toBe('error');
    expect(JSON.parse(reply.payload.toString()).errorType).toBe('Function.ResponseSizeTooLarge');
  });

  it('accepts exactly 6291556 bytes', async () => {
    const nextReply = next();
    const result = api.invoke(invocation());
    await nextReply;
    expect((await respond('req-1', Buffer.alloc(MAX_RESPONSE_BYTES, 'a'))).status).toBe(202);
    expect((await result).payload.length).toBe(MAX_RESPONSE_BYTES);
  });

  it('records /error with its Lambda-Runtime-Function-Error-Type', async () => {
    const nextReply = next();
    const result = api.invoke(invocation());
    await nextReply;
    const body = '{"errorMessage":"boom","errorType":"TypeError","stackTrace":["at x"]}';
    const accepted = await call('POST', '/2018-06-01/runtime/invocation/req-1/error', {
      body,
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.TypeError' },
    });
    expect(accepted.status).toBe(202);
    expect(await result).toEqual({ kind: 'error', errorType: 'Runtime.TypeError', payload: Buffer.from(body) });
  });

  it('accepts /init/error during init (202) and refuses it afterwards (403)', async () => {
    const body = '{"errorMessage":"no module","errorType":"Runtime.ImportModuleError"}';
    const accepted = await call('POST', '/2018-06-01/runtime/init/error', {
      body,
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' },
    });
    expect(accepted.status).toBe(202);
    expect(await api.initDone()).toEqual({ kind: 'init-error', errorType: 'Runtime.ImportModuleError', payload: Buffer.from(body) });

    api.reset();
    const nextReply = next();
    await api.initDone();
    const late = await call('POST', '/2018-06-01/runtime/init/error', { body });
    expect(late.status).toBe(403);
    expect(JSON.parse(late.body).errorType).toBe('InvalidStateTransition');
    void api.invoke(invocation());
    await nextReply;
  });

  it('buffers a streamed response and reports an error sent in the trailers', async () => {
    let nextReply = next();
    let result = api.invoke(invocation('s-1'));
    await nextReply;
    const streamed = await call('POST', '/2018-06-01/runtime/invocation/s-1/response', {
      body: 'partial',
      headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming' },
      trailers: {
        'Lambda-Runtime-Function-Error-Type': 'Runtime.StreamError',
        'Lambda-Runtime-Function-Error-Body': Buffer.from('{"errorMessage":"broke"}').toString('base64'),
      },
    });
    expect(streamed.status).toBe(202);
    expect(await result).toEqual({ kind: 'error', errorType: 'Runtime.StreamError', payload: Buffer.from('{"errorMessage":"broke"}') });

    nextReply = next();
    result = api.invoke(invocation('s-2'));
    await nextReply;
    const prelude = JSON.stringify({ statusCode: 201, headers: { 'content-type': 'text/plain' }, cookies: ['a=1'] });
    await call('POST', '/2018-06-01/runtime/invocation/s-2/response', {
      body: Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from('hello\0world')]),
      headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Content-Type': HTTP_INTEGRATION_CONTENT_TYPE },
      trailers: {},
    });
    const reply = await result;
    expect(reply.kind).toBe('response');
    const decoded = JSON.parse(reply.payload.toString());
    expect(decoded).toMatchObject({ statusCode: 201, headers: { 'content-type': 'text/plain' }, cookies: ['a=1'], isBase64Encoded: true });
    expect(Buffer.from(decoded.body, 'base64').toString()).toBe('hello\0world');
  });
});

describe('a streamed response reaching a buffered caller', () => {
  it('is limited to 6291556 bytes, as behind an HTTP API or the Invoke API in the cloud', async () => {
    const nextReply = next();
    const result = api.invoke(invocation('big-stream'));
    await nextReply;
    const refused = await call('POST', '/2018-06-01/runtime/invocation/big-stream/response', {
      body: Buffer.alloc(MAX_RESPONSE_BYTES + 1, 'a'),
      headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming' },
      trailers: {},
    });
    expect(refused.status).toBe(413);
    expect(await result).toMatchObject({ kind: 'error', errorType: 'Function.ResponseSizeTooLarge' });
  });
});

describe('RuntimeApi extensions endpoints', () => {
  const register = (name: string | undefined, events: string[]) =>
    call('POST', '/2020-01-01/extension/register', {
      body: JSON.stringify({ events }),
      headers: name ? { 'Lambda-Extension-Name': name } : {},
    });
  const eventNext = (id: string) => call('GET', '/2020-01-01/extension/event/next', { headers: { 'Lambda-Extension-Identifier': id } });

  it('registers extensions, sends INVOKE, and SHUTDOWN with reason and deadline to external ones', async () => {
    const registered = await register('ext-external', ['INVOKE', 'SHUTDOWN']);
    expect(registered.status).toBe(200);
    const id = registered.headers['lambda-extension-identifier'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(registered.body)).toEqual({ functionName: 'fn', functionVersion: '$LATEST', handler: 'index.handler' });
    expect(api.hasExternalExtensions).toBe(true);

    let extEvent = eventNext(id);
    const runtimeNext = next();
    await api.initDone();
    void api.invoke(invocation('req-ext'));
    expect(JSON.parse((await extEvent).body)).toMatchObject({ eventType: 'INVOKE', requestId: 'req-ext', deadlineMs: 1_900_000_000_000 });
    await runtimeNext;
    await respond('req-ext', 'ok');

    extEvent = eventNext(id);
    api.shutdownExtensions('spindown', 1234);
    expect(JSON.parse((await extEvent).body)).toEqual({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: 1234 });
  });

  it('refuses SHUTDOWN for internal extensions, nameless registration, unknown ids and late registration', async () => {
    const internal = await register('in-process', ['SHUTDOWN']);
    expect(internal.status).toBe(403);
    expect(JSON.parse(internal.body).errorType).toBe('Extension.InvalidEventType');
    expect(JSON.parse((await register(undefined, ['INVOKE'])).body).errorType).toBe('Extension.InvalidExtensionName');
    // The RIE's three answers: no identifier, one that is not a UUID, a UUID no extension has.
    expect(JSON.parse((await call('GET', '/2020-01-01/extension/event/next')).body).errorType).toBe('Extension.MissingExtensionIdentifier');
    expect(JSON.parse((await eventNext('nope')).body).errorType).toBe('Extension.InvalidExtensionIdentifier');
    expect(JSON.parse((await eventNext('0b6b1a3e-34a4-4a0c-9d4c-5c5e2b8f1d6a')).body).errorType).toBe('Extension.UnknownExtensionIdentifier');
    for (const phase of ['init', 'exit']) {
      const missing = await call('POST', `/2020-01-01/extension/${phase}/error`, { body: '{}' });
      expect(missing.status).toBe(403);
      expect(JSON.parse(missing.body).errorType).toBe('Extension.MissingExtensionIdentifier');
    }

    const runtimeNext = next();
    await api.initDone();
    const late = await register('late', ['INVOKE']);
    expect(late.status).toBe(403);
    expect(JSON.parse(late.body).errorType).toBe('Extension.RegistrationClosed');
    void api.invoke(invocation());
    await runtimeNext;
  });
});

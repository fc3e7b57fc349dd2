/**
 * The data service's HTTP API as a client meets it, answer by answer: which paths are endpoints (404 otherwise),
 * which methods each takes (405 with `Allow` otherwise), the project key (401), the percent-decoding of each path
 * segment, bodies bounded at 16 MB (413) and blank ones, and the 500 an unexpected failure gets. Every error is
 * Deta's `{"errors": [...]}` JSON, checked whole: the JS SDK throws `errors[0]`, and the detail names what is wrong.
 *
 * sdk-suites-on-cloud.test.ts runs this file on the cloud data path too, except (`local`) what the cloud answers
 * before the data function sees it: a path outside `/v1/{proxy+}` (API Gateway's own 404), the methods of the two
 * routes CloudFront sends to S3 (downloads, parts), bodies over API Gateway's 10 MB quota, and what only a caller
 * of the handler itself can send (a Content-Length that lies, a failing store).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BaseStore } from '../../lib/data/base-store';
import type { ByteStream } from '../../lib/data/drive-store';
import type { DataRequest, DataResponse } from '../../lib/data/http';
import { MAX_BASE_REQUEST_BYTES } from '../../lib/data/limits';
import { createDataHandler } from '../../lib/data/service';
import { ON_CLOUD_PATH, PROJECT_KEY, type Reply, useTestData } from './data-helpers';

const service = useTestData();
const local = describe.skipIf(ON_CLOUD_PATH);

const PROJECT = PROJECT_KEY.split('_')[0]!;
const BASE = `/v1/${PROJECT}/routing`;
const DRIVE = `/v1/${PROJECT}/routing-drive`;
/** An upload id of the local store's shape that no upload has. */
const NO_UPLOAD = '0'.repeat(32);
const MIB = 1024 * 1024;

function expectErrors(reply: { status: number; headers: Headers; body: unknown }, status: number, errors: readonly string[]): void {
  expect({ status: reply.status, body: reply.body }).toEqual({ status, body: { errors } });
  expect(reply.headers.get('content-type')).toBe('application/json');
}

async function storedKeys(): Promise<string[]> {
  const reply = await service().request('POST', `${BASE}/query`, { body: '{}' });
  expect(reply.status).toBe(200);
  return reply.body.items.map((item: { key: string }) => item.key);
}

const notFound = (method: string, path: string) => ['Not found', `no Base or Drive endpoint is ${method} ${path.split('?')[0]}`];
const putBody = (...keys: string[]) => JSON.stringify({ items: keys.map((key) => ({ key })) });

describe('the project key', () => {
  it.each([
    ['no key', null, 'send the project key in the X-API-Key header'],
    ['an empty key', '', 'send the project key in the X-API-Key header'],
    [
      'a wrong secret of the same length',
      PROJECT_KEY.replace(/.$/, (last) => (last === '9' ? '8' : '9')),
      "the X-API-Key is not this app's project key",
    ],
    ['a shorter key of the same project', `${PROJECT}_short`, "the X-API-Key is not this app's project key"],
    ['the project id alone', PROJECT, "the X-API-Key is not this app's project key"],
  ])('refuses %s with 401, storing nothing', async (_, key, detail) => {
    const reply = await service().request('PUT', `${BASE}/items`, { body: putBody('k'), headers: { 'x-api-key': key } });
    expectErrors(reply, 401, ['Unauthorized', detail]);
    expect(await storedKeys()).toEqual([]);
  });

  it("refuses another project's path, with this app's key or with that project's own", async () => {
    const path = '/v1/otherproj/routing/items';
    expectErrors(await service().request('PUT', path, { body: putBody('k') }), 401, [
      'Unauthorized',
      `the project key belongs to project ${PROJECT}, not otherproj`,
    ]);
    expectErrors(await service().request('PUT', path, { body: putBody('k'), headers: { 'x-api-key': 'otherproj_SecretValue' } }), 401, [
      'Unauthorized',
      "the X-API-Key is not this app's project key",
    ]);
    expect(await storedKeys()).toEqual([]);
  });

  it.each([
    ['GET', `${BASE}/items/k`],
    ['DELETE', `${BASE}/items/k`],
    ['PATCH', `${BASE}/items/k`],
    ['PUT', `${BASE}/items`],
    ['POST', `${BASE}/items`],
    ['POST', `${BASE}/query`],
    ['GET', `${DRIVE}/files`],
    ['POST', `${DRIVE}/files?name=f`],
    ['DELETE', `${DRIVE}/files`],
    ['GET', `${DRIVE}/files/download?name=f`],
    ['POST', `${DRIVE}/uploads?name=f`],
    ['PATCH', `${DRIVE}/uploads/${NO_UPLOAD}?name=f`],
    ['DELETE', `${DRIVE}/uploads/${NO_UPLOAD}?name=f`],
    ['POST', `${DRIVE}/uploads/${NO_UPLOAD}/parts?name=f&part=1`],
    // A wrong method or an unknown endpoint tells nobody without the key anything either.
    ['GET', `${BASE}/query`],
    ['GET', `${BASE}/nothing`],
  ])('guards %s %s with the key', async (method, path) => {
    const reply = await service().request(method, path, { body: '{}', headers: { 'x-api-key': null } });
    expect(reply.status).toBe(401);
    expect(reply.body.errors[0]).toBe('Unauthorized');
  });

  it('reads the project id from the path percent-decoded', async () => {
    expect((await service().request('PUT', `/v1/a0test%31%32/routing/items`, { body: putBody('decoded') })).status).toBe(207);
    expect(await storedKeys()).toEqual(['decoded']);
    await service().request('DELETE', `${BASE}/items/decoded`);
  });
});

describe('paths', () => {
  it.each([
    ['GET', `${BASE}/nothing`],
    ['GET', `${BASE}/items-and-more`],
    // Segments after an endpoint's last one name nothing: none is ignored, none makes another endpoint.
    ['POST', `${BASE}/query/extra`],
    ['GET', `${DRIVE}/files/other?name=f`],
    ['GET', `${DRIVE}/files/download/extra?name=f`],
    ['GET', `${DRIVE}/files/f/download?name=f`],
    ['POST', `${DRIVE}/uploads/${NO_UPLOAD}/other?name=f&part=1`],
    ['POST', `${DRIVE}/uploads/${NO_UPLOAD}/parts/extra?name=f&part=1`],
    // Fewer segments than `/v1/{projectId}/{name}/{endpoint}`: nothing is checked, not even the project or the name.
    ['GET', `/v1/otherproj/routing`],
    ['GET', `/v1/${PROJECT}/a%2Fb`],
    ['GET', `/v1/${PROJECT}/routing`],
  ])('answers %s %s with 404', async (method, path) => {
    expectErrors(await service().request(method, path, { body: '{}' }), 404, notFound(method, path));
    expect(await storedKeys()).toEqual([]);
  });

  it('takes the collection with a trailing slash, and a key that starts with one', async () => {
    expect((await service().request('PUT', `${BASE}/items/`, { body: putBody('/k') })).status).toBe(207);
    expect((await service().request('POST', `${BASE}/items/`, { body: '{"item": {"key": "n"}}' })).status).toBe(201);
    expect(await storedKeys()).toEqual(['/k', 'n']);
    expect((await service().request('GET', `${BASE}/items//k`)).body).toEqual({ key: '/k' });
    expect((await service().request('GET', `${BASE}/items/%2Fk`)).body).toEqual({ key: '/k' });
    expect((await service().request('DELETE', `${BASE}/items//k`)).body).toEqual({ key: '/k' });
    await service().request('DELETE', `${BASE}/items/n`);
    expect(await storedKeys()).toEqual([]);
  });

  local('outside /v1/{projectId}/{name}/... (API Gateway answers these itself in the cloud)', () => {
    it.each([
      `/v2/${PROJECT}/routing/items`,
      `/V1/${PROJECT}/routing/items`,
      `/x/v1/${PROJECT}/routing/items`,
      `//v1/${PROJECT}/routing/items`,
      `/v1/`,
      `/v1`,
      `/`,
      // The absolute form: a proxy's request line. The path is the whole URL, which is no endpoint.
      `https://localhost/v1/${PROJECT}/routing/items`,
    ])('answers PUT %s with 404, storing nothing', async (path) => {
      expectErrors(await service().request('PUT', path, { body: putBody('k') }), 404, notFound('PUT', path));
      expect(await storedKeys()).toEqual([]);
    });

    it('answers a path without its leading slash, which only a caller of the handler can send, with 404', async () => {
      const path = `v1/${PROJECT}/routing/items/k`;
      const reply = await call({ method: 'GET', path });
      expectErrors(reply, 404, notFound('GET', path));
      const stray = `x/v1/${PROJECT}/routing/items/k`;
      expectErrors(await call({ method: 'GET', path: stray }), 404, notFound('GET', stray));
    });
  });
});

describe('methods', () => {
  it.each([
    ['GET', `${BASE}/items`, 'PUT, POST'],
    ['DELETE', `${BASE}/items/`, 'PUT, POST'],
    ['PATCH', `${BASE}/items`, 'PUT, POST'],
    ['POST', `${BASE}/items/k`, 'GET, DELETE, PATCH'],
    ['PUT', `${BASE}/items/k`, 'GET, DELETE, PATCH'],
    ['GET', `${BASE}/query`, 'POST'],
    ['PUT', `${BASE}/query`, 'POST'],
    ['PUT', `${DRIVE}/files?name=f`, 'GET, DELETE, POST'],
    ['PATCH', `${DRIVE}/files`, 'GET, DELETE, POST'],
    ['GET', `${DRIVE}/uploads?name=f`, 'POST'],
    ['PUT', `${DRIVE}/uploads?name=f`, 'POST'],
    ['POST', `${DRIVE}/uploads/${NO_UPLOAD}?name=f`, 'PATCH, DELETE'],
    ['GET', `${DRIVE}/uploads/${NO_UPLOAD}?name=f`, 'PATCH, DELETE'],
  ])('answers %s %s with 405 and Allow: %s, changing nothing', async (method, path, allow) => {
    const reply = await service().request(method, path, { body: putBody('k') });
    const pathOnly = path.split('?')[0];
    expectErrors(reply, 405, ['Method not allowed', `${method} ${pathOnly}; use ${allow}`]);
    expect(reply.headers.get('allow')).toBe(allow);
    expect(await storedKeys()).toEqual([]);
    expect((await service().request('GET', `${DRIVE}/files`)).body).toEqual({ names: [] });
  });

  local('on the routes CloudFront sends to S3 in the cloud', () => {
    it.each([
      ['POST', `${DRIVE}/files/download`, 'GET'],
      ['DELETE', `${DRIVE}/files/download`, 'GET'],
      ['GET', `${DRIVE}/uploads/${NO_UPLOAD}/parts`, 'POST'],
      ['PUT', `${DRIVE}/uploads/${NO_UPLOAD}/parts`, 'POST'],
    ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
      const reply = await service().request(method, `${path}?name=f&part=1`, { body: 'x' });
      expectErrors(reply, 405, ['Method not allowed', `${method} ${path}; use ${allow}`]);
      expect(reply.headers.get('allow')).toBe(allow);
    });
  });
});

describe('percent-encoded path segments', () => {
  it.each([
    ['project id', 'GET', `/v1/a0test%zz/routing/items/k`, 'a0test%zz'],
    ['base or drive name', 'GET', `/v1/${PROJECT}/rout%E9/items/k`, 'rout%E9'],
    ['key', 'GET', `${BASE}/items/a%zz`, 'a%zz'],
    ['key', 'PATCH', `${BASE}/items/a/b%`, 'a/b%'],
    ['upload id', 'PATCH', `${DRIVE}/uploads/%zz?name=f`, '%zz'],
    ['upload id', 'POST', `${DRIVE}/uploads/%C0%80?name=f`, '%C0%80'],
  ])('refuses a malformed %s (%s %s) with 400', async (what, method, path, raw) => {
    expectErrors(await service().request(method, path, { body: '{}' }), 400, [
      'Malformed percent-encoding',
      `the ${what} in the path, ${JSON.stringify(raw)}, is not valid percent-encoded UTF-8`,
    ]);
  });
});

describe('bodies', () => {
  it.each([
    ['empty', ''],
    ['blank', ' \n\t '],
  ])('reads an %s JSON body as none: a query of everything', async (_, body) => {
    await service().request('PUT', `${BASE}/items`, { body: putBody('a', 'b') });
    expect((await service().request('POST', `${BASE}/query`, { body })).body).toEqual({ paging: { size: 2 }, items: [{ key: 'a' }, { key: 'b' }] });
    const put = await service().request('PUT', `${BASE}/items`, { body });
    expect({ status: put.status, error: put.body.errors[0] }).toEqual({ status: 400, error: 'Body must be {"items": [...]}' });
    await service().request('DELETE', `${BASE}/items/a`);
    await service().request('DELETE', `${BASE}/items/b`);
  });

  it('refuses a malformed JSON body, naming what the parser found', async () => {
    const reply = await service().request('PUT', `${BASE}/items`, { body: '{"items": [' });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toBe('Malformed JSON body');
  });

  local('bounded at 16 MB (over API Gateway 10 MB quota in the cloud)', () => {
    it('refuses a declared Content-Length over the limit before reading the body', async () => {
      const body = `${putBody('big')}${' '.repeat(MAX_BASE_REQUEST_BYTES)}`;
      expectErrors(await service().request('PUT', `${BASE}/items`, { body }), 413, [
        'Request Entity Too Large',
        `the body has ${Buffer.byteLength(body)} bytes; at most 16777216 (16 MB) are accepted`,
      ]);
      expect(await storedKeys()).toEqual([]);
    });
  });
});

describe('upload ids', () => {
  it('answers an upload nobody started with 404, naming it', async () => {
    for (const method of ['PATCH', 'DELETE']) {
      expectErrors(await service().request(method, `${DRIVE}/uploads/${NO_UPLOAD}?name=f`), 404, [
        'Upload not found',
        `no upload ${NO_UPLOAD} of this name is in progress`,
      ]);
    }
  });
});

/** The local service's own handler, called with what no HTTP server in front of it would pass on. */
async function call(
  request: Omit<Partial<DataRequest>, 'body'> & { body?: ByteStream | string },
  handler = service().service.handler,
): Promise<Reply> {
  const { body = '', headers = {}, ...rest } = request;
  const response = await handler({
    method: 'GET',
    path: '/',
    query: '',
    ...rest,
    headers: { 'x-api-key': PROJECT_KEY, ...headers },
    body: typeof body === 'string' ? Readable.from([Buffer.from(body)]) : body,
  });
  return reply(response);
}

async function reply(response: DataResponse): Promise<Reply> {
  const chunks: Uint8Array[] = [];
  if (response.body instanceof Uint8Array) chunks.push(response.body);
  else for await (const chunk of response.body) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const headers = new Headers(response.headers);
  return { status: response.status, headers, body: headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
}

/** A body of 1 MiB chunks, the first holding `json`, the rest spaces; endless without `total`. Counts the chunks read. */
function mebibytes(json: string, total = Infinity): { body: ByteStream; read: () => number } {
  let read = 0;
  async function* chunks(): ByteStream {
    for (let index = 0; index < total; index++) {
      read++;
      const chunk = Buffer.alloc(MIB, ' ');
      if (index === 0) chunk.write(json);
      yield chunk;
    }
  }
  return { body: chunks(), read: () => read };
}

local('the handler in-process', () => {
  describe('Content-Length', () => {
    it('takes a body of exactly 16 MiB, declared or not', async () => {
      for (const headers of [{ 'content-length': String(MAX_BASE_REQUEST_BYTES) }, {}]) {
        const { body } = mebibytes(putBody('exact'), MAX_BASE_REQUEST_BYTES / MIB);
        expect((await call({ method: 'PUT', path: `${BASE}/items`, headers, body })).status).toBe(207);
        expect(await storedKeys()).toEqual(['exact']);
        await service().request('DELETE', `${BASE}/items/exact`);
      }
    });

    it('refuses a declared length over the limit without reading a byte', async () => {
      const { body, read } = mebibytes(putBody('big'));
      const reply = await call({ method: 'PUT', path: `${BASE}/items`, headers: { 'content-length': '20000000' }, body });
      expectErrors(reply, 413, ['Request Entity Too Large', 'the body has 20000000 bytes; at most 16777216 (16 MB) are accepted']);
      expect(read()).toBe(0);
    });

    it.each([['5'], ['0'], [undefined]])(
      'counts the bytes of a body whatever a Content-Length of %s says, and stops reading past the limit',
      async (declared) => {
        const { body, read } = mebibytes(putBody('big'));
        const headers = declared === undefined ? {} : { 'content-length': declared };
        const reply = await call({ method: 'PUT', path: `${BASE}/items`, headers, body });
        expectErrors(reply, 413, ['Request Entity Too Large', 'the body has 17825792 bytes; at most 16777216 (16 MB) are accepted']);
        expect(read()).toBe(17);
        expect(await storedKeys()).toEqual([]);
      },
    );

    it.each([['1e99'], ['0x2000000'], ['+20000000'], ['20000000 '], [' 20000000'], ['Infinity']])(
      'reads the body when the Content-Length %j is no plain number',
      async (declared) => {
        const reply = await call({ method: 'PUT', path: `${BASE}/items`, headers: { 'content-length': declared }, body: putBody('odd') });
        expect(reply.status).toBe(207);
        expect(await storedKeys()).toEqual(['odd']);
        await service().request('DELETE', `${BASE}/items/odd`);
      },
    );
  });

  describe('unexpected failures', () => {
    const failingBase = (failure: unknown): BaseStore => {
      const fail = () => Promise.reject(failure);
      return { get: fail, putMany: fail, insert: fail, replaceIfVersion: fail, delete: fail, scan: fail };
    };

    it('answers 500 with no detail and logs the failure with its stack', async () => {
      const logged: string[] = [];
      const handler = createDataHandler({
        base: failingBase(new Error('disk on fire')),
        drive: service().service.stores.drive,
        projectKey: PROJECT_KEY,
        log: (message) => logged.push(message),
      });
      expectErrors(await call({ method: 'GET', path: `${BASE}/items/k` }, handler), 500, ['Internal server error']);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(new RegExp(`^data service: GET ${BASE}/items/k: Error: disk on fire\\n +at `));
    });

    it('logs a failure that is no Error as it is', async () => {
      const logged: string[] = [];
      const handler = createDataHandler({
        base: failingBase('disk on fire'),
        drive: service().service.stores.drive,
        projectKey: PROJECT_KEY,
        log: (message) => logged.push(message),
      });
      expectErrors(await call({ method: 'DELETE', path: `${BASE}/items/k` }, handler), 500, ['Internal server error']);
      expect(logged).toEqual([`data service: DELETE ${BASE}/items/k: disk on fire`]);
    });

    it('answers 500 without a log to write to', async () => {
      const handler = createDataHandler({
        base: failingBase(new Error('disk on fire')),
        drive: service().service.stores.drive,
        projectKey: PROJECT_KEY,
      });
      expectErrors(await call({ method: 'PUT', path: `${BASE}/items`, body: putBody('k') }, handler), 500, ['Internal server error']);
    });
  });
});

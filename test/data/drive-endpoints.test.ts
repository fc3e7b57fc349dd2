/**
 * The Drive endpoints' edges, sent raw the way an app speaking Deta's wire format (or an SDK other than the JS one)
 * sends them: exact statuses and `{"errors": [...]}` bodies, the bodies uploads echo, part numbers, the name length,
 * content types, listing parameters and pages (past folders too), and deletion limits. The same tests run on the
 * cloud path (sdk-suites-on-cloud.test.ts); where the cloud legitimately answers otherwise, the test says so.
 */
import { request as httpsRequest } from 'node:https';
import { beforeAll, describe, expect, it } from 'vitest';
import { DriveApi } from '../../lib/data/drive';
import type { DriveStore, ListRequest } from '../../lib/data/drive-store';
import { PROJECT_KEY, type Reply, useTestData } from './data-helpers';

const service = useTestData();

const PROJECT = PROJECT_KEY.split('_')[0]!;
const MIB = 1024 * 1024;

/** The cloud path's fixture has no local service: there, downloads and parts never reach the data function. */
const onCloud = (): boolean => !('service' in service());

function driveRoot(drive: string): string {
  return `/v1/${PROJECT}/${drive}`;
}

function expectError(reply: Reply, status: number, errors: string[]): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toBe('application/json');
  expect(reply.body).toEqual({ errors });
}

/** `POST /files?name=`: one whole file, with `contentType` as its Content-Type header (null: no header). */
async function putFile(drive: string, name: string, content: string, contentType: string | null = null): Promise<Reply> {
  return service().request('POST', `${driveRoot(drive)}/files?name=${encodeURIComponent(name)}`, {
    body: content,
    headers: { 'content-type': contentType },
  });
}

async function startUpload(drive: string, name: string): Promise<string> {
  const reply = await service().request('POST', `${driveRoot(drive)}/uploads?name=${encodeURIComponent(name)}`, {
    headers: { 'content-type': null },
  });
  expect(reply.status).toBe(202);
  return reply.body.upload_id;
}

/** A request whose body is sent in chunks with no Content-Length (chunked transfer encoding), as streaming clients do. */
async function chunkedRequest(method: string, path: string, chunks: Uint8Array[]): Promise<Reply> {
  const [hostname, port] = (process.env.DETA_DRIVE_HOST ?? '').split(':');
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: hostname, port: Number(port), method, path, headers: { 'x-api-key': PROJECT_KEY } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
        resolve({ status: res.statusCode!, body: headers.get('content-type')?.includes('application/json') ? JSON.parse(text) : text, headers });
      });
    });
    // The server may answer (413) and close before the last chunk is written: the answer is what counts.
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('uploads', () => {
  const DRIVE = 'endpoints-uploads';

  it('echoes the decoded name, the upload id and the part at every step of a chunked upload', async () => {
    const init = await service().request('POST', `${driveRoot(DRIVE)}/uploads?name=a+b%2Fc.txt`, { headers: { 'content-type': 'text/plain' } });
    expect(init.status).toBe(202);
    const id: string = init.body.upload_id;
    expect(init.body).toEqual({ name: 'a b/c.txt', upload_id: id, project_id: PROJECT, drive_name: DRIVE });
    const part = await service().request('POST', `${driveRoot(DRIVE)}/uploads/${id}/parts?name=a+b%2Fc.txt&part=1`, { body: 'hello' });
    expect(part.status).toBe(200);
    expect(part.body).toEqual({ name: 'a b/c.txt', upload_id: id, part: 1, project_id: PROJECT, drive_name: DRIVE });
    const complete = await service().request('PATCH', `${driveRoot(DRIVE)}/uploads/${id}?name=a+b%2Fc.txt`);
    expect(complete.status).toBe(200);
    expect(complete.body).toEqual({ name: 'a b/c.txt', upload_id: id, project_id: PROJECT, drive_name: DRIVE });
    expect((await service().request('GET', `${driveRoot(DRIVE)}/files/download?name=a+b%2Fc.txt`)).body).toBe('hello');
  });

  it('echoes the upload it aborts, which then is gone', async () => {
    const id = await startUpload(DRIVE, 'dropped');
    const abort = await service().request('DELETE', `${driveRoot(DRIVE)}/uploads/${id}?name=dropped`);
    expect(abort.status).toBe(200);
    expect(abort.body).toEqual({ name: 'dropped', upload_id: id, project_id: PROJECT, drive_name: DRIVE });
    expect((await service().request('PATCH', `${driveRoot(DRIVE)}/uploads/${id}?name=dropped`)).status).toBe(404);
  });

  it('takes part numbers 1 to 10000, written plainly, and echoes each as a number', async () => {
    const id = await startUpload(DRIVE, 'numbered');
    for (const part of [1, 10, 10000]) {
      const reply = await service().request('POST', `${driveRoot(DRIVE)}/uploads/${id}/parts?name=numbered&part=${part}`, { body: 'x' });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ name: 'numbered', upload_id: id, part, project_id: PROJECT, drive_name: DRIVE });
    }
    await service().request('DELETE', `${driveRoot(DRIVE)}/uploads/${id}?name=numbered`);
  });

  it.each([
    ['0', '"0"'],
    ['01', '"01"'],
    ['1x', '"1x"'],
    ['x1', '"x1"'],
    ['1e3', '"1e3"'],
    ['%2B1', '"+1"'],
    ['10001', '"10001"'],
    ['', '""'],
  ])('refuses part=%s with 400 and says which numbers there are', async (raw, shown) => {
    const id = await startUpload(DRIVE, 'refused-parts');
    const reply = await service().request('POST', `${driveRoot(DRIVE)}/uploads/${id}/parts?name=refused-parts&part=${raw}`, { body: 'x' });
    expectError(reply, 400, ['Invalid part number', `part is ${shown}; parts are numbered 1 to 10000`]);
    await service().request('DELETE', `${driveRoot(DRIVE)}/uploads/${id}?name=refused-parts`);
  });

  it('refuses a part with no number', async () => {
    const id = await startUpload(DRIVE, 'unnumbered');
    const reply = await service().request('POST', `${driveRoot(DRIVE)}/uploads/${id}/parts?name=unnumbered`, { body: 'x' });
    expectError(reply, 400, ['Invalid part number', 'part is null; parts are numbered 1 to 10000']);
  });

  it('refuses a streamed part once it passes 10 MiB, with no Content-Length to go by', async () => {
    const id = await startUpload(DRIVE, 'streamed');
    const reply = await chunkedRequest('POST', `${driveRoot(DRIVE)}/uploads/${id}/parts?name=streamed&part=1`, [
      new Uint8Array(10 * MIB),
      new Uint8Array(1),
    ]);
    expect(reply.status).toBe(413);
    expect(reply.body.errors[0]).toBe('Request Entity Too Large');
    // The cloud path: API Gateway's own payload limit answers before any of our code sees the part.
    if (!onCloud()) expect(reply.body.errors[1]).toMatch(/^[0-9]+ bytes; a part holds at most 10485760 bytes \(10 MiB\)$/);
    const exactly = await chunkedRequest('POST', `${driveRoot(DRIVE)}/uploads/${id}/parts?name=streamed&part=1`, [new Uint8Array(10 * MIB)]);
    expect(exactly.status).toBe(200);
    await service().request('DELETE', `${driveRoot(DRIVE)}/uploads/${id}?name=streamed`);
  });

  it('refuses a whole file over 10 MiB with 413 and stores nothing', async () => {
    const reply = await service().request('POST', `${driveRoot(DRIVE)}/files?name=too-big`, { body: new Uint8Array(10 * MIB + 1) });
    expect(reply.status).toBe(413);
    expect(reply.body.errors[0]).toBe('Request Entity Too Large');
    expect((await service().request('GET', `${driveRoot(DRIVE)}/files?prefix=too-big`)).body).toEqual({ names: [] });
  });
});

describe('names', () => {
  const DRIVE = 'endpoints-names';

  it('refuses a missing, blank or folder name with the reason', async () => {
    expectError(await service().request('POST', `${driveRoot(DRIVE)}/uploads`), 400, [
      'Name is missing',
      'give the file name in the name query parameter',
    ]);
    expectError(await service().request('POST', `${driveRoot(DRIVE)}/uploads?name=+%20`), 400, [
      'Name is empty',
      'the name query parameter is blank',
    ]);
    expectError(await service().request('POST', `${driveRoot(DRIVE)}/uploads?name=docs%2F`), 400, [
      'Name must not end with /',
      '"docs/" names a folder',
    ]);
  });

  it('takes a name of exactly 900 bytes of UTF-8 and refuses one byte more', async () => {
    // Folders of 198 bytes: s3rver (the cloud path's S3) keeps each segment as a file name, of at most 255 bytes.
    const longest = `${Array.from({ length: 4 }, () => 'é'.repeat(99)).join('/')}/${'é'.repeat(52)}`;
    expect(Buffer.byteLength(longest)).toBe(900);
    expect((await putFile(DRIVE, longest, 'fits')).status).toBe(201);
    expect((await service().request('GET', `${driveRoot(DRIVE)}/files/download?name=${encodeURIComponent(longest)}`)).body).toBe('fits');
    expectError(await putFile(DRIVE, `${longest}a`, 'too long'), 400, ['Name too long', '901 bytes, at most 900 are allowed']);
  });

  it('answers a download of an absent file with 404 and a JSON error (which the SDKs turn into null)', async () => {
    const reply = await service().request('GET', `${driveRoot(DRIVE)}/files/download?name=absent`);
    // The cloud path: S3 answers from the CloudFront error page, which cannot know the name.
    if (onCloud()) expectError(reply, 404, ['File not found', 'no file of this name is in the drive']);
    else expectError(reply, 404, ['File not found', 'no file is named "absent"']);
  });
});

describe('content types', () => {
  const DRIVE = 'endpoints-types';

  async function typeOf(name: string, contentType: string | null): Promise<string | null> {
    expect((await putFile(DRIVE, name, 'x', contentType)).status).toBe(201);
    return (await service().request('GET', `${driveRoot(DRIVE)}/files/download?name=${encodeURIComponent(name)}`)).headers.get('content-type');
  }

  it('keeps an informative type as given', async () => {
    expect(await typeOf('given.svg', 'text/plain; charset=utf-8')).toBe('text/plain; charset=utf-8');
    expect(await typeOf('spaced', '  text/csv  ')).toBe('text/csv');
  });

  it.each([
    ['none', null],
    ['an empty one', ''],
    ['binary/octet-stream (what the JS SDK sends when given none)', 'binary/octet-stream'],
    ['application/octet-stream', 'application/octet-stream'],
    ['an octet-stream type in another case', 'Binary/Octet-Stream'],
    ['an octet-stream type with spaces around', ' APPLICATION/octet-stream '],
  ])('guesses the type from the name when given %s', async (_, contentType) => {
    expect(await typeOf('logo.svg', contentType)).toBe('image/svg+xml');
    expect(await typeOf('no-extension', contentType)).toBe('application/octet-stream');
  });
});

describe('list', () => {
  const DRIVE = 'endpoints-list';
  const NAMES = ['1st', 'f/a', 'f/ab', 'f/b', 'g', 'gh', 'h/x', 'p/a/1', 'p/a/2', 'p/g', 'p/gh'];
  const list = async (query: string): Promise<Reply> => service().request('GET', `${driveRoot(DRIVE)}/files${query}`);

  beforeAll(async () => {
    for (const name of NAMES) expect((await putFile(DRIVE, name, 'x')).body).toEqual({ name, project_id: PROJECT, drive_name: DRIVE });
  });

  it('lists every name without prefix, limit or last (as the Python SDK asks) and with them empty', async () => {
    expect((await list('')).body).toEqual({ names: NAMES });
    expect((await list('?prefix=&limit=&last=&recursive=')).body).toEqual({ names: NAMES });
  });

  it('takes limits 1 to 1000', async () => {
    expect((await list('?limit=1')).body).toEqual({ paging: { size: 1, last: '1st' }, names: ['1st'] });
    expect((await list('?limit=1000')).body).toEqual({ names: NAMES });
  });

  it.each(['0', '1001', '-1', '5x', 'x5', '1e1', '1.0', '+5'])('refuses limit=%s with 400', async (raw) => {
    const shown = JSON.stringify(new URLSearchParams(`limit=${raw}`).get('limit'));
    expectError(await list(`?limit=${raw}`), 400, ['Invalid limit', `limit is ${shown}; give 1 to 1000`]);
  });

  it('refuses a recursive flag other than true or false', async () => {
    expectError(await list('?recursive=yes'), 400, ['Invalid recursive', 'recursive is "yes"; give true or false']);
  });

  it('resumes a recursive listing after a last that ends with / as after any name', async () => {
    expect((await list('?prefix=f&last=f/')).body).toEqual({ names: ['f/a', 'f/ab', 'f/b'] });
  });

  it('shows each folder once without recursion', async () => {
    expect((await list('?recursive=false')).body).toEqual({ names: ['1st', 'f/', 'g', 'gh', 'h/', 'p/'] });
    expect((await list('?recursive=false&prefix=f/&last=f/a')).body).toEqual({ names: ['f/ab', 'f/b'] });
  });

  it('pages past a folder without recursion', async () => {
    expect((await list('?recursive=false&limit=2')).body).toEqual({ paging: { size: 2, last: 'f/' }, names: ['1st', 'f/'] });
    expect((await list('?recursive=false&limit=2&last=1st')).body).toEqual({ paging: { size: 2, last: 'g' }, names: ['f/', 'g'] });
    expect((await list('?recursive=false&limit=1&last=1st')).body).toEqual({ paging: { size: 1, last: 'f/' }, names: ['f/'] });
    expect((await list('?recursive=false&limit=2&last=f/')).body).toEqual({ paging: { size: 2, last: 'gh' }, names: ['g', 'gh'] });
    expect((await list('?recursive=false&limit=2&last=gh')).body).toEqual({ names: ['h/', 'p/'] });
  });

  it('shows a name with a leading / under the folder /', async (context) => {
    // s3rver (the cloud path's S3) keeps keys as files and cannot hold one with an empty segment; S3 itself can.
    if (onCloud()) context.skip();
    expect((await putFile('endpoints-lead', '/lead', 'x')).status).toBe(201);
    expect((await putFile('endpoints-lead', 'next', 'x')).status).toBe(201);
    const reply = await service().request('GET', `${driveRoot('endpoints-lead')}/files?recursive=false`);
    expect(reply.body).toEqual({ names: ['/', 'next'] });
  });

  it('pages at a file that the next name starts with, without recursion', async () => {
    // The first page reads p/a/1, p/a/2, p/g: the folder p/a/ and the file p/g fill it, and p/gh follows.
    expect((await list('?recursive=false&prefix=p/&limit=2')).body).toEqual({ paging: { size: 2, last: 'p/g' }, names: ['p/a/', 'p/g'] });
    expect((await list('?recursive=false&prefix=p/&limit=2&last=p/g')).body).toEqual({ names: ['p/gh'] });
  });
});

describe('delete many', () => {
  const DRIVE = 'endpoints-delete';
  const deleteMany = async (body: string): Promise<Reply> => service().request('DELETE', `${driveRoot(DRIVE)}/files`, { body });

  it('refuses a body without a list of names, saying what it found', async () => {
    expectError(await deleteMany('{"names": "a"}'), 400, ['Body must be {"names": [...]}', 'names is the string "a"']);
    expectError(await deleteMany('{}'), 400, ['Body must be {"names": [...]}', 'names is missing']);
    expectError(await deleteMany('["a"]'), 400, ['Body must be {"names": [...]}', 'names is missing']);
  });

  it('refuses a list with no name that is not blank', async () => {
    expectError(await deleteMany('{"names": []}'), 400, ["Names can't be empty", 'every name in the list is blank']);
    expectError(await deleteMany('{"names": ["", " "]}'), 400, ["Names can't be empty", 'every name in the list is blank']);
  });

  it('deletes 1000 names at a time and refuses 1001', async () => {
    for (const name of ['n0', 'n999']) expect((await putFile(DRIVE, name, 'x')).status).toBe(201);
    const names = Array.from({ length: 1000 }, (_, index) => `n${index}`);
    const reply = await deleteMany(JSON.stringify({ names }));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ deleted: names });
    expect((await service().request('GET', `${driveRoot(DRIVE)}/files`)).body).toEqual({ names: [] });
    expectError(await deleteMany(JSON.stringify({ names: [...names, 'n1000'] })), 400, [
      'Too many names',
      '1001 names; at most 1000 can be deleted at a time',
    ]);
  });
});

/**
 * What no local store does, through `DriveApi` over a drive held in memory: a name the store could not delete (S3
 * reports such keys one by one), and how many store pages a listing takes (each an S3 ListObjectsV2 request).
 */
describe('DriveApi over a store that fails or counts', () => {
  const REF = { projectId: 'p', drive: 'd' };

  function memoryDrive(names: string[], failed: Record<string, string> = {}): { api: DriveApi; pages: () => number } {
    let pages = 0;
    const store: Pick<DriveStore, 'list' | 'deleteMany'> = {
      list: async (_, { prefix = '', after, limit }: ListRequest) => {
        pages += 1;
        const rest = names.filter((name) => name.startsWith(prefix) && (after === undefined || name > after));
        return { names: rest.slice(0, limit), done: rest.length <= limit };
      },
      deleteMany: async () => ({ failed }),
    };
    return { api: new DriveApi(store as DriveStore), pages: () => pages };
  }

  it('reports a name the store could not delete as failed, not deleted', async () => {
    const { api } = memoryDrive([], { b: 'AccessDenied' });
    expect((await api.deleteMany(REF, { names: ['a', 'b', ''] })).body).toEqual({
      deleted: ['a'],
      failed: { b: 'AccessDenied', '': 'invalid name' },
    });
  });

  it('skips the rest of a folder in one step rather than reading every name in it', async () => {
    const names = [...Array.from({ length: 500 }, (_, index) => `big/${String(index).padStart(3, '0')}`), 'z'];
    const { api, pages } = memoryDrive(names);
    const reply = await api.list(REF, new URLSearchParams('recursive=false&limit=1'));
    expect(reply.body).toEqual({ paging: { size: 1, last: 'big/' }, names: ['big/'] });
    expect(pages()).toBe(2);
  });
});

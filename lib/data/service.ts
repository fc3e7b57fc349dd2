/**
 * The Base and Drive HTTP API at `/v1/{projectId}/{name}/...`: routing on the raw path (so `%2F` stays inside a
 * key), auth by the project key, bounded body reading, and every answer as JSON with the status the SDKs check
 * (Drive downloads excepted). Used by the local HTTPS server and the cloud Lambda handler alike.
 */
import { timingSafeEqual } from 'node:crypto';
import { BaseApi, type JsonReply } from './base';
import type { BaseRef } from './base-store';
import { DriveApi } from './drive';
import { type ByteStream, type DriveRef, NoSuchUpload } from './drive-store';
import { containerNameProblem } from './container-name';
import { badRequest, DataError } from './errors';
import type { DataHandler, DataRequest, DataResponse, DataServiceOptions } from './http';
import { MAX_BASE_REQUEST_BYTES } from './limits';

export function createDataHandler(options: DataServiceOptions): DataHandler {
  const base = new BaseApi(options.base, options.now ?? Date.now);
  const drive = new DriveApi(options.drive);
  const projectId = projectIdOf(options.projectKey);
  const expectedKey = Buffer.from(options.projectKey);

  const authenticate = (request: DataRequest, pathProjectId: string): void => {
    const given = request.headers['x-api-key'];
    if (given === undefined || given === '') throw new DataError(401, 'Unauthorized', 'send the project key in the X-API-Key header');
    const key = Buffer.from(given);
    if (key.length !== expectedKey.length || !timingSafeEqual(key, expectedKey)) {
      throw new DataError(401, 'Unauthorized', "the X-API-Key is not this app's project key");
    }
    if (pathProjectId !== projectId) {
      throw new DataError(401, 'Unauthorized', `the project key belongs to project ${projectId}, not ${pathProjectId}`);
    }
  };

  const route = async (request: DataRequest): Promise<DataResponse> => {
    const segments = request.path.split('/');
    if (segments[0] !== '' || segments[1] !== 'v1' || segments.length < 5) throw notFound(request);
    const pathProjectId = decodeSegment(segments[2]!, 'project id');
    const name = decodeSegment(segments[3]!, 'base or drive name');
    const problem = containerNameProblem(name);
    if (problem !== undefined) throw badRequest(...problem);
    authenticate(request, pathProjectId);
    const [endpoint, ...rest] = segments.slice(4);
    const method = request.method.toUpperCase();
    const baseRef: BaseRef = { projectId, base: name };
    const driveRef: DriveRef = { projectId, drive: name };
    const params = new URLSearchParams(request.query);
    const length = contentLength(request);
    const contentType = request.headers['content-type'];

    switch (endpoint) {
      case 'items': {
        if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
          if (method === 'PUT') return json(await base.put(baseRef, await readJson(request)));
          if (method === 'POST') return json(await base.insert(baseRef, await readJson(request)));
          return methodNotAllowed(request, 'PUT, POST');
        }
        // A key may hold `/`: clients encode it as %2F, but an unencoded one still names the same key.
        const key = decodeSegment(rest.join('/'), 'key');
        if (method === 'GET') return json(await base.get(baseRef, key));
        if (method === 'DELETE') return json(await base.delete(baseRef, key));
        if (method === 'PATCH') return json(await base.update(baseRef, key, await readJson(request)));
        return methodNotAllowed(request, 'GET, DELETE, PATCH');
      }
      case 'query':
        if (rest.length > 0) break;
        if (method === 'POST') return json(await base.query(baseRef, await readJson(request)));
        return methodNotAllowed(request, 'POST');
      case 'files':
        if (rest.length === 0) {
          if (method === 'GET') return json(await drive.list(driveRef, params));
          if (method === 'DELETE') return json(await drive.deleteMany(driveRef, await readJson(request)));
          if (method === 'POST') return json(await drive.putFile(driveRef, params.get('name'), contentType, request.body, length));
          return methodNotAllowed(request, 'GET, DELETE, POST');
        }
        if (rest.length === 1 && rest[0] === 'download') {
          if (method === 'GET') return download(await drive.download(driveRef, params.get('name')));
          return methodNotAllowed(request, 'GET');
        }
        break;
      case 'uploads': {
        if (rest.length === 0) {
          if (method === 'POST') return json(await drive.initiate(driveRef, params.get('name'), contentType));
          return methodNotAllowed(request, 'POST');
        }
        const uploadId = decodeSegment(rest[0]!, 'upload id');
        if (rest.length === 1) {
          if (method === 'PATCH') return json(await drive.complete(driveRef, uploadId, params.get('name')));
          if (method === 'DELETE') return json(await drive.abort(driveRef, uploadId, params.get('name')));
          return methodNotAllowed(request, 'PATCH, DELETE');
        }
        if (rest.length === 2 && rest[1] === 'parts') {
          if (method === 'POST') {
            return json(await drive.putPart(driveRef, uploadId, params.get('name'), params.get('part'), request.body, length));
          }
          return methodNotAllowed(request, 'POST');
        }
        break;
      }
    }
    throw notFound(request);
  };

  return async (request) => {
    try {
      return await route(request);
    } catch (error) {
      if (error instanceof DataError) return errorResponse(error.status, error.messages);
      if (error instanceof NoSuchUpload) return errorResponse(404, ['Upload not found', `no upload ${error.uploadId} of this name is in progress`]);
      options.log?.(`data service: ${request.method} ${request.path}: ${(error as Error).stack ?? String(error)}`);
      return errorResponse(500, ['Internal server error']);
    }
  };
}

/** The project id of a `<projectId>_<secret>` key, as every SDK derives it. */
export function projectIdOf(projectKey: string): string {
  const separator = projectKey.indexOf('_');
  if (separator <= 0) throw new Error('the project key must look like <projectId>_<secret>');
  return projectKey.slice(0, separator);
}

function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest('Malformed percent-encoding', `the ${what} in the path, ${JSON.stringify(raw)}, is not valid percent-encoded UTF-8`);
  }
}

function contentLength(request: DataRequest): number | undefined {
  const raw = request.headers['content-length'];
  return raw !== undefined && /^[0-9]+$/.test(raw) ? Number(raw) : undefined;
}

/** The JSON body: absent when empty (the JS SDK sends a JSON content type with no body on GET and DELETE). */
async function readJson(request: DataRequest): Promise<unknown> {
  const bytes = await readAll(request.body, contentLength(request), MAX_BASE_REQUEST_BYTES);
  const text = bytes.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest('Malformed JSON body', (error as Error).message);
  }
}

async function readAll(body: ByteStream, declared: number | undefined, limit: number): Promise<Buffer> {
  const tooLarge = (bytes: number): DataError =>
    new DataError(413, 'Request Entity Too Large', `the body has ${bytes} bytes; at most ${limit} (16 MB) are accepted`);
  if (declared !== undefined && declared > limit) throw tooLarge(declared);
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (bytes > limit) throw tooLarge(bytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes);
}

function json(reply: JsonReply): DataResponse {
  const body = Buffer.from(JSON.stringify(reply.body));
  return { status: reply.status, headers: jsonHeaders(body), body };
}

function download(file: { size: number; contentType: string; body: ByteStream }): DataResponse {
  return { status: 200, headers: { 'content-type': file.contentType, 'content-length': String(file.size) }, body: file.body };
}

function errorResponse(status: number, messages: readonly string[], headers: Record<string, string> = {}): DataResponse {
  const body = Buffer.from(JSON.stringify({ errors: messages }));
  return { status, headers: { ...jsonHeaders(body), ...headers }, body };
}

function jsonHeaders(body: Buffer): Record<string, string> {
  return { 'content-type': 'application/json', 'content-length': String(body.length) };
}

function notFound(request: DataRequest): DataError {
  return new DataError(404, 'Not found', `no Base or Drive endpoint is ${request.method} ${request.path}`);
}

/** A 405 names the methods the endpoint takes in `Allow`, as HTTP requires of it, and in its detail. */
function methodNotAllowed(request: DataRequest, allowed: string): DataResponse {
  return errorResponse(405, ['Method not allowed', `${request.method} ${request.path}; use ${allowed}`], { allow: allowed });
}

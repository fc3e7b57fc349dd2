/**
 * The cloud data path on one machine, for the official SDK to drive over TLS: what CloudFront, the CloudFront
 * Function, API Gateway and Lambda do with a request, in the order `SpaceData` wires them.
 *
 * - downloads and parts run the real edge function code (`edgeFunctionCode`), then go to S3 (s3rver) the way the
 *   distribution's S3 origin and the REST API's S3 integration send them: never through the data function;
 * - everything else becomes the payload 2.0 event HTTP API sends, for the data function: in-process
 *   (`createDataFunction`, for request counts) or the deployed bundle in the repo's Lambda emulator, whose Invoke
 *   limit (6 MB) is Lambda's.
 *
 * What AWS does here is written from its documentation; the behaviour under test is ours: the edge function, the
 * data function, the stores, and the shapes of the answers.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { GetObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { bundleHandler } from '../../lib/constructs/bundled-code';
import { DynamoDbBaseStore } from '../../lib/handlers/dynamodb-base-store';
import { DRIVE_DOWNLOAD_PATTERN, DRIVE_PARTS_PATTERN, edgeFunctionCode } from '../../lib/handlers/data-edge-function';
import {
  createDataFunction,
  DATA_FUNCTION_ENV,
  type DataFunctionEvent,
  type DataFunctionResult,
  NOT_FOUND_PATH,
} from '../../lib/handlers/data-function';
import { S3DriveStore } from '../../lib/handlers/s3-drive-store';
import { createDataHandler, projectIdOf } from '../../lib/data/service';
import { isTextBody } from '../../lib/core/text-body';
import { ExecutionEnvironment, InvokeRequestTooLargeError } from '../../lib/local/emulator';
import { ensureLocalTls } from '../../lib/local/data/local-tls';
import type { AwsServers } from './aws-servers';

/** API Gateway's payload quota ("10 MB"), read as 10 MiB: the SDKs' parts are exactly 10 MiB. */
const API_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface Invocation {
  readonly path: string;
  readonly eventBytes: number;
  readonly outcome: 'success' | 'too-large' | 'error';
}

export interface CloudPath {
  /** `host:port`, for DETA_BASE_HOST and DETA_DRIVE_HOST. */
  readonly host: string;
  /** Every data function invocation, in order. */
  readonly invocations: Invocation[];
  /** Requests that took the edge routes (downloads, parts), which never invoke the data function. */
  readonly edgeRequests: { path: string; bodyBytes: number }[];
  close(): Promise<void>;
}

export interface CloudPathOptions {
  readonly servers: AwsServers;
  readonly projectKey: string;
  /** Run the deployed bundle in the Lambda emulator rather than the handler in this process. @default false */
  readonly emulator?: boolean;
}

export async function startCloudPath(options: CloudPathOptions): Promise<CloudPath> {
  const { servers, projectKey } = options;
  const invocations: Invocation[] = [];
  const edgeRequests: { path: string; bodyBytes: number }[] = [];
  const { invoke, shutdown } = options.emulator ? await emulatedFunction(options) : inProcessFunction(options);
  const edge = edgeFunction(projectKey);
  // The run's CA and its localhost certificate (test/global-setup.ts), which this process trusts.
  const tls = ensureLocalTls(process.env.SPACEPORT_TEST_STATE_DIR ?? '');

  const callFunction = async (event: DataFunctionEvent): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> => {
    const payload = JSON.stringify(event);
    try {
      const result = await invoke(payload);
      invocations.push({ path: event.rawPath, eventBytes: Buffer.byteLength(payload), outcome: 'success' });
      return {
        status: result.statusCode,
        headers: { ...result.headers },
        body: Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
      };
    } catch (error) {
      const tooLarge = error instanceof InvokeRequestTooLargeError;
      invocations.push({ path: event.rawPath, eventBytes: Buffer.byteLength(payload), outcome: tooLarge ? 'too-large' : 'error' });
      return jsonReply(tooLarge ? 413 : 500, { message: tooLarge ? 'Request Entity Too Large' : 'Internal Server Error' });
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const url = request.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? '' : url.slice(mark + 1);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = String(value);

    let reply: { status: number; headers: Record<string, string>; body: Buffer | Readable };
    if (matches(DRIVE_DOWNLOAD_PATTERN, path) || matches(DRIVE_PARTS_PATTERN, path)) {
      edgeRequests.push({ path, bodyBytes: body.length });
      const viewer = edge({ uri: path, querystring: viewerQuery(query), headers: viewerHeaders(headers) });
      if ('statusCode' in viewer) {
        reply = jsonReply(viewer.statusCode, JSON.parse(viewer.body.data));
      } else if (matches(DRIVE_DOWNLOAD_PATTERN, path)) {
        reply = await s3Origin(viewer.uri, () => callFunction(notFoundEvent()));
      } else {
        reply = await partsApi(path, viewer.querystring, viewer.headers, body);
      }
    } else {
      reply = await callFunction(httpApiEvent(request.method ?? 'GET', path, query, headers, body));
    }
    response.writeHead(reply.status, reply.headers);
    if (reply.body instanceof Readable) reply.body.pipe(response);
    else response.end(reply.body);
  };

  /** CloudFront's S3 origin (OAC): GetObject of the rewritten URI; a missing object is S3's 403, then the error page. */
  const s3Origin = async (uri: string, notFound: () => Promise<{ status: number; headers: Record<string, string>; body: Buffer }>) => {
    try {
      const object = await servers.s3.send(new GetObjectCommand({ Bucket: servers.bucketName, Key: decodeURIComponent(uri.slice(1)) }));
      return {
        status: 200,
        headers: {
          'content-type': object.ContentType ?? 'binary/octet-stream',
          'content-length': String(object.ContentLength ?? 0),
          'accept-ranges': 'bytes',
        },
        body: object.Body as Readable,
      };
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
      const page = await notFound();
      return { ...page, status: 404 };
    }
  };

  /** The REST API's POST .../parts method: API key, required parameters, S3 UploadPart, the mapped answers. */
  const partsApi = async (path: string, query: Record<string, { value: string }>, headers: Record<string, { value: string }>, body: Buffer) => {
    if (body.length > API_GATEWAY_PAYLOAD_BYTES) return jsonReply(413, { errors: ['Request Entity Too Large'] });
    if (headers['x-api-key']?.value !== projectKey) return jsonReply(403, { errors: ['Forbidden'] });
    const [, , projectId, drive, , uploadId] = path.split('/').map(decodeURIComponent);
    const name = query.name ? decodeURIComponent(query.name.value) : undefined;
    const part = query.part?.value;
    if (name === undefined || part === undefined) return jsonReply(400, { errors: ['Missing required request parameters: [name, part]'] });
    try {
      await servers.s3.send(
        new UploadPartCommand({
          Bucket: servers.bucketName,
          Key: `${projectIdOf(projectKey)}/${drive}/${name}`,
          UploadId: uploadId,
          PartNumber: Number(part),
          Body: body,
          ContentLength: body.length,
        }),
      );
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 500;
      if (status === 404) return jsonReply(404, { errors: ['Upload not found', 'no upload of this name is in progress'] });
      if (status < 500) return jsonReply(400, { errors: ['Bad part', 'the part number must be 1 to 10000 and the part at most 10 MiB'] });
      return jsonReply(500, { errors: ['Internal server error', 'S3 did not store the part; send it again'] });
    }
    return jsonReply(200, { name, upload_id: uploadId, part: Number(part), project_id: projectId, drive_name: drive });
  };

  const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [String(error)] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `localhost:${port}`,
    invocations,
    edgeRequests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await shutdown();
    },
  };
}

type Invoke = (payload: string) => Promise<DataFunctionResult>;

function inProcessFunction(options: CloudPathOptions): { invoke: Invoke; shutdown: () => Promise<void> } {
  const { servers, projectKey } = options;
  const fn = createDataFunction({
    handler: createDataHandler({
      base: new DynamoDbBaseStore({ client: servers.dynamodb, tableName: servers.tableName }),
      drive: new S3DriveStore({ client: servers.s3, bucketName: servers.bucketName }),
      projectKey,
    }),
    projectKey,
  });
  return { invoke: (payload) => fn(JSON.parse(payload) as DataFunctionEvent), shutdown: async () => undefined };
}

/** The deployed bundle (the construct's own esbuild step) in an emulated Lambda execution environment. */
async function emulatedFunction(options: CloudPathOptions): Promise<{ invoke: Invoke; shutdown: () => Promise<void> }> {
  const { servers, projectKey } = options;
  const taskRoot = mkdtempSync(join(tmpdir(), 'spaceport-data-function-'));
  bundleHandler('data-function', join(taskRoot, 'index.js'));
  cpSync(join(__dirname, 'fixtures', 'node-runtime'), taskRoot, { recursive: true });
  const env = new ExecutionEnvironment({
    functionName: 'spaceport-data',
    taskRoot,
    runtime: 'provided.al2023',
    handler: 'index.handler',
    memoryMb: 512,
    log: () => undefined,
    // What the Lambda runtime provides: a region and the function role's credentials (here the local servers').
    region: 'us-east-1',
    credentials: async () => ({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }),
    environment: {
      [DATA_FUNCTION_ENV.table]: servers.tableName,
      [DATA_FUNCTION_ENV.bucket]: servers.bucketName,
      [DATA_FUNCTION_ENV.projectKey]: projectKey,
      SPACEPORT_TEST_NODE: process.execPath,
      // The AWS SDK, which Lambda's Node.js runtimes provide.
      NODE_PATH: join(__dirname, '..', '..', 'node_modules'),
      AWS_ENDPOINT_URL_DYNAMODB: servers.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: servers.s3Endpoint,
    },
  });
  return {
    invoke: async (payload) => {
      const result = await env.invoke(payload);
      if (result.outcome !== 'success') throw new Error(`the data function failed (${result.outcome}): ${result.payload.toString()}`);
      return JSON.parse(result.payload.toString()) as DataFunctionResult;
    },
    shutdown: () => env.shutdown(),
  };
}

/** The event an HTTP API `ANY /v1/{proxy+}` route sends (payload 2.0): cookies split out, binary bodies base64. */
function httpApiEvent(method: string, rawPath: string, rawQueryString: string, headers: Record<string, string>, body: Buffer): DataFunctionEvent {
  const { cookie, ...rest } = headers;
  const text = isTextBody(headers['content-type'], headers['content-encoding']);
  return {
    rawPath,
    rawQueryString,
    ...(cookie ? { cookies: cookie.split(';').map((part) => part.trim()) } : {}),
    headers: rest,
    requestContext: { http: { method } },
    ...(body.length > 0 ? { body: body.toString(text ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

function notFoundEvent(): DataFunctionEvent {
  return { rawPath: NOT_FOUND_PATH, rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET' } }, isBase64Encoded: false };
}

interface ViewerRequest {
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}

type ViewerResult = ViewerRequest | { statusCode: number; body: { data: string } };

/** The CloudFront Function, compiled once, run per request as CloudFront runs it. */
function edgeFunction(projectKey: string): (request: ViewerRequest) => ViewerResult {
  const code = edgeFunctionCode({ projectKey, projectId: projectIdOf(projectKey) });
  return (request) => {
    const sandbox = { require: () => ({ createHash }), event: { request }, result: undefined as unknown };
    runInNewContext(`${code}\nresult = handler(event);`, sandbox);
    return sandbox.result as ViewerResult;
  };
}

/** CloudFront Functions see query values as sent (still encoded), one object per name. */
function viewerQuery(query: string): Record<string, { value: string }> {
  const result: Record<string, { value: string }> = {};
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    result[eq < 0 ? pair : pair.slice(0, eq)] = { value: eq < 0 ? '' : pair.slice(eq + 1) };
  }
  return result;
}

function viewerHeaders(headers: Record<string, string>): Record<string, { value: string }> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { value }]));
}

/** A CloudFront path pattern: `*` matches any run of characters, `/` included. */
function matches(pattern: string, path: string): boolean {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(path);
}

function jsonReply(status: number, body: unknown): { status: number; headers: Record<string, string>; body: Buffer } {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The Runtime Interface Emulator's invoke endpoint in front of one execution environment:
 * `POST /2015-03-31/functions/function/invocations`, raw event in, raw result out, `X-Amz-Function-Error` on
 * errors, so curl, `aws lambda invoke --endpoint-url` and the AWS SDKs can drive a local function.
 * Like the RIE, a second concurrent invocation is refused (here with 429 TooManyRequestsException, as Lambda
 * answers when no concurrency is left). `X-Amz-Invocation-Type` is honoured as by the Invoke API: `Event` answers
 * 202 at once and runs the event after whatever is running (queued, one at a time), `DryRun` answers 204 and runs
 * nothing; `X-Amz-Log-Type: Tail` returns the last 4 KB of the invocation's log, base64, in `X-Amz-Log-Result`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionEnvironment, InvokeOptions } from './execution-environment';
import { MAX_INVOKE_REQUEST_BYTES } from '../../core/limits';
import { readRequestBody } from '../request-body';
import { InvokeRequestTooLargeError } from './invoke-request';

export const INVOKE_PATH = /^\/2015-03-31\/functions\/[^/]+\/invocations$/;

export interface InvokeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'];

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function errorBody(type: string, message: string): string {
  return JSON.stringify({ Type: 'User', message, __type: type });
}

/** Largest client context the Invoke API takes, base64-encoded. */
export const MAX_CLIENT_CONTEXT_BYTES = 3583;

/**
 * The Invoke API's `X-Amz-Client-Context` (base64 JSON) as the runtime gets it in `Lambda-Runtime-Client-Context`:
 * decoded. An Error says why the Invoke API would refuse it.
 */
export function decodeClientContext(header: string | string[] | undefined): string | undefined | Error {
  if (header === undefined) return undefined;
  const encoded = Array.isArray(header) ? header.join(',') : header;
  if (encoded.length > MAX_CLIENT_CONTEXT_BYTES) {
    return new Error(`Client context must be at most ${MAX_CLIENT_CONTEXT_BYTES} bytes of base64, got ${encoded.length}`);
  }
  const refusal = new Error('Client context must be a valid Base64-encoded JSON object.');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return refusal;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    return refusal;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return refusal;
  // A header value is one line of Latin-1: re-serialize and escape anything else, keeping the same JSON.
  if (/^[\x20-\x7e]*$/.test(decoded)) return decoded;
  return JSON.stringify(parsed).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function startInvokeServer(environment: ExecutionEnvironment, port = 0): Promise<InvokeServer> {
  // Asynchronous invocations, one after the other, each once the environment is free.
  let queued: Promise<void> = Promise.resolve();
  let closed = false;
  const runQueued = async (event: Buffer, options: InvokeOptions): Promise<void> => {
    for (;;) {
      if (closed || environment.state === 'shut down') return;
      if (environment.state !== 'busy') {
        await environment.invoke(event, options).catch(() => undefined);
        return;
      }
      // A synchronous invocation holds the environment: try again once it can have finished a little more.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || !INVOKE_PATH.test(path)) {
      req.resume();
      return send(res, 404, errorBody('ResourceNotFoundException', `No route for ${req.method} ${path}`));
    }
    // An oversized event is counted, not buffered: Lambda refuses it whatever it holds.
    readRequestBody(req, MAX_INVOKE_REQUEST_BYTES, { readToEnd: true }).then(
      (read) => {
        if (read.kind === 'too-large') {
          const refusal = new InvokeRequestTooLargeError(read.bytes);
          return send(res, refusal.statusCode, errorBody(refusal.errorType, refusal.message));
        }
        invokeAs(req, res, read.body);
      },
      () => req.socket.destroy(),
    );
  });

  /** One call of the Invoke API, its event read: by its invocation type, with its client context and trace id. */
  const invokeAs = (req: http.IncomingMessage, res: http.ServerResponse, event: Buffer): void => {
    const invocationType = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!INVOCATION_TYPES.includes(invocationType)) {
      const message = `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`;
      return send(res, 400, errorBody('ValidationException', message));
    }
    const clientContext = decodeClientContext(req.headers['x-amz-client-context']);
    if (clientContext instanceof Error) return send(res, 400, errorBody('InvalidRequestContentException', clientContext.message));
    if (invocationType === 'DryRun') return send(res, 204, '');
    const traceId = header(req, 'x-amzn-trace-id');
    const options: InvokeOptions = { clientContext, traceId: traceId && /(^|;)Root=/.test(traceId) ? traceId : undefined };
    if (invocationType === 'Event') {
      const requestId = randomUUID();
      queued = queued.then(() => runQueued(event, { ...options, requestId }));
      return send(res, 202, '', { 'X-Amzn-RequestId': requestId });
    }
    if (environment.state === 'busy') {
      return send(res, 429, errorBody('TooManyRequestsException', 'Rate Exceeded: the function is already processing an invocation'));
    }
    environment.invoke(event, { ...options, tailLog: header(req, 'x-amz-log-type') === 'Tail' }).then(
      (result) => {
        const headers: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST', 'X-Amzn-RequestId': result.requestId };
        if (result.contentType) headers['Content-Type'] = result.contentType;
        if (result.outcome !== 'success') headers['X-Amz-Function-Error'] = 'Unhandled';
        if (result.logTail !== undefined) headers['X-Amz-Log-Result'] = Buffer.from(result.logTail).toString('base64');
        send(res, 200, result.payload, headers);
      },
      (err: Error) => send(res, 500, errorBody('ServiceException', err.message)),
    );
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

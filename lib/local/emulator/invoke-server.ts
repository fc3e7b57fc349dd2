/**
 * The Runtime Interface Emulator's invoke endpoint in front of one execution environment:
 * `POST /2015-03-31/functions/function/invocations`, raw event in, raw result out, `X-Amz-Function-Error` on
 * errors, so curl, `aws lambda invoke --endpoint-url` and the AWS SDKs can drive a local function.
 * Like the RIE, a second concurrent invocation is refused (here with 429 TooManyRequestsException, as Lambda
 * answers when no concurrency is left).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionEnvironment } from './execution-environment';
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

function errorBody(type: string, message: string): string {
  return JSON.stringify({ Type: 'User', message, __type: type });
}

export async function startInvokeServer(environment: ExecutionEnvironment, port = 0): Promise<InvokeServer> {
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
        if (environment.state === 'busy') {
          return send(res, 429, errorBody('TooManyRequestsException', 'Rate Exceeded: the function is already processing an invocation'));
        }
        const clientContext = req.headers['x-amz-client-context'];
        environment.invoke(read.body, { clientContext: typeof clientContext === 'string' ? clientContext : undefined }).then(
          (result) => {
            const headers: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST', 'X-Amzn-RequestId': result.requestId };
            if (result.outcome !== 'success') headers['X-Amz-Function-Error'] = 'Unhandled';
            send(res, 200, result.payload, headers);
          },
          (err: Error) => send(res, 500, errorBody('ServiceException', err.message)),
        );
      },
      () => req.socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The Lambda Runtime API client (`/2018-06-01`): one kept-alive connection, `next` blocking without a timeout
 * as the contract requires.
 */
import { Connection, Disconnected, type Response } from './http11';
import { log } from './log';

export interface Invocation {
  readonly requestId: string;
  /** Epoch milliseconds after which the platform stops the invocation. */
  readonly deadlineMs: number;
  readonly functionArn: string;
  readonly traceId: string;
  readonly event: Buffer;
}

export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** Lower-cased header name to value, for the few headers the Runtime API sends. */
function headerValues(headers: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < headers.length; i += 2) values.set(headers[i].toLowerCase(), headers[i + 1]);
  return values;
}

export class RuntimeApi {
  private readonly connection: Connection;
  /** The Host header of every request, built once. */
  private readonly host: readonly string[];

  constructor(address: string) {
    const colon = address.lastIndexOf(':');
    this.connection = new Connection(address.slice(0, colon), Number(address.slice(colon + 1)));
    this.host = ['host', address];
  }

  async next(): Promise<Invocation> {
    const reply = await this.call('GET', '/2018-06-01/runtime/invocation/next', this.host);
    if (reply.status !== 200) {
      throw new Error(`the Runtime API answered ${reply.status} to next: ${reply.body.toString('utf8').slice(0, 200)}`);
    }
    const headers = headerValues(reply.headers);
    return {
      requestId: headers.get('lambda-runtime-aws-request-id') ?? '',
      deadlineMs: Number(headers.get('lambda-runtime-deadline-ms') ?? 0),
      functionArn: headers.get('lambda-runtime-invoked-function-arn') ?? '',
      traceId: headers.get('lambda-runtime-trace-id') ?? '',
      event: reply.body,
    };
  }

  async respond(requestId: string, result: unknown): Promise<void> {
    await this.post(`/2018-06-01/runtime/invocation/${requestId}/response`, JSON.stringify(result));
  }

  async fail(requestId: string, error: FunctionError): Promise<void> {
    await this.postError(`/2018-06-01/runtime/invocation/${requestId}/error`, error);
  }

  async initError(error: FunctionError): Promise<void> {
    await this.postError('/2018-06-01/runtime/init/error', error);
  }

  private postError(path: string, error: FunctionError): Promise<void> {
    return this.post(path, JSON.stringify({ ...error, stackTrace: [] }), ['lambda-runtime-function-error-type', error.errorType]);
  }

  private async post(path: string, body: string, headers: readonly string[] = []): Promise<void> {
    const sent = [...this.host, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), ...headers];
    const reply = await this.call('POST', path, sent, body);
    if (reply.status !== 202) {
      // Nothing more can be done for this invocation (e.g. a result over 6 MB): say so in the function's logs.
      log(`the Runtime API refused ${path} (${reply.status}): ${reply.body.toString('utf8').slice(0, 300)}`);
    }
  }

  /** One exchange; a kept-alive connection the Runtime API closed meanwhile is replaced once. */
  private async call(method: string, path: string, headers: readonly string[], body?: string): Promise<Response> {
    try {
      return await this.connection.exchange(method, path, headers, body);
    } catch (error) {
      if (!(error instanceof Disconnected && error.reused)) throw error;
      return this.connection.exchange(method, path, headers, body);
    }
  }
}

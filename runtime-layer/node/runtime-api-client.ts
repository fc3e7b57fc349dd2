/**
 * The Lambda Runtime API client (`/2018-06-01`): one keep-alive connection, `next` blocking without a timeout
 * as the contract requires.
 */
import { ApiClient } from './api-client';
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

export class RuntimeApi {
  private readonly client: ApiClient;

  constructor(address: string) {
    this.client = new ApiClient(address);
  }

  async next(): Promise<Invocation> {
    const reply = await this.client.call('GET', '/2018-06-01/runtime/invocation/next');
    if (reply.status !== 200) {
      throw new Error(`the Runtime API answered ${reply.status} to next: ${reply.body.toString('utf8').slice(0, 200)}`);
    }
    const header = (name: string): string => String(reply.headers[name] ?? '');
    return {
      requestId: header('lambda-runtime-aws-request-id'),
      deadlineMs: Number(header('lambda-runtime-deadline-ms')),
      functionArn: header('lambda-runtime-invoked-function-arn'),
      traceId: header('lambda-runtime-trace-id'),
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
    return this.post(path, JSON.stringify({ ...error, stackTrace: [] }), { 'lambda-runtime-function-error-type': error.errorType });
  }

  private async post(path: string, body: string, headers: Record<string, string> = {}): Promise<void> {
    const reply = await this.client.call('POST', path, { 'content-type': 'application/json', ...headers }, body);
    if (reply.status !== 202) {
      // Nothing more can be done for this invocation (e.g. a result over 6 MB): say so in the function's logs.
      log(`the Runtime API refused ${path} (${reply.status}): ${reply.body.toString('utf8').slice(0, 300)}`);
    }
  }
}

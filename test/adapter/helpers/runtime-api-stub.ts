/**
 * A minimal Lambda Runtime API (next / response / error / init error) for adapter tests that need to see what the
 * adapter does with a bare Runtime API, independent of the local emulator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export type Outcome =
  | { readonly kind: 'response'; readonly payload: unknown }
  | { readonly kind: 'error'; readonly errorType: string; readonly errorMessage: string }
  | { readonly kind: 'init-error'; readonly errorType: string; readonly errorMessage: string };

export class RuntimeApiStub {
  private readonly server = http.createServer((req, res) => this.route(req, res));
  private readonly queue: Array<{ id: string; event: Buffer; deadlineMs: number }> = [];
  private waiting?: http.ServerResponse;
  private readonly pending = new Map<string, (outcome: Outcome) => void>();
  private initError?: Outcome;
  private initWaiters: Array<(outcome: Outcome) => void> = [];
  /** Times `next` was called. */
  nextCalls = 0;

  async listen(): Promise<string> {
    this.server.keepAliveTimeout = 0;
    this.server.requestTimeout = 0;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  invoke(event: unknown, timeoutMs = 20_000): Promise<Outcome> {
    if (this.initError) return Promise.resolve(this.initError);
    const id = randomUUID();
    const outcome = new Promise<Outcome>((resolve) => {
      this.pending.set(id, resolve);
      this.initWaiters.push(resolve);
    });
    this.queue.push({ id, event: Buffer.from(typeof event === 'string' ? event : JSON.stringify(event)), deadlineMs: Date.now() + timeoutMs });
    this.deliver();
    return outcome;
  }

  /** Resolves with the init error once the adapter reports one. */
  initErrorReported(): Promise<Outcome> {
    if (this.initError) return Promise.resolve(this.initError);
    return new Promise((resolve) => this.initWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private deliver(): void {
    if (!this.waiting || this.queue.length === 0) return;
    const { id, event, deadlineMs } = this.queue.shift()!;
    const res = this.waiting;
    this.waiting = undefined;
    res.writeHead(200, {
      'lambda-runtime-aws-request-id': id,
      'lambda-runtime-deadline-ms': String(deadlineMs),
      'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:test',
      'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000',
      'content-type': 'application/json',
    });
    res.end(event);
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path === '/2018-06-01/runtime/invocation/next') {
        this.nextCalls += 1;
        this.waiting = res;
        return this.deliver();
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
      if (path === '/2018-06-01/runtime/init/error') {
        this.initError = { kind: 'init-error', errorType: body.errorType, errorMessage: body.errorMessage };
        for (const waiter of this.initWaiters.splice(0)) waiter(this.initError);
        return;
      }
      const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
      const settle = match && this.pending.get(match[1]);
      if (!match || !settle) return;
      this.pending.delete(match[1]);
      settle(match[2] === 'response' ? { kind: 'response', payload: body } : { kind: 'error', errorType: body.errorType, errorMessage: body.errorMessage });
    });
  }
}

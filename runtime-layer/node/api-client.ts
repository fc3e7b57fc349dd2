/**
 * One kept-alive HTTP connection to a Lambda API at `AWS_LAMBDA_RUNTIME_API` (the Runtime API or the Extensions
 * API), without timeouts: their `next` calls block until the platform has an event, as the contract requires.
 */
import { Agent, request } from 'node:http';

export interface ApiReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export class ApiClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly host: string;
  private readonly port: number;

  /** `address` is `host:port`, as in `AWS_LAMBDA_RUNTIME_API`. */
  constructor(address: string) {
    const colon = address.lastIndexOf(':');
    this.host = address.slice(0, colon);
    this.port = Number(address.slice(colon + 1));
  }

  call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<ApiReply> {
    return new Promise((resolvePromise, reject) => {
      const req = request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * Sends a request to the app over a kept-alive loopback connection and buffers its response, up to the body
 * limit. A request that fails on a reused connection (the app closed it while idle, or the environment was
 * frozen past its idle timeout) is retried once on a fresh one: nothing was answered on it.
 */
import { Agent, request, type ClientRequest } from 'node:http';
import type { AppRequest } from './events';
import { headerMap, type AppResponse } from './results';
import { BODY_LIMIT_BYTES } from '../../lib/core/limits';

/** Below Node's and most servers' 5 s keep-alive timeout, so the adapter closes idle connections first. */
const IDLE_TIMEOUT_MS = 4000;

/** The app could not be reached or hung up without answering. */
export class AppUnavailable extends Error {
  constructor(readonly refused: boolean) {
    super(refused ? 'the app refused the connection' : 'the app closed the connection before answering');
  }
}

/** The app's response body is over the limit. */
export class ResponseTooLarge extends Error {
  constructor() {
    super(`the app's response body is over the limit of ${BODY_LIMIT_BYTES} bytes (5.5 MB)`);
  }
}

/** Gave up waiting for the app (only for scheduled actions, see `send`'s `timeoutMs`). */
export class AppTimedOut extends Error {}

export class AppClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1, timeout: IDLE_TIMEOUT_MS });

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  async send(appRequest: AppRequest, timeoutMs?: number): Promise<AppResponse> {
    try {
      return await this.attempt(appRequest, timeoutMs);
    } catch (error) {
      if (!(error instanceof RetryableFailure)) throw error;
    }
    try {
      return await this.attempt(appRequest, timeoutMs);
    } catch (error) {
      // The app is gone (it crashed on this request): report what happened to the request, not to the retry.
      throw error instanceof AppUnavailable ? new AppUnavailable(false) : error;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private attempt(appRequest: AppRequest, timeoutMs: number | undefined): Promise<AppResponse> {
    return new Promise((resolve, reject) => {
      const headers = appRequest.headers.slice();
      if (appRequest.body.length > 0 || appRequest.method !== 'GET') headers.push('content-length', String(appRequest.body.length));
      let req: ClientRequest;
      try {
        req = request({ host: this.host, port: this.port, method: appRequest.method, path: appRequest.target, headers, agent: this.agent });
      } catch {
        // Node validates the method, path and header values before sending anything.
        return reject(new InvalidRequest());
      }
      // Set before the adapter itself aborts the exchange: Node then reports a generic reset instead.
      let abortReason: Error | undefined;
      let settled = false;
      const abort = (reason: Error): void => {
        abortReason ??= reason;
        req.destroy();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => abort(new AppTimedOut()), Math.max(0, timeoutMs));
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (abortReason !== undefined) return reject(abortReason);
        const code = (error as NodeJS.ErrnoException).code;
        if (req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) return reject(new RetryableFailure());
        reject(new AppUnavailable(code === 'ECONNREFUSED'));
      };
      req.on('error', fail);
      req.on('close', () => fail(new Error('closed')));
      req.on('response', (res) => {
        if (Number(res.headers['content-length']) > BODY_LIMIT_BYTES) return abort(new ResponseTooLarge());
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > BODY_LIMIT_BYTES) abort(new ResponseTooLarge());
          else chunks.push(chunk);
        });
        res.on('end', () => {
          // Destroying a request whose response is already buffered still ends it: the abort decides.
          if (abortReason !== undefined) return fail(abortReason);
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 502,
            reason: res.statusMessage ?? '',
            headers: headerMap(res.rawHeaders),
            body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size),
          });
        });
        res.on('error', fail);
        res.on('close', () => fail(new Error('closed')));
      });
      req.end(appRequest.body);
    });
  }
}

/** A request HTTP/1.1 cannot carry (control characters in a header or the method, from the event). */
export class InvalidRequest extends Error {
  constructor() {
    super('a header or the method holds characters HTTP/1.1 cannot carry');
  }
}

class RetryableFailure extends Error {}

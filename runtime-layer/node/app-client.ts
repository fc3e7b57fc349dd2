/**
 * Sends a request to the app over a kept-alive loopback connection and buffers its response, up to the body
 * limit. A request that fails on a reused connection (the app closed it while idle, or the environment was
 * frozen past its idle timeout) is retried once on a fresh one: nothing was answered on it.
 */
import { BodyTooLarge, Connection, Disconnected, InvalidHead, TimedOut, type Response } from './http11';
import type { AppRequest } from './events';
import { headerMap, type AppResponse } from './results';
import { BODY_LIMIT_BYTES } from '../../lib/core/limits';

/** Below Node's and most servers' 5 s keep-alive timeout, so the adapter drops idle connections first. */
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

/** A request HTTP/1.1 cannot carry (control characters in a header or the method, from the event). */
export class InvalidRequest extends Error {
  constructor() {
    super('a header or the method holds characters HTTP/1.1 cannot carry');
  }
}

export class AppClient {
  private readonly connection: Connection;
  private lastUsedMs = 0;

  constructor(host: string, port: number) {
    this.connection = new Connection(host, port);
  }

  async send(appRequest: AppRequest, timeoutMs?: number): Promise<AppResponse> {
    if (this.connection.connected && Date.now() - this.lastUsedMs > IDLE_TIMEOUT_MS) this.connection.close();
    const { method, target, body } = appRequest;
    const headers = body.length > 0 || method !== 'GET' ? [...appRequest.headers, 'content-length', String(body.length)] : appRequest.headers;
    const options = { timeoutMs, limit: BODY_LIMIT_BYTES };
    let response: Response;
    try {
      response = await this.connection.exchange(method, target, headers, body, options);
    } catch (error) {
      if (!(error instanceof Disconnected && error.reused)) throw translate(error);
      try {
        response = await this.connection.exchange(method, target, headers, body, options);
      } catch (retryError) {
        // The app is gone (it crashed on this request): report what happened to the request, not to the retry.
        throw retryError instanceof Disconnected ? new AppUnavailable(false) : translate(retryError);
      }
    }
    this.lastUsedMs = Date.now();
    return { status: response.status, reason: response.reason, headers: headerMap(response.headers), body: response.body };
  }

  close(): void {
    this.connection.close();
  }
}

/** The client's errors as the adapter reports them. */
function translate(error: unknown): unknown {
  if (error instanceof Disconnected) return new AppUnavailable(error.refused);
  if (error instanceof BodyTooLarge) return new ResponseTooLarge();
  if (error instanceof TimedOut) return new AppTimedOut();
  if (error instanceof InvalidHead) return new InvalidRequest();
  return error;
}

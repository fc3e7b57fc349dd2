/**
 * The Lambda Runtime API and Extensions API for ONE execution environment, served on 127.0.0.1.
 *
 * Status codes and error shapes follow the AWS Lambda developer guide and the Runtime Interface Emulator
 * (aws/aws-lambda-runtime-interface-emulator, `internal/lambda/rapi`). Deliberate differences from the RIE:
 * - a streamed response is buffered (and limited to 6 MB, as for the buffered callers in the cloud), and an HTTP-integration stream (JSON prelude + 8 NUL bytes + body) is decoded
 *   into a payload 2.0 style result, because the local caller is a router that wants one result;
 * - a second `/next` while an event is being processed is refused like the RIE, but a repeated `/next` while idle
 *   replaces the earlier one (a client that reconnected), instead of hanging both.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { MAX_RESPONSE_BYTES } from '../../core/limits';
import { readRequestBody } from '../request-body';

/** Content type of a streamed HTTP-integration response (prelude, 8 NUL bytes, body). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

const RUNTIME_PREFIX = '/2018-06-01/runtime';
const EXTENSION_PREFIX = '/2020-01-01/extension';
const PRELUDE_SEPARATOR = Buffer.alloc(8);

/** One event handed to the runtime by `/runtime/invocation/next`. */
export interface Invocation {
  readonly requestId: string;
  readonly payload: Buffer;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId: string;
  readonly clientContext?: string;
  readonly cognitoIdentity?: string;
}

/** What the runtime answered for an invocation. */
export type RuntimeReply =
  | { readonly kind: 'response'; readonly payload: Buffer; readonly contentType?: string }
  | { readonly kind: 'error'; readonly errorType: string; readonly payload: Buffer; readonly contentType?: string };

/** How the INIT phase ended, as far as the Runtime API can tell. */
export type InitOutcome = { readonly kind: 'ready' } | { readonly kind: 'init-error'; readonly errorType: string; readonly payload: Buffer };

export type ShutdownReason = 'spindown' | 'timeout' | 'failure';

export interface RuntimeApiOptions {
  readonly functionName: string;
  readonly functionVersion?: string;
  readonly handler?: string;
  /** Names of external extensions (executables in the layer's `extensions/`): only they may subscribe to SHUTDOWN. */
  readonly externalExtensionNames?: readonly string[];
}

/** `responded`: the runtime answered the current event and has not asked for the next one yet. */
type RuntimeState = 'init' | 'idle' | 'invoking' | 'responded' | 'init-failed';

interface Extension {
  readonly id: string;
  readonly name: string;
  readonly external: boolean;
  readonly events: ReadonlySet<string>;
  waiting?: http.ServerResponse;
  queued: object[];
}

interface PendingInvocation {
  readonly invocation: Invocation;
  readonly resolve: (reply: RuntimeReply) => void;
}

const STATE_NAMES: Record<RuntimeState, string> = {
  init: 'RuntimeInitStarted',
  idle: 'RuntimeReady',
  invoking: 'RuntimeInvocationResponse',
  responded: 'RuntimeResponseSent',
  'init-failed': 'RuntimeInitError',
};

export class RuntimeApi {
  private readonly server = http.createServer((req, res) => this.route(req, res));
  private readonly options: RuntimeApiOptions;
  private state: RuntimeState = 'init';
  private waitingNext?: http.ServerResponse;
  private pending?: PendingInvocation;
  private current?: PendingInvocation;
  private extensions = new Map<string, Extension>();
  private registrationWaiters = new Map<string, Array<() => void>>();
  private runtimeWaiters: Array<() => void> = [];
  private initWaiter?: (outcome: InitOutcome) => void;
  private initOutcome?: InitOutcome;
  private exitErrors: { name: string; errorType: string }[] = [];
  private hostPort = '';

  constructor(options: RuntimeApiOptions) {
    this.options = options;
    // `/next` blocks for as long as the environment is idle: no server-side timeouts.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 0;
  }

  /** Starts listening on 127.0.0.1 and an ephemeral port; resolves to `host:port` for `AWS_LAMBDA_RUNTIME_API`. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      // close() before the port is bound cancels the listen without a callback: fail instead of hanging.
      this.server.once('close', () => reject(new Error('the Runtime API was closed before it could listen')));
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.hostPort = `127.0.0.1:${port}`;
    return this.hostPort;
  }

  get address(): string {
    return this.hostPort;
  }

  /** True when an external extension registered (Lambda's shutdown phase then lasts 2000 ms instead of 500 ms). */
  get hasExternalExtensions(): boolean {
    return [...this.extensions.values()].some((e) => e.external);
  }

  /** True when any extension registered: without one, Lambda's shutdown phase lasts 0 ms (SIGKILL, no SIGTERM). */
  get hasExtensions(): boolean {
    return this.extensions.size > 0;
  }

  /** Resolves once an extension named `name` has registered in the current INIT (Lambda starts the runtime after that). */
  whenRegistered(name: string): Promise<void> {
    if ([...this.extensions.values()].some((e) => e.name === name)) return Promise.resolve();
    return new Promise((resolve) => this.registrationWaiters.set(name, [...(this.registrationWaiters.get(name) ?? []), resolve]));
  }

  /**
   * Forgets everything about the previous runtime process (after a crash, timeout or reset) and starts a new INIT
   * phase. Requests still open from the old processes are cut.
   */
  reset(): void {
    this.waitingNext?.socket?.destroy();
    for (const ext of this.extensions.values()) ext.waiting?.socket?.destroy();
    this.waitingNext = undefined;
    this.pending = undefined;
    this.current = undefined;
    this.extensions = new Map();
    this.registrationWaiters = new Map();
    this.initOutcome = undefined;
    this.initWaiter = undefined;
    this.state = 'init';
  }

  /** Resolves when the runtime first asks for an event (and every registered extension is waiting) or reports an init error. */
  initDone(): Promise<InitOutcome> {
    if (this.initOutcome) return Promise.resolve(this.initOutcome);
    return new Promise((resolve) => {
      this.initWaiter = resolve;
    });
  }

  /**
   * Resolves once the runtime is blocked on `/next` with no event queued, so an `invoke` made then is handed over at
   * once: a caller timing only the runtime's work on an event (not its way back to `/next`) starts the clock here.
   * Survives `reset`: it then waits for the new runtime process.
   */
  whenRuntimeWaiting(): Promise<void> {
    if (this.waitingNext && !this.pending) return Promise.resolve();
    return new Promise((resolve) => this.runtimeWaiters.push(resolve));
  }

  /** Hands an event to the runtime; resolves with its response or error. One at a time. */
  invoke(invocation: Invocation): Promise<RuntimeReply> {
    if (this.pending || this.current) {
      return Promise.reject(new Error('the Runtime API is already processing an invocation'));
    }
    return new Promise((resolve) => {
      this.pending = { invocation, resolve };
      for (const ext of this.extensions.values()) {
        if (ext.events.has('INVOKE')) {
          this.sendExtensionEvent(ext, {
            eventType: 'INVOKE',
            deadlineMs: invocation.deadlineMs,
            requestId: invocation.requestId,
            invokedFunctionArn: invocation.invokedFunctionArn,
            tracing: { type: 'X-Amzn-Trace-Id', value: invocation.traceId },
          });
        }
      }
      this.deliverPending();
    });
  }

  /** Sends SHUTDOWN to the extensions that subscribed to it; returns the names of those that did not. */
  shutdownExtensions(reason: ShutdownReason, deadlineMs: number): string[] {
    const unsubscribed: string[] = [];
    for (const ext of this.extensions.values()) {
      if (ext.events.has('SHUTDOWN')) this.sendExtensionEvent(ext, { eventType: 'SHUTDOWN', shutdownReason: reason, deadlineMs });
      else unsubscribed.push(ext.name);
    }
    return unsubscribed;
  }

  /** The `/extension/exit/error` reports since the last call. */
  takeExitErrors(): { readonly name: string; readonly errorType: string }[] {
    return this.exitErrors.splice(0);
  }

  async close(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    const method = req.method ?? 'GET';
    if (path.startsWith(RUNTIME_PREFIX)) {
      const rest = path.slice(RUNTIME_PREFIX.length);
      if (rest === '/invocation/next') return this.expect(method, 'GET', req, res, () => this.next(res));
      if (rest === '/init/error') return this.expect(method, 'POST', req, res, () => this.initError(req, res));
      const match = /^\/invocation\/([^/]+)\/(response|error)$/.exec(rest);
      if (match) {
        const requestId = decodeURIComponent(match[1]);
        return this.expect(method, 'POST', req, res, () =>
          match[2] === 'response' ? this.response(requestId, req, res) : this.error(requestId, req, res),
        );
      }
    } else if (path === `${EXTENSION_PREFIX}/register`) {
      return this.expect(method, 'POST', req, res, () => this.register(req, res));
    } else if (path === `${EXTENSION_PREFIX}/event/next`) {
      return this.expect(method, 'GET', req, res, () => this.extensionNext(req, res));
    } else if (path === `${EXTENSION_PREFIX}/init/error` || path === `${EXTENSION_PREFIX}/exit/error`) {
      const phase = path.endsWith('/init/error') ? 'init' : 'exit';
      return this.expect(method, 'POST', req, res, () => this.extensionError(phase, req, res));
    }
    req.resume();
    sendJson(res, 404, { errorMessage: `Unknown path ${path}`, errorType: 'NotFound' });
  }

  private expect(actual: string, wanted: string, req: http.IncomingMessage, res: http.ServerResponse, handle: () => void): void {
    if (actual === wanted) return handle();
    req.resume();
    res.setHeader('Allow', wanted);
    sendJson(res, 405, { errorMessage: `Method ${actual} not allowed, use ${wanted}`, errorType: 'MethodNotAllowed' });
  }

  private next(res: http.ServerResponse): void {
    if (this.state === 'invoking' || this.state === 'init-failed') {
      return this.forbiddenTransition(res, 'RuntimeReady');
    }
    if (this.state === 'init' || this.state === 'responded') this.state = 'idle';
    this.waitingNext?.socket?.destroy();
    this.waitingNext = res;
    res.on('close', () => {
      if (this.waitingNext === res) this.waitingNext = undefined;
    });
    this.settleInitIfReady();
    this.deliverPending();
    if (this.waitingNext === res) for (const resolve of this.runtimeWaiters.splice(0)) resolve();
  }

  private deliverPending(): void {
    const pending = this.pending;
    const res = this.waitingNext;
    if (!pending || !res || this.state !== 'idle') return;
    this.pending = undefined;
    this.waitingNext = undefined;
    this.current = pending;
    this.state = 'invoking';
    const inv = pending.invocation;
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': inv.payload.length,
      'Lambda-Runtime-Aws-Request-Id': inv.requestId,
      'Lambda-Runtime-Deadline-Ms': inv.deadlineMs,
      'Lambda-Runtime-Invoked-Function-Arn': inv.invokedFunctionArn,
      'Lambda-Runtime-Trace-Id': inv.traceId,
    };
    if (inv.clientContext !== undefined) headers['Lambda-Runtime-Client-Context'] = inv.clientContext;
    if (inv.cognitoIdentity !== undefined) headers['Lambda-Runtime-Cognito-Identity'] = inv.cognitoIdentity;
    res.writeHead(200, headers);
    res.end(inv.payload);
  }

  private response(requestId: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.checkInvocationId(requestId, 'RuntimeInvocationResponse', req, res)) return;
    const mode = req.headers['lambda-runtime-function-response-mode'];
    if (mode !== undefined && mode !== 'streaming') {
      req.resume();
      this.finishInvocation({ kind: 'error', errorType: 'Runtime.InvalidResponseModeHeader', payload: Buffer.alloc(0) });
      return sendJson(res, 400, { errorMessage: 'Invalid function response mode', errorType: 'InvalidFunctionResponseMode' });
    }
    const streaming = mode === 'streaming';
    const limit = MAX_RESPONSE_BYTES;
    readLimited(req, limit, (body, size) => {
      if (body === undefined) {
        const errorMessage = `Response payload size (${size} bytes) exceeded maximum allowed payload size (${limit} bytes).`;
        this.finishInvocation({
          kind: 'error',
          errorType: 'Function.ResponseSizeTooLarge',
          payload: Buffer.from(JSON.stringify({ errorMessage, errorType: 'Function.ResponseSizeTooLarge' })),
        });
        return sendJson(res, 413, {
          errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`,
          errorType: 'RequestEntityTooLarge',
        });
      }
      this.finishInvocation(streaming ? decodeStream(req, body) : { kind: 'response', payload: body, contentType: req.headers['content-type'] });
      sendJson(res, 202, { status: 'OK' });
    });
  }

  private error(requestId: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.checkInvocationId(requestId, 'RuntimeInvocationErrorResponse', req, res)) return;
    readLimited(req, MAX_RESPONSE_BYTES, (body) => {
      this.finishInvocation({
        kind: 'error',
        errorType: errorTypeOf(req),
        payload: body ?? Buffer.alloc(0),
        contentType: req.headers['content-type'],
      });
      sendJson(res, 202, { status: 'OK' });
    });
  }

  private initError(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.state !== 'init') {
      req.resume();
      return this.forbiddenTransition(res, 'RuntimeInitError');
    }
    readLimited(req, MAX_RESPONSE_BYTES, (body) => {
      this.state = 'init-failed';
      this.settleInit({ kind: 'init-error', errorType: errorTypeOf(req), payload: body ?? Buffer.alloc(0) });
      sendJson(res, 202, { status: 'OK' });
    });
  }

  /**
   * Validates state, then request id, for `/response` and `/error` (the RIE's order): outside an invocation, a second
   * answer included, 403 InvalidStateTransition; another invocation's id, 400 InvalidRequestID. Answers the request
   * itself when invalid.
   */
  private checkInvocationId(requestId: string, target: string, req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (this.state !== 'invoking') {
      req.resume();
      this.forbiddenTransition(res, target);
      return false;
    }
    if (this.current?.invocation.requestId !== requestId) {
      req.resume();
      sendJson(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
      return false;
    }
    return true;
  }

  private finishInvocation(reply: RuntimeReply): void {
    const current = this.current;
    this.current = undefined;
    this.state = 'responded';
    current?.resolve(reply);
  }

  private forbiddenTransition(res: http.ServerResponse, target: string): void {
    sendJson(res, 403, {
      errorMessage: `State transition from ${STATE_NAMES[this.state]} to ${target} failed for runtime. Error: State transition is not allowed`,
      errorType: 'InvalidStateTransition',
    });
  }

  private register(req: http.IncomingMessage, res: http.ServerResponse): void {
    const name = req.headers['lambda-extension-name'];
    readLimited(req, 64 * 1024, (body) => {
      if (typeof name !== 'string' || name === '') {
        return sendJson(res, 403, { errorMessage: 'Empty extension name', errorType: 'Extension.InvalidExtensionName' });
      }
      if (this.state !== 'init') {
        return sendJson(res, 403, { errorMessage: 'Extension registration closed already', errorType: 'Extension.RegistrationClosed' });
      }
      let events: unknown;
      try {
        events = (JSON.parse((body ?? Buffer.alloc(0)).toString('utf8')) as { events?: unknown }).events ?? [];
      } catch (err) {
        return sendJson(res, 403, { errorMessage: (err as Error).message, errorType: 'InvalidRequestFormat' });
      }
      const external = this.options.externalExtensionNames?.includes(name) ?? false;
      const allowed = external ? ['INVOKE', 'SHUTDOWN'] : ['INVOKE'];
      const list = Array.isArray(events) ? events : [events];
      const invalid = list.find((e) => typeof e !== 'string' || !allowed.includes(e));
      if (invalid !== undefined) {
        return sendJson(res, 403, {
          errorMessage: `${String(invalid)}: event is not supported for ${external ? 'external' : 'internal'} extensions`,
          errorType: 'Extension.InvalidEventType',
        });
      }
      if ([...this.extensions.values()].some((e) => e.name === name)) {
        return sendJson(res, 403, { errorMessage: 'Extension with this name already registered', errorType: 'Extension.InvalidExtensionState' });
      }
      const ext: Extension = { id: randomUUID(), name, external, events: new Set(list as string[]), queued: [] };
      this.extensions.set(ext.id, ext);
      res.setHeader('Lambda-Extension-Identifier', ext.id);
      sendJson(res, 200, {
        functionName: this.options.functionName,
        functionVersion: this.options.functionVersion ?? '$LATEST',
        handler: this.options.handler ?? '',
      });
      for (const resolve of this.registrationWaiters.get(name) ?? []) resolve();
      this.registrationWaiters.delete(name);
    });
  }

  /** The extension a request names in `Lambda-Extension-Identifier`; otherwise answers 403 as the RIE does. */
  private identify(req: http.IncomingMessage, res: http.ServerResponse): Extension | undefined {
    const id = req.headers['lambda-extension-identifier'];
    if (typeof id !== 'string' || id === '') {
      req.resume();
      sendJson(res, 403, { errorMessage: 'Missing Lambda-Extension-Identifier header', errorType: 'Extension.MissingExtensionIdentifier' });
      return undefined;
    }
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      req.resume();
      sendJson(res, 403, { errorMessage: 'Invalid Lambda-Extension-Identifier', errorType: 'Extension.InvalidExtensionIdentifier' });
      return undefined;
    }
    const ext = this.extensions.get(id);
    if (!ext) {
      req.resume();
      sendJson(res, 403, { errorMessage: `Unknown extension ${id}`, errorType: 'Extension.UnknownExtensionIdentifier' });
    }
    return ext;
  }

  /**
   * `/extension/init/error` fails INIT with the extension's error type (the first invoke returns it);
   * `/extension/exit/error` is recorded for the environment to log. Both need `Lambda-Extension-Function-Error-Type`.
   */
  private extensionError(phase: 'init' | 'exit', req: http.IncomingMessage, res: http.ServerResponse): void {
    const ext = this.identify(req, res);
    if (!ext) return;
    const errorType = req.headers['lambda-extension-function-error-type'];
    if (typeof errorType !== 'string' || errorType === '') {
      req.resume();
      return sendJson(res, 403, { errorMessage: 'Lambda-Extension-Function-Error-Type not found', errorType: 'Extension.MissingHeader' });
    }
    if (phase === 'init' && this.state !== 'init') {
      req.resume();
      return sendJson(res, 403, {
        errorMessage: `State transition from Ready to InitError failed for extension ${ext.id}. Error: State transition is not allowed`,
        errorType: 'Extension.InvalidExtensionState',
      });
    }
    readLimited(req, MAX_RESPONSE_BYTES, () => {
      if (phase === 'exit') {
        this.exitErrors.push({ name: ext.name, errorType });
      } else {
        const errorMessage = `Extension ${ext.name} reported an initialization error: ${errorType}`;
        this.state = 'init-failed';
        this.settleInit({ kind: 'init-error', errorType, payload: Buffer.from(JSON.stringify({ errorMessage, errorType })) });
      }
      sendJson(res, 202, { status: 'OK' });
    });
  }

  private extensionNext(req: http.IncomingMessage, res: http.ServerResponse): void {
    const ext = this.identify(req, res);
    if (!ext) return;
    ext.waiting = res;
    res.on('close', () => {
      if (ext.waiting === res) ext.waiting = undefined;
    });
    const queued = ext.queued.shift();
    if (queued) this.sendExtensionEvent(ext, queued);
    this.settleInitIfReady();
  }

  private sendExtensionEvent(ext: Extension, event: object): void {
    const res = ext.waiting;
    if (!res) {
      ext.queued.push(event);
      return;
    }
    ext.waiting = undefined;
    res.setHeader('Lambda-Extension-Event-Identifier', randomUUID());
    sendJson(res, 200, event);
  }

  private settleInitIfReady(): void {
    if (this.state === 'init' || this.initOutcome) return;
    const extensionsReady = [...this.extensions.values()].every((e) => e.waiting !== undefined);
    if (extensionsReady) this.settleInit({ kind: 'ready' });
  }

  private settleInit(outcome: InitOutcome): void {
    if (this.initOutcome) return;
    this.initOutcome = outcome;
    this.initWaiter?.(outcome);
    this.initWaiter = undefined;
  }
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The error type Lambda records for a runtime's `/error` or `/init/error`: the header when it names a `Runtime.` or
 * `Function.` type (the RIE's `GetValidRuntimeOrFunctionErrorType`), else `Function.Unknown` / `Runtime.Unknown`.
 */
function errorTypeOf(req: http.IncomingMessage): string {
  const header = req.headers['lambda-runtime-function-error-type'];
  const type = typeof header === 'string' ? header : '';
  if (/(Runtime|Function)\.[A-Z][a-zA-Z]+/.test(type)) return type;
  return type.startsWith('Function.') ? 'Function.Unknown' : 'Runtime.Unknown';
}

/** Reads a body up to `limit` bytes; past it, drains the rest and calls back with `undefined` and the full size. */
function readLimited(req: http.IncomingMessage, limit: number, done: (body: Buffer | undefined, size: number) => void): void {
  readRequestBody(req, limit, { readToEnd: true }).then(
    (read) => (read.kind === 'body' ? done(read.body, read.body.length) : done(undefined, read.bytes)),
    () => req.socket?.destroy(),
  );
}

/** A finished streamed response: an error reported in the trailers, an HTTP-integration stream, or raw bytes. */
function decodeStream(req: http.IncomingMessage, body: Buffer): RuntimeReply {
  const errorType = req.trailers['lambda-runtime-function-error-type'];
  if (errorType) {
    const encoded = req.trailers['lambda-runtime-function-error-body'];
    return { kind: 'error', errorType, payload: encoded ? Buffer.from(encoded, 'base64') : Buffer.alloc(0) };
  }
  if (req.headers['content-type'] !== HTTP_INTEGRATION_CONTENT_TYPE) return { kind: 'response', payload: body };
  const split = body.indexOf(PRELUDE_SEPARATOR);
  if (split < 0) {
    const errorMessage = 'Streamed HTTP-integration response has no prelude (JSON followed by 8 NUL bytes)';
    return {
      kind: 'error',
      errorType: 'Runtime.InvalidResponse',
      payload: Buffer.from(JSON.stringify({ errorMessage, errorType: 'Runtime.InvalidResponse' })),
    };
  }
  let prelude: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
  try {
    prelude = JSON.parse(body.subarray(0, split).toString('utf8')) as typeof prelude;
  } catch (err) {
    const errorMessage = `Streamed HTTP-integration prelude is not JSON: ${(err as Error).message}`;
    return {
      kind: 'error',
      errorType: 'Runtime.InvalidResponse',
      payload: Buffer.from(JSON.stringify({ errorMessage, errorType: 'Runtime.InvalidResponse' })),
    };
  }
  const result = {
    statusCode: prelude.statusCode ?? 200,
    headers: prelude.headers ?? {},
    cookies: prelude.cookies ?? [],
    body: body.subarray(split + PRELUDE_SEPARATOR.length).toString('base64'),
    isBase64Encoded: true,
  };
  return { kind: 'response', payload: Buffer.from(JSON.stringify(result)) };
}

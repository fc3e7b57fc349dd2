/**
 * The dev router: what API Gateway's HTTP API is in the cloud. It picks the micro with the same `matchRoute`
 * the cloud route keys come from, judges access before reading a body, answers 413 before invoking when a body
 * exceeds the platform limit, gives up on a micro after API Gateway's integration timeout, keeps `/__space/`
 * for the runtime: the owner's console (lib/console) and the dev-only action endpoints of the CLI (loopback only). It answers only requests addressed
 * to a name it listens on, so a web page cannot reach it through a DNS name rebound to this machine.
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { matchRoute } from '../../routing/routes';
import type { SpaceAppModel } from '../../spacefile/model';
import { UsageError } from '../../core/errors';
import type { LocalAuth } from './local-auth';
import { buildHttpApiEvent, type HttpResponse } from '../http-api-event';
import { BODY_LIMIT_BYTES, INTEGRATION_TIMEOUT_SECONDS } from '../../core/limits';
import { type BodyReadResult, readRequestBody } from '../request-body';
import { requestLogLine } from './request-log';
import { DEV_ACTIONS_PATH, isOriginForm } from '../../core/paths';
import type { LocalActionState } from './action-state';
import { type ConsoleRequest, type ConsoleResponse, discardBody } from '../../console/http';
import { plainRequest } from '../plain-request';
import { isBrowserDataPath } from '../../data/browser-path';

/** What the router needs from the rest of `spaceport dev`. */
export interface RouterBackend {
  readonly app: SpaceAppModel;
  /** Invokes the micro with the payload 2.0 event and resolves to the HTTP response to write (never rejects). */
  invokeHttp(microName: string, event: ReturnType<typeof buildHttpApiEvent>): Promise<HttpResponse>;
  /** Runs an action now; resolves to a JSON-able outcome with `ok`, or `undefined` for an unknown id. */
  triggerAction(id: string): Promise<{ readonly ok: boolean } | undefined>;
  /** Every action with its state, for `spaceport actions --local`. */
  listActions(): readonly LocalActionState[];
  /** Pauses or resumes an action's local schedule; false for an unknown id. */
  setActionEnabled(id: string, enabled: boolean): boolean;
  /** The owner's console (`/__space/`): every reserved path at the app root that is not the CLI's. Absent without auth. */
  console?(request: ConsoleRequest): Promise<ConsoleResponse>;
  /** Private by default: sign-in pages, public routes, owner session, API keys. Undefined only when auth is turned off. */
  readonly auth?: LocalAuth;
  /** Writes a line of the log under `source` (a micro name): requests the router answers itself get their line here. */
  log(source: string, line: string): void;
  /** Serves the browser's Base and Drive path (`/__space/v0/base|drive/...`), streamed, before any body limit. */
  serveBrowserData?(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** How long a request may wait for its micro, as API Gateway's integration timeout. @default 29 s */
  readonly gatewayTimeoutMs?: number;
}

/** The names each listening router answers to, set by `listen`. */
const hostNamesOf = new WeakMap<http.Server, ReadonlySet<string>>();

/** `localhost` and the address listened on; on a wildcard address, every address of this machine and its name. */
function hostNames(listenHost: string, address: AddressInfo): ReadonlySet<string> {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const addresses = wildcard ? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address)) : [address.address];
  const names = new Set(['localhost', listenHost.toLowerCase(), ...addresses.map((ip) => (ip.includes(':') ? `[${ip}]` : ip))]);
  if (wildcard) names.add(hostname().toLowerCase());
  return names;
}

/** True when `host` (the Host header) names this router: one of its names and its port. */
function isOwnHost(host: string | undefined, names: ReadonlySet<string>, port: number): boolean {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec((host ?? '').toLowerCase());
  return match !== null && names.has(match[1]!) && Number(match[2] ?? 80) === port;
}

export function jsonResponse(statusCode: number, value: unknown): HttpResponse {
  return { statusCode, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(value)) };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Only the developer's own machine, and not a web page of another origin, may fire actions. */
function isLocalCaller(request: http.IncomingMessage): boolean {
  if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) return false;
  const origin = request.headers.origin;
  return origin === undefined || origin === `http://${request.headers.host}`;
}

function writeResponse(res: http.ServerResponse, response: HttpResponse, headOnly: boolean): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  }
  // The body is complete here: its real length replaces whatever the micro claimed (except for HEAD, whose
  // empty body says nothing about the length of the GET it describes).
  delete headers['transfer-encoding'];
  if (!(headOnly && response.body.length === 0 && headers['content-length'] !== undefined)) {
    headers['content-length'] = String(response.body.length);
  }
  res.writeHead(response.statusCode, headers);
  res.end(headOnly ? undefined : response.body);
}

async function writeConsoleResponse(res: http.ServerResponse, response: ConsoleResponse, headOnly: boolean): Promise<void> {
  if (Buffer.isBuffer(response.body)) {
    writeResponse(res, { statusCode: response.status, headers: Object.entries(response.headers), body: response.body }, headOnly);
    return;
  }
  res.writeHead(response.status, response.headers);
  if (headOnly) {
    discardBody(response.body);
    res.end();
    return;
  }
  await pipeline(Readable.from(response.body), res);
}

async function handleReserved(backend: RouterBackend, req: http.IncomingMessage, path: string): Promise<HttpResponse | undefined> {
  const devRoute = path === DEV_ACTIONS_PATH || path.startsWith(DEV_ACTIONS_PATH + '/');
  if (!devRoute) return undefined;
  if (!isLocalCaller(req)) return jsonResponse(403, { message: `Forbidden: only local callers may use ${DEV_ACTIONS_PATH}` });
  if (path === DEV_ACTIONS_PATH && req.method === 'GET') return jsonResponse(200, { actions: backend.listActions() });
  // POST /__space/dev/actions/<id> runs it now; .../<id>/pause and .../<id>/resume change its schedule.
  const change = /^([^/]+)\/(pause|resume)$/.exec(path.slice(DEV_ACTIONS_PATH.length + 1));
  if (path.startsWith(DEV_ACTIONS_PATH + '/') && req.method === 'POST' && change) {
    const id = decodeURIComponent(change[1]);
    if (!backend.setActionEnabled(id, change[2] === 'resume'))
      return jsonResponse(404, { message: `no action with id '${id}' in ${backend.app.spacefile}` });
    return jsonResponse(
      200,
      backend.listActions().find((action) => action.id === id),
    );
  }
  if (path.startsWith(DEV_ACTIONS_PATH + '/') && req.method === 'POST') {
    const id = decodeURIComponent(path.slice(DEV_ACTIONS_PATH.length + 1));
    const outcome = await backend.triggerAction(id);
    if (!outcome) return jsonResponse(404, { message: `no action with id '${id}' in ${backend.app.spacefile}` });
    return jsonResponse(outcome.ok ? 200 : 502, outcome);
  }
  return jsonResponse(404, { message: 'Not Found' });
}

export function createRouter(backend: RouterBackend): http.Server {
  const gatewayTimeoutMs = backend.gatewayTimeoutMs ?? INTEGRATION_TIMEOUT_SECONDS * 1000;
  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    const receivedAt = new Date();
    const url = req.url ?? '/';
    const headOnly = req.method === 'HEAD';
    const names = hostNamesOf.get(server);
    if (names && !isOwnHost(req.headers.host, names, (server.address() as AddressInfo).port)) {
      res.setHeader('connection', 'close');
      const message = `Forbidden: this spaceport dev answers only to ${[...names].join(', ')}, not '${req.headers.host ?? ''}'`;
      writeResponse(res, jsonResponse(403, { message }), headOnly);
      return;
    }
    // API Gateway only ever passes a path on; an absolute-form target (`http://x/__space/...`) would let the
    // micro's server read a path nobody judged.
    if (!isOriginForm(url)) {
      writeResponse(res, jsonResponse(400, { message: 'Bad Request: the request target must be a path, not a URL' }), headOnly);
      return;
    }
    const path = url.split('?', 1)[0];
    const route = matchRoute(backend.app, path);
    // A request the router answers for a micro (denied, too large) gets its log line too: the micro never saw it.
    const logAnswered = (statusCode: number, label: 'denied' | 'refused'): void => {
      if (route.kind === 'micro') backend.log(route.micro.name, requestLogLine(req.method ?? 'GET', path, statusCode, started, label));
    };
    let bodyRead: Promise<BodyReadResult> | undefined;
    const readBody = (limit: number): Promise<BodyReadResult> => (bodyRead ??= readRequestBody(req, limit));
    try {
      if (backend.serveBrowserData && isBrowserDataPath(path)) {
        await backend.serveBrowserData(req, res);
        return;
      }
      const denied = await backend.auth?.answer({
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
        readBody: async (limit) => {
          const read = await readBody(limit);
          return read.kind === 'body' ? read.body : undefined;
        },
      });
      if (denied) {
        // The body of a denied request is never read (nor the rest of a sign-in form over its limit): close the
        // connection rather than drain it.
        const bodyComplete = bodyRead !== undefined && (await bodyRead).kind === 'body';
        if (!bodyComplete && hasBody(req)) res.setHeader('connection', 'close');
        logAnswered(denied.statusCode, 'denied');
        writeResponse(res, denied, headOnly);
        return;
      }
      // A body over the limit is never read to its end: answer 413 and close the connection.
      const tooLarge = (bytes: number): void => {
        res.setHeader('connection', 'close');
        logAnswered(413, 'refused');
        const detail = `the request body is ${bytes} bytes; a micro accepts at most ${BODY_LIMIT_BYTES} bytes (5.5 MB)`;
        writeResponse(res, jsonResponse(413, { message: 'Request Entity Too Large', detail }), headOnly);
      };
      if (route.kind === 'reserved') {
        const answer = await handleReserved(backend, req, path);
        if (answer) writeResponse(res, answer, headOnly);
        else if (!backend.console) writeResponse(res, jsonResponse(404, { message: 'Not Found: the console needs sign-in, which is off' }), headOnly);
        else {
          // Only the owner's posts are read; the console refuses anyone else's without their body, left unread.
          let body: Buffer = Buffer.alloc(0);
          if (await backend.auth?.isOwner(req.headers)) {
            const read = await readBody(BODY_LIMIT_BYTES);
            if (read.kind === 'too-large') return tooLarge(read.bytes);
            body = read.body;
          } else if (hasBody(req)) res.setHeader('connection', 'close');
          await writeConsoleResponse(res, await backend.console({ ...plainRequest(req), body }), headOnly);
        }
        return;
      }
      const read = await readBody(BODY_LIMIT_BYTES);
      if (read.kind === 'too-large') return tooLarge(read.bytes);
      const event = buildHttpApiEvent(
        {
          method: req.method ?? 'GET',
          url,
          httpVersion: req.httpVersion,
          rawHeaders: req.rawHeaders,
          body: read.body,
          sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
          receivedAt,
          scheme: 'http',
          port: req.socket.localPort ?? 0,
        },
        route.micro,
      );
      const response = await withinGatewayTimeout(backend.invokeHttp(route.micro.name, event), gatewayTimeoutMs);
      if (response === undefined) {
        logAnswered(504, 'refused');
        const detail = `micro ${route.micro.name} did not answer within ${gatewayTimeoutMs / 1000} s, API Gateway's integration timeout`;
        writeResponse(res, jsonResponse(504, { message: 'Gateway Timeout', detail }), headOnly);
        return;
      }
      writeResponse(res, response, headOnly);
    } catch (error) {
      // A bug here must cost one request, not the dev server.
      if (!res.headersSent) writeResponse(res, jsonResponse(500, { message: `spaceport dev: ${String(error)}` }), headOnly);
      else res.destroy();
    }
  });
  return server;
}

function hasBody(req: http.IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/** `response`, or undefined when it takes longer than `timeoutMs` (the micro's invocation goes on, as on Lambda). */
async function withinGatewayTimeout(response: Promise<HttpResponse>, timeoutMs: number): Promise<HttpResponse | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    return await Promise.race([response, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Listens on `host:port`; a taken port is a clear user error, not a stack trace. */
export async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        reject(new UsageError(`port ${port} on ${host} is already in use (another spaceport dev?): pass --port <free port>`));
      } else if (error.code === 'EACCES') {
        reject(new UsageError(`not allowed to listen on port ${port}: pass --port with a port above 1023`));
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  hostNamesOf.set(server, hostNames(host, address));
  return address.port;
}

/**
 * A minimal HTTP/1.1 client over one kept-alive connection, for the Runtime API and the app: Content-Length,
 * chunked and close-delimited bodies, interim 1xx responses skipped. It replaces node:http on the adapter's hot
 * path, where the ClientRequest, agent, parser pool and response stream cost more than the loopback hop itself:
 * here a request is one socket write and its response is parsed straight from the socket's chunks. Header rules
 * are Node's, so both adapters refuse the same requests (runtime-layer/python/spaceport_adapter/http11.py is the
 * Python twin).
 */
import { connect, type Socket } from 'node:net';

// Node's rules (validateHeaderName / checkInvalidHeaderChar).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const INVALID_TARGET = /[^\x21-\xff]/;
/** Longest response head accepted (Node's default --max-http-header-size is 16 KB; the Python twin allows 64 KB lines). */
const MAX_HEAD_BYTES = 65536;
const CRLF_CRLF = Buffer.from('\r\n\r\n');

/** The connection failed or closed before a complete response. `refused`: nothing listened; `reused`: the request
 * went out on a connection kept from before, which the server may have closed meanwhile (safe to retry once). */
export class Disconnected extends Error {
  constructor(
    message: string,
    readonly refused = false,
    readonly reused = false,
  ) {
    super(message);
  }
}

/** The response body is over the caller's limit; the connection is closed. */
export class BodyTooLarge extends Error {}

/** No complete response within the caller's timeout; the connection is closed. */
export class TimedOut extends Error {}

/** A method, target or header HTTP/1.1 cannot carry; nothing was sent. */
export class InvalidHead extends Error {}

export interface Response {
  readonly status: number;
  readonly reason: string;
  /** Header pairs as received, as Node's `rawHeaders`: name, value, name, value... */
  readonly headers: string[];
  readonly body: Buffer;
}

export interface ExchangeOptions {
  /** Gives up (`TimedOut`) after this long; by default waits as long as it takes. */
  readonly timeoutMs?: number;
  /** Largest body accepted (`BodyTooLarge` beyond). */
  readonly limit?: number;
}

/** `method target HTTP/1.1` and the header lines, ending with the blank line; throws `InvalidHead`. */
export function encodeHead(method: string, target: string, headers: readonly string[]): string {
  if (!TOKEN.test(method) || INVALID_TARGET.test(target)) throw new InvalidHead('invalid method or target');
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (!TOKEN.test(headers[i]) || INVALID_VALUE.test(headers[i + 1])) throw new InvalidHead(`invalid header ${JSON.stringify(headers[i])}`);
    head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  }
  return `${head}\r\n`;
}

type BodyMode = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** The exchange in flight: the response read so far. */
interface Pending {
  readonly method: string;
  readonly limit: number;
  readonly reused: boolean;
  readonly resolve: (response: Response) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
  head?: { status: number; reason: string; headers: string[]; willClose: boolean; mode: BodyMode };
  chunks: Buffer[];
  size: number;
  /** Bytes left of the current chunk (chunked bodies); -1 between chunks. */
  chunkLeft: number;
}

export class Connection {
  private socket: Socket | undefined;
  /** Received bytes not parsed yet. */
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  get connected(): boolean {
    return this.socket !== undefined;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.buffered = Buffer.alloc(0);
  }

  /**
   * Sends one request (`headers` as name, value pairs; the caller sets Host and Content-Length; a string body is
   * sent as UTF-8) and resolves with its buffered response. Throws `InvalidHead` before sending anything; rejects
   * with `Disconnected`, `TimedOut` or `BodyTooLarge`. One exchange at a time.
   */
  exchange(method: string, target: string, headers: readonly string[], body?: Buffer | string, options: ExchangeOptions = {}): Promise<Response> {
    const head = encodeHead(method, target, headers);
    // Bytes nobody asked for (a server's parting 408, say) would be read as this request's response.
    if (this.buffered.length > 0) this.close();
    return new Promise((resolve, reject) => {
      const reused = this.socket !== undefined;
      const socket = this.socket ?? this.open();
      const pending: Pending = { method, limit: options.limit ?? Infinity, reused, resolve, reject, chunks: [], size: 0, chunkLeft: -1 };
      this.pending = pending;
      if (options.timeoutMs !== undefined) {
        pending.timer = setTimeout(() => this.fail(new TimedOut('no response in time')), Math.max(0, options.timeoutMs));
      }
      // Corked: head and body leave in one system call.
      socket.cork();
      socket.write(head, 'latin1');
      if (body !== undefined && body.length > 0) socket.write(body);
      socket.uncork();
    });
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      if (this.pending !== undefined) this.parse(this.pending);
    });
    socket.on('end', () => this.lost(socket, undefined));
    socket.on('error', (error: NodeJS.ErrnoException) => this.lost(socket, error));
    socket.on('close', () => this.lost(socket, undefined));
    return socket;
  }

  /** The server closed the connection (or it broke): completes a close-delimited body, else fails the exchange. */
  private lost(socket: Socket, error: NodeJS.ErrnoException | undefined): void {
    if (this.socket !== socket) return;
    const pending = this.pending;
    // Every byte received has been parsed already, so a close-delimited body is whole.
    if (pending?.head?.mode.kind === 'close' && error === undefined) return this.finish(pending);
    this.close();
    if (pending === undefined) return;
    const refused = error?.code === 'ECONNREFUSED';
    const what = pending.head === undefined ? 'without answering' : 'in the middle of the response';
    this.fail(new Disconnected(refused ? 'connection refused' : `the server closed the connection ${what}`, refused, pending.reused));
  }

  private fail(error: Error): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.close();
    pending.reject(error);
  }

  private finish(pending: Pending): void {
    const head = pending.head!;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (head.willClose) this.close();
    else this.buffered = Buffer.alloc(0); // bytes past the response belong to no request
    const body = pending.chunks.length === 1 ? pending.chunks[0] : Buffer.concat(pending.chunks, pending.size);
    pending.resolve({ status: head.status, reason: head.reason, headers: head.headers, body });
  }

  /** Consumes what has arrived; completes the exchange once its response is whole. */
  private parse(pending: Pending): void {
    while (pending.head === undefined) {
      const end = this.buffered.indexOf(CRLF_CRLF);
      if (end < 0) {
        if (this.buffered.length > MAX_HEAD_BYTES) this.fail(new Disconnected('the response head is too long'));
        return;
      }
      const text = this.buffered.toString('latin1', 0, end);
      this.buffered = this.buffered.subarray(end + 4);
      const head = parseHead(text, pending.method);
      if (head === undefined) return this.fail(new Disconnected(`malformed status line ${JSON.stringify(text.slice(0, 80))}`));
      if (head.status < 200 && head.status !== 101) continue; // an interim response: the real one follows
      pending.head = head;
      if (head.mode.kind === 'length' && head.mode.length > pending.limit) return this.fail(new BodyTooLarge('body over the limit'));
    }
    const mode = pending.head.mode;
    switch (mode.kind) {
      case 'none':
        return this.finish(pending);
      // Body bytes move to `chunks` as they come, so a large body is copied once, not once per arriving piece.
      case 'length': {
        const take = Math.min(mode.length - pending.size, this.buffered.length);
        this.takeBody(pending, take);
        if (pending.size === mode.length) this.finish(pending);
        return;
      }
      case 'close':
        this.takeBody(pending, this.buffered.length);
        if (pending.size > pending.limit) this.fail(new BodyTooLarge('body over the limit'));
        return; // the body ends when the server closes (`lost`)
      case 'chunked':
        return this.parseChunks(pending);
    }
  }

  private takeBody(pending: Pending, bytes: number): void {
    if (bytes === 0) return;
    pending.chunks.push(this.buffered.subarray(0, bytes));
    pending.size += bytes;
    this.buffered = this.buffered.subarray(bytes);
  }

  private parseChunks(pending: Pending): void {
    for (;;) {
      if (pending.chunkLeft > 0) {
        const take = Math.min(pending.chunkLeft, this.buffered.length);
        if (take === 0) return;
        this.takeBody(pending, take);
        pending.chunkLeft -= take;
        if (pending.chunkLeft > 0) return;
        pending.chunkLeft = -2; // the chunk's CRLF comes next
      }
      const lineEnd = this.buffered.indexOf('\n');
      if (lineEnd < 0) return;
      const line = this.buffered.toString('latin1', 0, lineEnd).trim();
      this.buffered = this.buffered.subarray(lineEnd + 1);
      if (pending.chunkLeft === -2) {
        pending.chunkLeft = -1;
        continue;
      }
      if (pending.chunkLeft === -3) {
        if (line === '') return this.finish(pending); // the end of the trailers
        continue;
      }
      const size = parseInt(line.split(';', 1)[0] || '0', 16);
      if (Number.isNaN(size)) return this.fail(new Disconnected(`malformed chunk size ${JSON.stringify(line.slice(0, 40))}`));
      if (size === 0) {
        pending.chunkLeft = -3; // trailers, up to a blank line
        continue;
      }
      if (pending.size + size > pending.limit) return this.fail(new BodyTooLarge('body over the limit'));
      pending.chunkLeft = size;
    }
  }
}

/** The status line and headers of a response head (without its blank line), or undefined if it is not HTTP. */
function parseHead(text: string, method: string): Pending['head'] {
  const lines = text.split(/\r?\n/);
  const statusLine = lines[0];
  const firstSpace = statusLine.indexOf(' ');
  const version = statusLine.slice(0, firstSpace);
  const secondSpace = statusLine.indexOf(' ', firstSpace + 1);
  const statusText = secondSpace < 0 ? statusLine.slice(firstSpace + 1) : statusLine.slice(firstSpace + 1, secondSpace);
  const status = Number(statusText);
  if (!version.startsWith('HTTP/') || !/^\d{3}$/.test(statusText)) return undefined;
  const headers: string[] = [];
  let connection = '';
  let length: number | undefined;
  let chunked = false;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim();
    const value = lines[i].slice(colon + 1).trim();
    headers.push(name, value);
    switch (name.toLowerCase()) {
      case 'connection':
        connection += `${value.toLowerCase()},`;
        break;
      case 'content-length':
        if (/^\d+$/.test(value)) length = Number(value);
        break;
      case 'transfer-encoding':
        chunked ||= value.toLowerCase().includes('chunked');
        break;
    }
  }
  let willClose = connection.includes('close') || (version === 'HTTP/1.0' && !connection.includes('keep-alive'));
  let mode: BodyMode;
  if (method === 'HEAD' || status === 204 || status === 304 || status < 200) mode = { kind: 'none' };
  else if (chunked) mode = { kind: 'chunked' };
  else if (length !== undefined) mode = { kind: 'length', length };
  else {
    mode = { kind: 'close' };
    willClose = true;
  }
  return { status, reason: secondSpace < 0 ? '' : statusLine.slice(secondSpace + 1), headers, willClose, mode };
}

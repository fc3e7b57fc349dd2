/** The data service's framework-free handler behind a Node HTTP(S) server: request in, response (streamed) out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataHandler, DataRequest } from '../../data/http';
import { plainRequest } from '../plain-request';

/** Serves `request` with `handler`, as `path` when given (the browser path rewrites it). */
export async function serveData(handler: DataHandler, request: IncomingMessage, response: ServerResponse, path?: string): Promise<void> {
  const plain = plainRequest(request);
  const dataRequest: DataRequest = { ...plain, path: path ?? plain.path, body: request };
  const reply = await handler(dataRequest);
  response.writeHead(reply.status, reply.headers);
  if (reply.body instanceof Uint8Array) {
    response.end(reply.body);
    return;
  }
  try {
    await pipeline(Readable.from(reply.body), response);
  } catch {
    // The client went away, or the file could not be read to the end: the connection is already closed.
    response.destroy();
  }
}

/**
 * Reading a request body under a limit without buffering more than the limit: the dev router (the 5.5 MB body
 * limit), the emulator's invoke endpoint (Lambda's 6 MB event) and its Runtime API (the response limits).
 */
import type { IncomingMessage } from 'node:http';

export type BodyReadResult = { readonly kind: 'body'; readonly body: Buffer } | { readonly kind: 'too-large'; readonly bytes: number };

export interface BodyReadOptions {
  /**
   * Read an oversized body to its end, counting but not keeping it, so `bytes` is its whole size and the answer
   * comes after the whole request, as Lambda's endpoints answer. Otherwise reading stops as soon as the body is
   * known to exceed the limit (from Content-Length or while reading) and the caller closes the connection.
   * @default false
   */
  readonly readToEnd?: boolean;
}

/** The body of `request`, or `too-large` with the bytes seen once it exceeds `limit`; rejects when the request fails. */
export function readRequestBody(request: IncomingMessage, limit: number, options: BodyReadOptions = {}): Promise<BodyReadResult> {
  const declared = Number(request.headers['content-length']);
  if (!options.readToEnd && declared > limit) return Promise.resolve({ kind: 'too-large', bytes: declared });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= limit) {
        chunks.push(chunk);
      } else if (!options.readToEnd) {
        request.off('data', onData);
        request.pause();
        resolve({ kind: 'too-large', bytes });
      }
    };
    request.on('data', onData);
    request.once('end', () => resolve(bytes <= limit ? { kind: 'body', body: Buffer.concat(chunks, bytes) } : { kind: 'too-large', bytes }));
    request.once('error', reject);
  });
}

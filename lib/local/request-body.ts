/** Reading a request body under the platform's payload limit, without buffering more than the limit. */
import type { IncomingMessage } from 'node:http';
import { BODY_LIMIT_BYTES } from '../core/limits';

export type BodyReadResult = { readonly kind: 'body'; readonly body: Buffer } | { readonly kind: 'too-large'; readonly bytes: number };

/** The body of `request`, or `too-large` as soon as it is known to exceed `limit` (from Content-Length or while reading). */
export function readRequestBody(request: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<BodyReadResult> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.resolve({ kind: 'too-large', bytes: declared });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limit) {
        request.off('data', onData);
        request.pause();
        resolve({ kind: 'too-large', bytes });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve({ kind: 'body', body: Buffer.concat(chunks, bytes) }));
    request.once('error', reject);
  });
}

/**
 * A response as a buffered payload 2.0 result, for the functions behind an HTTP API that may answer a file (the data
 * function's browser path, the owner's console): text as is, anything else base64, and a body that outgrows what one
 * invoke response can carry refused before it is read to the end.
 */
import type { Readable } from 'node:stream';
import { isTextBody } from '../core/text-body';
import type { ByteStream } from '../data/drive-store';

/** What a buffered body may hold: 4 MiB, which base64 (x 4/3) and the result's JSON keep under Lambda's 6 MB. */
export const MAX_BUFFERED_BODY_BYTES = 4 * 1024 * 1024;

export interface BufferedHttpResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

/** The result of a response, or undefined when its streamed body (a file) outgrows `MAX_BUFFERED_BODY_BYTES` (the stream is then closed). */
export async function bufferedResult(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: Uint8Array | ByteStream,
): Promise<BufferedHttpResult | undefined> {
  const bytes = body instanceof Uint8Array ? Buffer.from(body) : await buffered(body);
  if (bytes === undefined) return undefined;
  const text = isTextBody(headers['content-type'], headers['content-encoding']);
  return { statusCode: status, headers, body: bytes.toString(text ? 'utf8' : 'base64'), isBase64Encoded: !text };
}

async function buffered(stream: ByteStream): Promise<Buffer | undefined> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.byteLength;
    if (bytes > MAX_BUFFERED_BODY_BYTES) {
      (stream as Readable).destroy?.();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes);
}

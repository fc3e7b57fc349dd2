/**
 * The Base and Drive HTTP API as one framework-free function: a request in, a response out. The local HTTPS server
 * and the cloud Lambda handler both adapt their own request shape to `DataRequest` and write `DataResponse` back,
 * so routing, auth, limits and every status code are decided here once.
 */
import type { BaseStore } from './base-store';
import type { ByteStream, DriveStore } from './drive-store';

export interface DataRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded, without the query: `/v1/{projectId}/{name}/items/{key}`. */
  readonly path: string;
  /** The raw query string without `?` (may be empty). */
  readonly query: string;
  /** Header values by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The request body, read at most once and only as far as its limit. */
  readonly body: ByteStream;
}

export interface DataResponse {
  readonly status: number;
  /** Always `content-type`; `content-length` when the body's size is known. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON bytes, or a Drive download's bytes as a stream. */
  readonly body: Uint8Array | ByteStream;
}

export type DataHandler = (request: DataRequest) => Promise<DataResponse>;

/** What `createDataHandler` (lib/data/service.ts) serves. */
export interface DataServiceOptions {
  readonly base: BaseStore;
  readonly drive: DriveStore;
  /**
   * The app's project key (`<projectId>_<secret>`): every request must carry it as `X-API-Key` (any case), and
   * only its project id is served. The browser path authenticates the owner and adds it, as Space's proxy did.
   */
  readonly projectKey: string;
  /** Milliseconds since the epoch, for TTL. @default Date.now */
  readonly now?: () => number;
  /** Where unexpected failures (answered 500 without detail) are reported. @default not reported */
  readonly log?: (message: string) => void;
}

/**
 * The data function: the shared Base and Drive handler (`createDataHandler`) on the DynamoDB and S3 stores, behind
 * API Gateway HTTP APIs (payload format 2.0). It serves
 *
 * - `/v1/{projectId}/{name}/...` from the data endpoint (CloudFront → HTTP API), authenticated by the project key;
 * - `/__space/v0/(base|drive)/...` from the app's own host (the browser path), for the signed-in owner only;
 * - `/__spaceport/not-found`, the JSON body CloudFront answers a missing Drive download with.
 *
 * Part bytes and downloads normally never come here (API Gateway puts parts into S3 itself, CloudFront reads
 * downloads from S3): every request and response fits Lambda's 6 MB invoke payload. Bundled by esbuild for Lambda.
 */
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SESSION_COOKIE } from '../auth/rules';
import { RotatingSessionSigner } from '../auth/session';
import { browserDataTarget, isBrowserDataPath } from '../data/browser-path';
import type { DataHandler, DataRequest, DataResponse } from '../data/http';
import { createDataHandler } from '../data/service';
import { bufferedResult, type BufferedHttpResult, MAX_BUFFERED_BODY_BYTES } from './buffered-result';
import { DynamoDbBaseStore } from './dynamodb-base-store';
import { S3DriveStore } from './s3-drive-store';
import { requiredEnv, SecureParameter } from './secure-parameter';

/** The environment the `SpaceData` construct gives the function. */
export const DATA_FUNCTION_ENV = {
  table: 'SPACEPORT_BASE_TABLE',
  bucket: 'SPACEPORT_DRIVE_BUCKET',
  projectKey: 'SPACEPORT_PROJECT_KEY',
  /** Only with the browser path: the owner secret's SSM parameter, re-checked like the authorizer's (a rotation ends sessions). */
  ownerSecretParameter: 'SPACEPORT_OWNER_SECRET_PARAMETER',
} as const;

/** Where CloudFront fetches the body of a missing download (S3 answers it 403 without list rights). */
export const NOT_FOUND_PATH = '/__spaceport/not-found';

/** The payload 2.0 fields the data function reads. */
export interface DataFunctionEvent {
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: readonly string[];
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: { readonly http: { readonly method: string } };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

export type DataFunctionResult = BufferedHttpResult;

export interface DataFunctionDeps {
  readonly handler: DataHandler;
  readonly projectKey: string;
  /** Verifies an owner session cookie value; without it the browser path answers 404. */
  readonly verifyOwnerSession?: () => Promise<(token: string, now: number) => boolean>;
  readonly now?: () => number;
}

export function createDataFunction(deps: DataFunctionDeps): (event: DataFunctionEvent) => Promise<DataFunctionResult> {
  const now = deps.now ?? Date.now;
  return async (event) => {
    if (event.rawPath === NOT_FOUND_PATH) return jsonResult(200, { errors: ['File not found', 'no file of this name is in the drive'] });
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
    let path = event.rawPath;
    if (isBrowserDataPath(event.rawPath)) {
      // The JS SDK in a page sends the key `dummy`: the owner's session stands for the project key, as on Space.
      const verify = await deps.verifyOwnerSession?.();
      if (!verify) return jsonResult(404, { errors: ['Not found', `${event.rawPath} is not served here`] });
      if (!ownerSession(event.cookies ?? [], (token) => verify(token, now()))) {
        return jsonResult(401, { errors: ['Unauthorized', "sign in as the app's owner to use its Base and Drive from the browser"] });
      }
      const target = browserDataTarget(event.rawPath, headers, deps.projectKey);
      if ('status' in target) return jsonResult(target.status, { errors: target.errors });
      path = target.path;
      headers['x-api-key'] = deps.projectKey;
    }
    const request: DataRequest = {
      method: event.requestContext.http.method,
      path,
      query: event.rawQueryString,
      headers,
      body: Readable.from(event.body ? [Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')] : []),
    };
    return toResult(await deps.handler(request));
  };
}

function ownerSession(cookies: readonly string[], verify: (token: string) => boolean): boolean {
  const prefix = `${SESSION_COOKIE}=`;
  return cookies.some((cookie) => cookie.startsWith(prefix) && verify(cookie.slice(prefix.length)));
}

async function toResult(response: DataResponse): Promise<DataFunctionResult> {
  return (
    (await bufferedResult(response.status, response.headers, response.body)) ??
    jsonResult(413, {
      errors: ['File too large for this path', `read files over ${MAX_BUFFERED_BODY_BYTES} bytes from the data endpoint (DETA_DRIVE_HOST)`],
    })
  );
}

function jsonResult(status: number, body: unknown): DataFunctionResult {
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), isBase64Encoded: false };
}

let deployed: ((event: DataFunctionEvent) => Promise<DataFunctionResult>) | undefined;

/** The Lambda entry point: clients and the handler are built once per execution environment. */
export async function handler(event: DataFunctionEvent): Promise<DataFunctionResult> {
  deployed ??= deployedDataFunction();
  return deployed(event);
}

function deployedDataFunction(): (event: DataFunctionEvent) => Promise<DataFunctionResult> {
  const projectKey = requiredEnv(DATA_FUNCTION_ENV.projectKey);
  const base = new DynamoDbBaseStore({ client: new DynamoDBClient({}), tableName: requiredEnv(DATA_FUNCTION_ENV.table) });
  const drive = new S3DriveStore({ client: new S3Client({}), bucketName: requiredEnv(DATA_FUNCTION_ENV.bucket) });
  const ownerSecretParameter = process.env[DATA_FUNCTION_ENV.ownerSecretParameter];
  const ownerSecret = ownerSecretParameter ? new SecureParameter(new SSMClient({}), ownerSecretParameter, 'the owner secret') : undefined;
  const signer = ownerSecret ? new RotatingSessionSigner(() => ownerSecret.value(), true) : undefined;
  return createDataFunction({
    handler: createDataHandler({ base, drive, projectKey, log: (message) => console.error(message) }),
    projectKey,
    verifyOwnerSession: signer
      ? async () => {
          const current = await signer.current();
          return (token, now) => current.verify(token, now);
        }
      : undefined,
  });
}

/**
 * The function behind the HTTP API's open `/__space` routes: the owner's sign-in and sign-out pages; every
 * other runtime path answers 404 and never reaches a micro. Bundled by esbuild for Lambda by SpaceAuth.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AUTH_ENV } from './authorizer';
import { readOwnerSecret, requiredEnv } from './owner-secret';
import { jsonResponse } from '../auth/responses';
import { SessionSigner } from '../auth/session';
import { handleSignin, isSigninPath } from '../auth/signin';

/** The payload 2.0 request fields the sign-in pages read. */
export interface HttpApiRequestEvent {
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly requestContext: { readonly http: { readonly method: string } };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: readonly string[];
  readonly body: string;
}

export function createSigninHandler(deps: {
  readOwnerSecret: () => Promise<string>;
  now?: () => number;
}): (event: HttpApiRequestEvent) => Promise<HttpApiResult> {
  const now = deps.now ?? Date.now;
  let signer: Promise<SessionSigner> | undefined;
  return async (event) => {
    const response = isSigninPath(event.rawPath)
      ? handleSignin(
          {
            method: event.requestContext.http.method,
            path: event.rawPath,
            query: event.rawQueryString,
            headers: event.headers ?? {},
            body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8'),
          },
          await (signer ??= deps
            .readOwnerSecret()
            .then((secret) => new SessionSigner(secret, true))
            .catch((error: unknown) => {
              signer = undefined; // read again on the next request rather than failing until the next cold start
              throw error;
            })),
          now(),
        )
      : jsonResponse(404, { error: 'not_found', message: `${event.rawPath} belongs to the Space runtime and is not reachable` });
    return { statusCode: response.status, headers: response.headers, cookies: response.cookies, body: response.body };
  };
}

let deployed: ((event: HttpApiRequestEvent) => Promise<HttpApiResult>) | undefined;

export async function handler(event: HttpApiRequestEvent): Promise<HttpApiResult> {
  deployed ??= createSigninHandler({
    readOwnerSecret: () => readOwnerSecret(new SecretsManagerClient({}), requiredEnv(AUTH_ENV.ownerSecretId)),
  });
  return deployed(event);
}

/**
 * The function behind the HTTP API's open `/__space` routes: the owner's sign-in and sign-out pages; every
 * other runtime path answers 404 and never reaches a micro. It also answers the CORS preflights of micros with
 * `presets.api_keys` (SpaceRouter's `OPTIONS` routes), so no micro runs for them. Bundled by esbuild for Lambda
 * by SpaceAuth.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AUTH_ENV } from './authorizer';
import { readOwnerSecret, refreshedEvery, requiredEnv, SECRET_REFRESH_MS } from './owner-secret';
import { isCorsPreflight, preflightResponse } from '../auth/preflight';
import { type AuthResponse, jsonResponse } from '../auth/responses';
import { isUnder, RESERVED_PREFIX } from '../core/paths';
import { RotatingSessionSigner } from '../auth/session';
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

/** `readOwnerSecret` supplies the owner secret as it is now, on every sign-in request (see `RotatingSessionSigner`). */
export function createSigninHandler(deps: {
  readOwnerSecret: () => Promise<string>;
  now?: () => number;
}): (event: HttpApiRequestEvent) => Promise<HttpApiResult> {
  const now = deps.now ?? Date.now;
  const signer = new RotatingSessionSigner(deps.readOwnerSecret, true);
  return async (event) => {
    const method = event.requestContext.http.method;
    const response: AuthResponse = !isUnder(event.rawPath, RESERVED_PREFIX)
      ? microOptions(method, event.headers ?? {})
      : isSigninPath(event.rawPath)
        ? handleSignin(
            {
              method,
              path: event.rawPath,
              query: event.rawQueryString,
              headers: event.headers ?? {},
              body: Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8'),
            },
            await signer.current(),
            now(),
          )
        : jsonResponse(404, { error: 'not_found', message: `${event.rawPath} belongs to the Space runtime and is not reachable` });
    return { statusCode: response.status, headers: response.headers, cookies: response.cookies, body: response.body };
  };
}

/** An `OPTIONS` request to a micro with api_keys: a preflight gets its answer, anything else is not served here. */
function microOptions(method: string, headers: Readonly<Record<string, string>>): AuthResponse {
  if (isCorsPreflight({ method, headers })) return preflightResponse({ headers });
  return jsonResponse(405, { error: 'method_not_allowed', message: 'on a micro with presets.api_keys, OPTIONS answers CORS preflights only' });
}

let deployed: ((event: HttpApiRequestEvent) => Promise<HttpApiResult>) | undefined;

export async function handler(event: HttpApiRequestEvent): Promise<HttpApiResult> {
  deployed ??= createSigninHandler({
    readOwnerSecret: refreshedEvery(SECRET_REFRESH_MS, () => readOwnerSecret(new SecretsManagerClient({}), requiredEnv(AUTH_ENV.ownerSecretId))),
  });
  return deployed(event);
}

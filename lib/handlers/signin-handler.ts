/**
 * The function behind the HTTP API's open `/__space` routes: the owner's sign-in and sign-out pages; every
 * other runtime path answers 404 and never reaches a micro. Bundled by esbuild for Lambda by SpaceAuth.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { lastValueMemo, requiredEnv, SecureParameter } from './secure-parameter';
import { AUTH_ENV } from './authorizer';
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

export interface SigninHandlerDependencies {
  /** The current owner secret, asked for on every sign-in request (the reader caches). */
  readonly readOwnerSecret: () => Promise<string>;
  readonly now?: () => number;
}

export function createSigninHandler(deps: SigninHandlerDependencies): (event: HttpApiRequestEvent) => Promise<HttpApiResult> {
  const now = deps.now ?? Date.now;
  const signerFor = lastValueMemo((secret: string) => new SessionSigner(secret, true));
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
          signerFor(await deps.readOwnerSecret()),
          now(),
        )
      : jsonResponse(404, { error: 'not_found', message: `${event.rawPath} belongs to the Space runtime and is not reachable` });
    return { statusCode: response.status, headers: response.headers, cookies: response.cookies, body: response.body };
  };
}

let deployed: ((event: HttpApiRequestEvent) => Promise<HttpApiResult>) | undefined;

export async function handler(event: HttpApiRequestEvent): Promise<HttpApiResult> {
  if (!deployed) {
    const ownerSecret = new SecureParameter(new SSMClient({}), requiredEnv(AUTH_ENV.ownerSecretParameter), 'the owner secret');
    deployed = createSigninHandler({ readOwnerSecret: () => ownerSecret.value() });
  }
  return deployed(event);
}

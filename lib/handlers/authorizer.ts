/**
 * The Lambda authorizer in front of every micro route of the HTTP API (payload 2.0 REQUEST authorizer with
 * simple responses, no identity sources, no caching): it runs `authorize` and answers `{isAuthorized, context}`.
 *
 * API Gateway turns `isAuthorized: false` into a fixed `403 {"message":"Forbidden"}`: an authorizer cannot
 * redirect browsers or choose the body (see docs/auth.md). Errors (a broken configuration, an
 * unreachable key table) fail closed: API Gateway answers 500 and nothing reaches the micro.
 *
 * Bundled by esbuild for Lambda by the SpaceAuth construct; configured by environment variables: the policy, the
 * API key table, the SSM parameter holding the owner secret (read at run time, so a rotation needs no deployment)
 * and the app's internal key itself (every micro holds it too, and both get a rotated one in the same deployment).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { routeKeys } from '../routing/routes';
import type { ApiKeyStore } from '../auth/api-keys';
import { DynamoDbApiKeyStore } from './dynamodb-key-store';
import { InternalKey } from '../auth/internal-key';
import { requiredEnv, SecureParameter } from './secure-parameter';
import { type AccessPolicy, parseAccessPolicy } from '../auth/policy';
import { AccessRules, type AuthRequest, authorize, authorizeConsole, cookiePairs } from '../auth/rules';
import { RESERVED_PREFIX } from '../core/paths';
import { RotatingSessionSigner } from '../auth/session';

/** Environment variables the construct sets on the authorizer and the sign-in function. */
export const AUTH_ENV = {
  policy: 'SPACEPORT_ACCESS_POLICY',
  /** The name of the SSM SecureString parameter holding the owner secret. */
  ownerSecretParameter: 'SPACEPORT_OWNER_SECRET_PARAMETER',
  /** The internal key itself (micros have it as `DETA_API_KEY`); only the authorizer gets it, not the sign-in function. */
  internalKey: 'SPACEPORT_INTERNAL_KEY',
  apiKeysTable: 'SPACEPORT_API_KEYS_TABLE',
} as const;

/** The routes of the owner's console (`SpaceConsole`): the owner's session opens them, nothing else does. */
export const CONSOLE_ROUTE_PATHS = [RESERVED_PREFIX, `${RESERVED_PREFIX}/{proxy+}`] as const;
const CONSOLE_ROUTE_KEYS: ReadonlySet<string> = new Set(CONSOLE_ROUTE_PATHS.map((path) => `ANY ${path}`));

/** The payload 2.0 event an HTTP API sends a REQUEST authorizer (the fields auth reads). */
export interface HttpApiAuthorizerEvent {
  readonly version: '2.0';
  readonly type: 'REQUEST';
  readonly routeArn: string;
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly requestContext: { readonly http: { readonly method: string; readonly path: string; readonly sourceIp: string } };
}

export interface SimpleAuthorizerResult {
  readonly isAuthorized: boolean;
  /** Passed to the integration as `requestContext.authorizer.lambda`. */
  readonly context: Readonly<Record<string, string>>;
}

export function authRequestFromAuthorizerEvent(event: HttpApiAuthorizerEvent): AuthRequest {
  const headers = event.headers ?? {};
  // Payload 2.0 moves cookies to `cookies[]`; a `cookie` header is read too, in case one is passed through.
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.rawQueryString,
    headers,
    cookies: [...(event.cookies ?? []), ...cookiePairs(headers['cookie'])],
  };
}

export interface AuthorizerDependencies {
  readonly policy: AccessPolicy;
  /**
   * The owner secret as it is now, asked for on every request so a rotation takes effect on the next one:
   * cache its source as fits (the signing key is derived again only when the value changes).
   */
  readonly readOwnerSecret: () => Promise<string>;
  /** The app's internal key (`DETA_API_KEY`) as it is now, asked for on every request like the owner secret. */
  readonly readInternalKey: () => Promise<string>;
  readonly keys: Pick<ApiKeyStore, 'find'>;
  readonly now?: () => number;
}

export function createAuthorizer(deps: AuthorizerDependencies): (event: HttpApiAuthorizerEvent) => Promise<SimpleAuthorizerResult> {
  const rules = new AccessRules(deps.policy);
  const microOfRoute = new Map(deps.policy.micros.flatMap((micro) => routeKeys(micro).map((key) => [key, micro.name] as const)));
  const now = deps.now ?? Date.now;
  const signer = new RotatingSessionSigner(deps.readOwnerSecret, true);
  let lastInternalKey: { readonly value: string; readonly key: InternalKey } | undefined;
  const currentInternalKey = async (): Promise<InternalKey> => {
    const value = await deps.readInternalKey();
    if (lastInternalKey?.value !== value) lastInternalKey = { value, key: new InternalKey(value) };
    return lastInternalKey.key;
  };
  return async (event): Promise<SimpleAuthorizerResult> => {
    // A secret that cannot be read fails this request (API Gateway answers 500); the next one reads again.
    const [sessions, internalKey] = await Promise.all([signer.current(), currentInternalKey()]);
    const verifyOwnerSession = (token: string, at: number): boolean => sessions.verify(token, at);
    // Judged by the route API Gateway will invoke: a console route reaches the console function, whatever the path says.
    if (CONSOLE_ROUTE_KEYS.has(event.routeKey)) {
      const decision = authorizeConsole(authRequestFromAuthorizerEvent(event), { now: now(), verifyOwnerSession });
      return decision.allowed ? { isAuthorized: true, context: { via: 'owner' } } : { isAuthorized: false, context: { reason: decision.reason } };
    }
    const decision = await authorize(authRequestFromAuthorizerEvent(event), {
      rules,
      now: now(),
      verifyOwnerSession,
      verifyInternalKey: (key) => internalKey.matches(key),
      verifyApiKey: (key) => deps.keys.find(key),
    });
    switch (decision.outcome) {
      case 'allow': {
        // The rules judged the path for one micro; if API Gateway routed it to another (a path it reads
        // differently), that judgement says nothing about the micro that would answer.
        const routed = microOfRoute.get(event.routeKey);
        if (routed !== undefined && routed !== decision.micro) {
          return { isAuthorized: false, context: { micro: routed, reason: `judged for micro '${decision.micro}' but routed to '${routed}'` } };
        }
        const context: Record<string, string> = { micro: decision.micro, via: decision.via };
        if (decision.keyName) context.keyName = decision.keyName;
        return { isAuthorized: true, context };
      }
      case 'deny':
        return { isAuthorized: false, context: { micro: decision.micro, reason: decision.reason } };
      case 'preflight':
        // SpaceRouter sends these to the runtime function, which answers them; an authorizer cannot.
        return { isAuthorized: false, context: { micro: decision.micro, reason: 'CORS preflights are answered by the runtime route' } };
      case 'reserved':
        return { isAuthorized: false, context: { reason: 'reserved path' } };
    }
  };
}

let deployed: ((event: HttpApiAuthorizerEvent) => Promise<SimpleAuthorizerResult>) | undefined;

/** The Lambda entry point: configured from the environment on the first invocation. */
export async function handler(event: HttpApiAuthorizerEvent): Promise<SimpleAuthorizerResult> {
  deployed ??= authorizerFromEnvironment();
  return deployed(event);
}

function authorizerFromEnvironment(): (event: HttpApiAuthorizerEvent) => Promise<SimpleAuthorizerResult> {
  const ownerSecret = new SecureParameter(new SSMClient({}), requiredEnv(AUTH_ENV.ownerSecretParameter), 'the owner secret');
  const internalKey = requiredEnv(AUTH_ENV.internalKey);
  return createAuthorizer({
    policy: parseAccessPolicy(requiredEnv(AUTH_ENV.policy)),
    readOwnerSecret: () => ownerSecret.value(),
    readInternalKey: async () => internalKey,
    keys: new DynamoDbApiKeyStore(requiredEnv(AUTH_ENV.apiKeysTable), new DynamoDBClient({})),
  });
}

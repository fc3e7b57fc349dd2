/**
 * Who may reach what: the one implementation of Space's access rules, used by the cloud Lambda authorizer and by
 * the local dev router.
 *
 * - Paths under `/__space/` (at the app root or under a micro's path) belong to the runtime: never reachable, but
 *   for the owner's console at the app root (`authorizeConsole`), which only the owner's session opens.
 * - A request matching one of its micro's public routes is allowed, whatever credentials it carries
 *   (public routes win over API keys).
 * - Otherwise the owner's session cookie, the app's internal key as `X-API-Key` (what Space gave micros as
 *   `DETA_API_KEY` to call each other; allowed like the owner), or on a micro with `presets.api_keys` a valid
 *   `X-Space-App-Key`. A wrong `X-API-Key` is no credential at all: the request is judged without it.
 * - A browser's CORS preflight (no credentials by design) to a micro with `presets.api_keys` is answered by
 *   Spaceport (`preflight.ts`), never by the micro.
 * - Everything else is denied: browsers are sent to sign in, API clients get a 401 JSON body.
 *
 * Paths are judged the way an app might read them (`lib/core/paths.ts`): a request is public only if every
 * reading of its path is public, and reserved if any reading is. A target that is not a path (absolute-form
 * `http://host/path`, `*`) is refused: an app's server would read the path inside it, unjudged.
 */
import { isOriginForm, isReservedPath, isUnder, pathReadings, RESERVED_PREFIX } from '../core/paths';
import { matchRoute, stripBasePath } from '../routing/routes';
import { INTERNAL_KEY_HEADER } from './internal-key';
import { isCorsPreflight, preflightResponse } from './preflight';
import type { AccessPolicy, MicroAccessPolicy } from './policy';
import { type AuthResponse, jsonResponse, redirectResponse } from './responses';

export const API_KEY_HEADER = 'x-space-app-key';
export const SESSION_COOKIE = 'spaceport_session';
export const SIGNIN_PATH = `${RESERVED_PREFIX}/signin`;
export const SIGNOUT_PATH = `${RESERVED_PREFIX}/signout`;

/** A request as auth sees it, whatever carried it (an HTTP API authorizer event, a local HTTP request). */
export interface AuthRequest {
  readonly method: string;
  /** The path as the client sent it, without the query string. */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** `name=value` pairs from the `Cookie` header(s). */
  readonly cookies: readonly string[];
}

/** What an API key grants: its name, and the one micro it is limited to (all micros with the preset otherwise). */
export interface ApiKeyGrant {
  readonly name: string;
  readonly micro?: string;
}

export interface AuthContext {
  readonly rules: AccessRules;
  /** The name of the owner's session cookie. @default SESSION_COOKIE */
  readonly sessionCookie?: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /** True when `token` (a session cookie value) is a valid, unexpired owner session at `now`. */
  readonly verifyOwnerSession: (token: string, now: number) => boolean;
  /** True when `key` is the app's internal key (`DETA_API_KEY`), compared in constant time. */
  readonly verifyInternalKey: (key: string) => boolean;
  /** The grant of a key, or undefined for an unknown (or deleted) key. */
  readonly verifyApiKey: (key: string) => Promise<ApiKeyGrant | undefined>;
}

export type AuthDecision =
  | { readonly outcome: 'allow'; readonly micro: string; readonly via: 'public' | 'owner' | 'internal-key' | 'api-key'; readonly keyName?: string }
  | { readonly outcome: 'deny'; readonly micro: string; readonly reason: string; readonly response: AuthResponse }
  /** A CORS preflight to a micro with `presets.api_keys`: answered with `response`, never by the micro. */
  | { readonly outcome: 'preflight'; readonly micro: string; readonly response: AuthResponse }
  | { readonly outcome: 'reserved'; readonly response: AuthResponse };

/** The policy compiled once (public route patterns to regular expressions), so deciding does no setup per request. */
export class AccessRules {
  private readonly publicPatterns: ReadonlyMap<MicroAccessPolicy, readonly RegExp[]>;

  constructor(readonly policy: AccessPolicy) {
    this.publicPatterns = new Map(policy.micros.map((micro) => [micro, micro.publicRoutes.map(publicRoutePattern)]));
  }

  /** The micro that receives `path`, or undefined when the path belongs to the runtime. */
  microFor(path: string): MicroAccessPolicy | undefined {
    const match = matchRoute(this.policy, path);
    return match.kind === 'micro' ? match.micro : undefined;
  }

  isPublic(micro: MicroAccessPolicy, relativePath: string): boolean {
    const patterns = this.publicPatterns.get(micro) ?? [];
    return patterns.some((pattern) => pattern.test(relativePath));
  }
}

/** `*` matches any run of characters, `/` included; everything else matches itself. */
function publicRoutePattern(route: string): RegExp {
  const literal = route.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.*')}$`);
}

/** The pairs of a `Cookie` header, as `AuthRequest.cookies` holds them: `cookieValues` trims each and skips empty ones. */
export function cookiePairs(header: string | undefined): string[] {
  // Stryker disable next-line StringLiteral: equivalent, any stand-in for a missing header without '=' is no cookie
  const text = header ?? '';
  return text.split(';');
}

export function cookieValues(cookies: readonly string[], name: string): string[] {
  // Stryker disable next-line ArrayDeclaration: equivalent, a value no signer issued never verifies as a session
  const values: string[] = [];
  for (const pair of cookies) {
    const eq = pair.indexOf('=');
    // A pair starting with `=` has the empty name; one without `=` would be read whole, as a token no signer issued.
    // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent, neither pair is ever a session
    if (eq > 0 && pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim());
  }
  return values;
}

function wantsHtml(request: AuthRequest): boolean {
  // Stryker disable next-line StringLiteral: equivalent, any default without text/html reads the same
  return (request.headers['accept'] ?? '').includes('text/html');
}

/** Where a denied browser is sent: the sign-in page, which returns it to the page it asked for. */
export function signinLocation(request: Pick<AuthRequest, 'path' | 'query'>): string {
  const next = request.query ? `${request.path}?${request.query}` : request.path;
  return `${SIGNIN_PATH}?next=${encodeURIComponent(next)}`;
}

function deny(request: AuthRequest, micro: MicroAccessPolicy, reason: string, isApiClient: boolean): AuthDecision {
  const response =
    wantsHtml(request) && !isApiClient
      ? redirectResponse(302, signinLocation(request))
      : jsonResponse(401, { error: 'unauthorized', message: reason });
  return { outcome: 'deny', micro: micro.name, reason, response };
}

export async function authorize(request: AuthRequest, context: AuthContext): Promise<AuthDecision> {
  if (!isOriginForm(request.path)) {
    return {
      outcome: 'reserved',
      response: jsonResponse(400, { error: 'bad_request', message: 'the request target must be a path (origin-form), not a URL' }),
    };
  }
  const micro = context.rules.microFor(request.path);
  // Stryker disable next-line StringLiteral: equivalent, without a micro the path is reserved whatever it reads as
  const relativePath = micro ? stripBasePath(request.path, micro.path) : '';
  if (!micro || isReservedPath(relativePath)) {
    return {
      outcome: 'reserved',
      response: jsonResponse(404, { error: 'not_found', message: `${request.path} belongs to the Space runtime and is not reachable` }),
    };
  }
  // Before anything else, as in the cloud, where the router sends every preflight of such a micro to the runtime.
  if (micro.apiKeys && isCorsPreflight(request)) {
    return { outcome: 'preflight', micro: micro.name, response: preflightResponse(request) };
  }
  if (pathReadings(relativePath).every((reading) => context.rules.isPublic(micro, reading))) {
    return { outcome: 'allow', micro: micro.name, via: 'public' };
  }
  if (cookieValues(request.cookies, context.sessionCookie ?? SESSION_COOKIE).some((token) => context.verifyOwnerSession(token, context.now))) {
    return { outcome: 'allow', micro: micro.name, via: 'owner' };
  }
  const internalKey = request.headers[INTERNAL_KEY_HEADER];
  if (internalKey !== undefined && context.verifyInternalKey(internalKey.trim())) {
    return { outcome: 'allow', micro: micro.name, via: 'internal-key' };
  }
  const key = request.headers[API_KEY_HEADER];
  if (key !== undefined) {
    if (!micro.apiKeys) {
      return deny(request, micro, `the micro '${micro.name}' does not accept API keys (its Spacefile has no presets.api_keys)`, true);
    }
    const grant = await context.verifyApiKey(key.trim());
    if (!grant) return deny(request, micro, 'the X-Space-App-Key is not a valid API key of this app', true);
    if (grant.micro !== undefined && grant.micro !== micro.name) {
      return deny(request, micro, `the API key '${grant.name}' is limited to the micro '${grant.micro}'`, true);
    }
    return { outcome: 'allow', micro: micro.name, via: 'api-key', keyName: grant.name };
  }
  // Name only the credentials this micro accepts: keys are no way in where the Spacefile has no api_keys preset.
  const how = micro.apiKeys ? 'sign in as its owner or send an X-Space-App-Key' : 'sign in as its owner';
  return deny(request, micro, `this app is private: ${how}`, false);
}

/** Whether a request may open the owner's console, and why not. */
export type ConsoleDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * The owner's console (`/__space/` at the app root): the one runtime path a request may reach, and only with the
 * owner's session. API keys and the internal key open micros, never the app's management. Every reading of the
 * path must stay under `/__space`, so no spelling the console is asked for can be read as a micro's path.
 */
export function authorizeConsole(request: AuthRequest, context: Pick<AuthContext, 'sessionCookie' | 'now' | 'verifyOwnerSession'>): ConsoleDecision {
  if (!pathReadings(request.path).every((reading) => isUnder(reading, RESERVED_PREFIX))) {
    return { allowed: false, reason: `${request.path} is not a path of the console` };
  }
  if (cookieValues(request.cookies, context.sessionCookie ?? SESSION_COOKIE).some((token) => context.verifyOwnerSession(token, context.now))) {
    return { allowed: true };
  }
  return { allowed: false, reason: "the console is for the app's owner: sign in" };
}

/**
 * Auth for `spaceport dev`: the same rules as the cloud authorizer, with the two things only a local router can
 * do: redirect browsers to the sign-in page and answer 401 with a body (API Gateway answers a fixed 403).
 * The owner secret and the internal key are generated on the first run in `.spaceport/` and API keys are read
 * from `.spaceport/api-keys.json`, re-read when it changes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpResponse } from '../http-api-event';
import type { SpaceAppModel } from '../../spacefile/model';
import type { ApiKeyStore } from '../../auth/api-keys';
import { InternalKey } from '../../auth/internal-key';
import { ensureOwnerSecret, LocalApiKeyStore, stateDirFor } from '../state';
import { accessPolicyOf, type AccessPolicy } from '../../auth/policy';
import type { AuthResponse } from '../../auth/responses';
import { AccessRules, type AuthRequest, authorize, cookieValues, SESSION_COOKIE } from '../../auth/rules';
import { SessionSigner } from '../../auth/session';
import { handleSignin, isSigninPath } from '../../auth/signin';

/** A request as the dev router holds it once the body is read. */
export interface LocalRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function toAuthRequest(request: LocalRequest): AuthRequest {
  const [path = '/', query = ''] = splitOnce(request.url, '?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const cookies = (headers['cookie'] ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean);
  return { method: request.method, path, query, headers, cookies };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

export function toHttpResponse(response: AuthResponse): HttpResponse {
  const headers: Array<[string, string]> = Object.entries(response.headers);
  for (const cookie of response.cookies) headers.push(['set-cookie', cookie]);
  return { statusCode: response.status, headers, body: Buffer.from(response.body) };
}

export class LocalAuth {
  private readonly rules: AccessRules;
  private readonly signer: SessionSigner;
  private readonly internalKey: InternalKey;

  /**
   * Reads (or, on the first run, creates) `.spaceport/` next to the Spacefile. `internalKey` is passed in because
   * the micros need it whether or not auth is on (`ensureInternalKey`).
   */
  static open(app: SpaceAppModel, internalKey: string): LocalAuth {
    const stateDir = stateDirFor(app.rootDir);
    const { secret, created } = ensureOwnerSecret(stateDir);
    return new LocalAuth(accessPolicyOf(app), secret, created, internalKey, new LocalApiKeyStore(stateDir));
  }

  constructor(
    policy: AccessPolicy,
    readonly ownerSecret: string,
    /** True on the run that generated the secret: the one time `spaceport dev` prints it. */
    readonly ownerSecretCreated: boolean,
    /** The app's internal key, the `DETA_API_KEY` its micros get (`ensureInternalKey`). */
    internalKey: string,
    private readonly keys: Pick<ApiKeyStore, 'find'>,
    private readonly now: () => number = Date.now,
  ) {
    this.rules = new AccessRules(policy);
    // Local dev is plain http on localhost, where browsers drop Secure cookies (Safari) or need not see them.
    this.signer = new SessionSigner(ownerSecret, false);
    this.internalKey = new InternalKey(internalKey);
  }

  /**
   * The response auth gives instead of the micro's (a sign-in page, a denial, a micro's runtime path), or
   * undefined when the request may go on: to the micro, or to the router's own `/__space/` pages.
   */
  async answer(request: LocalRequest): Promise<HttpResponse | undefined> {
    const authRequest = toAuthRequest(request);
    if (isSigninPath(authRequest.path)) {
      return toHttpResponse(handleSignin({ ...authRequest, body: request.body.toString('utf8') }, this.signer, this.now()));
    }
    if (!this.rules.microFor(authRequest.path)) return undefined;
    const decision = await authorize(authRequest, {
      rules: this.rules,
      now: this.now(),
      verifyOwnerSession: (token, at) => this.signer.verify(token, at),
      verifyInternalKey: (key) => this.internalKey.matches(key),
      verifyApiKey: (key) => this.keys.find(key),
    });
    return decision.outcome === 'allow' ? undefined : toHttpResponse(decision.response);
  }

  /** Whether the request carries the signed-in owner's session: the only way into the browser's Base and Drive. */
  isOwner(headers: IncomingHttpHeaders): boolean {
    const { cookies } = toAuthRequest({ method: 'GET', url: '/', headers, body: Buffer.alloc(0) });
    return cookieValues(cookies, SESSION_COOKIE).some((token) => this.signer.verify(token, this.now()));
  }
}

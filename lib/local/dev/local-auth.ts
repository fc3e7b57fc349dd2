/**
 * Auth for `spaceport dev`: the same rules as the cloud authorizer, with the two things only a local router can
 * do: redirect browsers to the sign-in page and answer 401 with a body (API Gateway answers a fixed 403).
 * The owner secret and the internal key are generated on the first run in `.spaceport/` and API keys are read
 * from `.spaceport/api-keys.json`, re-read when it changes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpResponse } from '../http-api-event';
import { plainRequest } from '../plain-request';
import type { SpaceAppModel } from '../../spacefile/model';
import type { ApiKeyStore } from '../../auth/api-keys';
import { InternalKey } from '../../auth/internal-key';
import { ensureOwnerSecret, LocalApiKeyStore, OwnerSecretFile, stateDirFor } from '../state';
import { accessPolicyOf, type AccessPolicy } from '../../auth/policy';
import type { AuthResponse } from '../../auth/responses';
import { AccessRules, type AuthRequest, authorize, cookiePairs, cookieValues, SESSION_COOKIE } from '../../auth/rules';
import { localSessionCookie, RotatingSessionSigner } from '../../auth/session';
import { handleSignin, isSigninPath, MAX_SIGNIN_BODY_BYTES, signinTooLarge } from '../../auth/signin';
import { rotatingCsrfKey } from '../../console/access';
import type { ConsoleOptions } from '../../console/handler';

/** A request as the dev router holds it before its body is read. */
export interface LocalRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Reads the body, at most `limit` bytes (undefined when it is larger). Only sign-in posts are read here. */
  readonly readBody: (limit: number) => Promise<Buffer | undefined>;
}

function toAuthRequest(request: LocalRequest): AuthRequest {
  const plain = plainRequest(request);
  return { ...plain, cookies: cookiePairs(plain.headers['cookie']) };
}

export function toHttpResponse(response: AuthResponse): HttpResponse {
  const headers: Array<[string, string]> = Object.entries(response.headers);
  for (const cookie of response.cookies) headers.push(['set-cookie', cookie]);
  return { statusCode: response.status, headers, body: Buffer.from(response.body) };
}

export class LocalAuth {
  private readonly rules: AccessRules;
  private readonly signer: RotatingSessionSigner;
  private readonly internalKey: InternalKey;
  private readonly currentOwnerSecret: () => string;
  private readonly csrfKey = rotatingCsrfKey();
  /** The name of the owner's session cookie: the app's own, since every app on localhost shares the host. */
  readonly sessionCookie: string;

  /**
   * Reads (or, on the first run, creates) `.spaceport/` next to the Spacefile; the owner secret is followed as the
   * file changes (`OwnerSecretFile`). `internalKey` is passed in because the micros need it whether or not auth
   * is on (`ensureInternalKey`).
   */
  static open(app: SpaceAppModel, internalKey: string, keys: Pick<ApiKeyStore, 'find'> = new LocalApiKeyStore(stateDirFor(app.rootDir))): LocalAuth {
    const stateDir = stateDirFor(app.rootDir);
    const { secret, created } = ensureOwnerSecret(stateDir);
    const file = new OwnerSecretFile(stateDir);
    return new LocalAuth(accessPolicyOf(app), secret, created, internalKey, keys, Date.now, {
      currentOwnerSecret: () => file.read(),
      sessionCookie: localSessionCookie(app.rootDir),
    });
  }

  constructor(
    policy: AccessPolicy,
    /** The owner secret at start (what `spaceport dev` prints on the run that created it). */
    readonly ownerSecret: string,
    /** True on the run that generated the secret: the one time `spaceport dev` prints it. */
    readonly ownerSecretCreated: boolean,
    /** The app's internal key, the `DETA_API_KEY` its micros get (`ensureInternalKey`). */
    internalKey: string,
    private readonly keys: Pick<ApiKeyStore, 'find'>,
    private readonly now: () => number = Date.now,
    options: {
      /** The owner secret as it is now. @default always `ownerSecret` */
      readonly currentOwnerSecret?: () => string;
      /** @default SESSION_COOKIE */
      readonly sessionCookie?: string;
    } = {},
  ) {
    this.rules = new AccessRules(policy);
    this.sessionCookie = options.sessionCookie ?? SESSION_COOKIE;
    // Local dev is plain http on localhost, where browsers drop Secure cookies (Safari) or need not see them.
    this.currentOwnerSecret = options.currentOwnerSecret ?? (() => ownerSecret);
    this.signer = new RotatingSessionSigner(this.currentOwnerSecret, false, this.sessionCookie);
    this.internalKey = new InternalKey(internalKey);
  }

  /**
   * The response auth gives instead of the micro's (a sign-in page, a denial, a micro's runtime path), or
   * undefined when the request may go on: to the micro, or to the router's own `/__space/` pages. Decided from
   * the request line and headers alone, so a denied request's body is never read.
   */
  async answer(request: LocalRequest): Promise<HttpResponse | undefined> {
    const authRequest = toAuthRequest(request);
    if (isSigninPath(authRequest.path)) {
      const body = await request.readBody(MAX_SIGNIN_BODY_BYTES);
      if (body === undefined) return toHttpResponse(signinTooLarge());
      return toHttpResponse(handleSignin({ ...authRequest, body: body.toString('utf8') }, await this.signer.current(), this.now()));
    }
    if (!this.rules.microFor(authRequest.path)) return undefined;
    const signer = await this.signer.current();
    const decision = await authorize(authRequest, {
      rules: this.rules,
      sessionCookie: this.sessionCookie,
      now: this.now(),
      verifyOwnerSession: (token, at) => signer.verify(token, at),
      verifyInternalKey: (key) => this.internalKey.matches(key),
      verifyApiKey: (key) => this.keys.find(key),
    });
    return decision.outcome === 'allow' ? undefined : toHttpResponse(decision.response);
  }

  /** Whether the request carries the signed-in owner's session: the only way into the browser's Base and Drive. */
  async isOwner(headers: IncomingHttpHeaders): Promise<boolean> {
    const { cookies } = toAuthRequest({ method: 'GET', url: '/', headers, readBody: async () => Buffer.alloc(0) });
    const signer = await this.signer.current();
    return cookieValues(cookies, this.sessionCookie).some((token) => signer.verify(token, this.now()));
  }

  /** What the console needs to know the owner: the session as it is now, and the CSRF key of the secret as it is now. */
  async consoleOptions(): Promise<ConsoleOptions> {
    const signer = await this.signer.current();
    return {
      session: { cookieName: this.sessionCookie, verify: (token, at) => signer.verify(token, at) },
      csrfKey: this.csrfKey(this.currentOwnerSecret()),
      now: this.now,
    };
  }
}

/**
 * The owner's session: a cookie `v1.<expiry epoch seconds>.<HMAC-SHA256 signature>` signed with a key derived
 * from the owner secret. Stateless, so the authorizer verifies it without a store; `RotatingSessionSigner`
 * follows the secret as it is now, so rotating it ends every session on the next request.
 */
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SESSION_COOKIE } from './rules';

/** How long a sign-in lasts. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;

const VERSION = 'v1';

/** A new owner secret: 256 random bits, URL-safe, so it can be pasted into the sign-in form or a shell. */
export function generateOwnerSecret(): string {
  return randomBytes(32).toString('base64url');
}

export class SessionSigner {
  private readonly key: Buffer;
  private readonly secretDigest: Buffer;

  /**
   * Derives the signing key once; `secureCookies` is false only for plain-http localhost, where `cookieName`
   * is the app's own (`localSessionCookie`) because every app there shares the host.
   */
  constructor(
    ownerSecret: string,
    private readonly secureCookies: boolean,
    readonly cookieName: string = SESSION_COOKIE,
  ) {
    if (ownerSecret.length < 16) throw new Error('the owner secret is too short (at least 16 characters)');
    // A key derived for this purpose only, so the secret itself never signs anything a client can see.
    this.key = Buffer.from(hkdfSync('sha256', ownerSecret, 'spaceport', 'owner session cookie v1', 32));
    this.secretDigest = createHash('sha256').update(ownerSecret).digest();
  }

  /** Constant-time check of what the owner typed into the sign-in form. */
  isOwnerSecret(candidate: string): boolean {
    return timingSafeEqual(createHash('sha256').update(candidate).digest(), this.secretDigest);
  }

  /** A `Set-Cookie` value for a session starting at `now` (epoch ms). */
  issueCookie(now: number, ttlSeconds = SESSION_TTL_SECONDS): string {
    const expires = Math.floor(now / 1000) + ttlSeconds;
    const payload = `${VERSION}.${expires}`;
    const token = `${payload}.${this.sign(payload)}`;
    return this.cookie(token, `Max-Age=${ttlSeconds}; Expires=${new Date(expires * 1000).toUTCString()}`);
  }

  /** A `Set-Cookie` value that removes the session. */
  clearCookie(): string {
    return this.cookie('', 'Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }

  verify(token: string, now: number): boolean {
    const [version, expires, signature, ...rest] = token.split('.');
    if (version !== VERSION || !expires || !/^\d+$/.test(expires) || signature === undefined || rest.length > 0) return false;
    const expected = Buffer.from(this.sign(`${version}.${expires}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return Number(expires) * 1000 > now;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private cookie(value: string, lifetime: string): string {
    const secure = this.secureCookies ? '; Secure' : '';
    return `${this.cookieName}=${value}; Path=/; ${lifetime}; HttpOnly; SameSite=Lax${secure}`;
  }
}

/**
 * The signer of the owner secret as it is now. `readSecret` supplies the current secret on every call (how it
 * caches its source is its own business: a file's stat locally, the cloud's secret store there); the key is
 * derived again only when the secret changed. A rotation thus ends every session and retires the old secret
 * on the next request, without a restart or a new container.
 */
export class RotatingSessionSigner {
  private last?: { readonly secret: string; readonly signer: SessionSigner };

  constructor(
    private readonly readSecret: () => string | Promise<string>,
    private readonly secureCookies: boolean,
    private readonly cookieName: string = SESSION_COOKIE,
  ) {}

  async current(): Promise<SessionSigner> {
    const secret = await this.readSecret();
    if (this.last?.secret !== secret) this.last = { secret, signer: new SessionSigner(secret, this.secureCookies, this.cookieName) };
    return this.last.signer;
  }
}

/** The session cookie of a local app: apps on localhost share the host (cookies ignore ports), not the cookie. */
export function localSessionCookie(appRootDir: string): string {
  return `${SESSION_COOKIE}_${createHash('sha256').update(appRootDir).digest('hex').slice(0, 8)}`;
}

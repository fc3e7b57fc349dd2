/**
 * The app's internal key: what Space gave every micro as `DETA_API_KEY` so that one micro could call another
 * through the app's hostname with `X-API-Key: $DETA_API_KEY`, private micros included. One key per app, generated
 * (into an SSM SecureString parameter at deploy time, in `.spaceport/` locally), never chosen by a user, and
 * separate from the user API keys of `X-Space-App-Key`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header apps send the internal key in (lower-case, as auth reads headers). */
export const INTERNAL_KEY_HEADER = 'x-api-key';

/** Shorter than this cannot be a generated key (both generators make 43 characters of 62 or 64 symbols). */
export const MIN_INTERNAL_KEY_LENGTH = 32;

/** A new internal key: 256 random bits, URL-safe, so it fits a header and a shell unquoted. */
export function generateInternalKey(): string {
  return randomBytes(32).toString('base64url');
}

export class InternalKey {
  private readonly digest: Buffer;

  constructor(key: string) {
    if (key.length < MIN_INTERNAL_KEY_LENGTH) {
      throw new Error(`the app's internal key is too short (${key.length} characters, at least ${MIN_INTERNAL_KEY_LENGTH})`);
    }
    this.digest = sha256(key);
  }

  /** Constant-time: digests of equal length are compared, so neither the key's length nor its prefix leaks. */
  matches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.digest);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

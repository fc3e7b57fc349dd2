/**
 * The session cookie's format is a contract: the sign-in function issues it and the authorizer checks it, possibly
 * from different versions during a deploy, so a change of derivation or layout would sign the owner out.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localSessionCookie, SessionSigner } from '../../lib/auth/session';
import { NOW, OWNER_SECRET } from './fixtures';

/** `v1.<expiry>.<HMAC-SHA256>` with the key HKDF-SHA256(owner secret, salt "spaceport", info "owner session cookie v1"). */
function signed(payload: string): string {
  const key = Buffer.from(hkdfSync('sha256', OWNER_SECRET, 'spaceport', 'owner session cookie v1', 32));
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

const signer = new SessionSigner(OWNER_SECRET, true);
const future = Math.floor(NOW / 1000) + 3600;

describe('the session cookie', () => {
  it('is v1.<expiry seconds>.<signature> with the documented key derivation', () => {
    const [cookie] = [signer.issueCookie(NOW, 3600)];
    expect(cookie.split(';')[0]).toBe(`spaceport_session=${signed(`v1.${future}`)}`);
    expect(signer.verify(signed(`v1.${future}`), NOW)).toBe(true);
  });

  it('states its expiry as a date a browser reads, matching Max-Age', () => {
    expect(signer.issueCookie(NOW, 3600)).toContain(`; Max-Age=3600; Expires=${new Date(future * 1000).toUTCString()};`);
    expect(signer.issueCookie(NOW, 3600)).toContain('Expires=Wed, 15 Jan 2025 13:00:00 GMT');
  });

  it('ends with SameSite=Lax, and Secure only where cookies are secure', () => {
    expect(new SessionSigner(OWNER_SECRET, false).issueCookie(NOW)).toMatch(/; HttpOnly; SameSite=Lax$/);
    expect(signer.issueCookie(NOW)).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    expect(signer.clearCookie()).toBe('spaceport_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax; Secure');
  });

  it.each([
    ['another version', signed(`v2.${future}`)],
    ['no version', signed(`.${future}`)],
    ['no expiry', signed('v1.')],
    ['an exponent expiry', signed('v1.1e20')],
    ['a signed expiry', signed(`v1.+${future}`)],
    ['a trailing letter', signed(`v1.${future}x`)],
    ['an extra segment', `${signed(`v1.${future}`)}.x`],
    ['a short signature', `v1.${future}.abc`],
    ['no signature', `v1.${future}`],
    ['a signature of another payload', `v1.${future}.${signed(`v1.${future + 1}`).split('.')[2]}`],
  ])('refuses a token with %s, even when signed with the right key', (_, token) => {
    expect(signer.verify(token, NOW)).toBe(false);
  });

  it('needs an owner secret of at least 16 characters', () => {
    expect(() => new SessionSigner('x'.repeat(15), true)).toThrow('the owner secret is too short (at least 16 characters)');
    expect(new SessionSigner('x'.repeat(16), true).isOwnerSecret('x'.repeat(16))).toBe(true);
  });
});

describe('local session cookies', () => {
  it('are named per app, so two apps on localhost do not sign each other in', () => {
    const hash = createHash('sha256').update('/home/me/notes').digest('hex').slice(0, 8);
    expect(localSessionCookie('/home/me/notes')).toBe(`spaceport_session_${hash}`);
    expect(localSessionCookie('/home/me/todo')).not.toBe(localSessionCookie('/home/me/notes'));
  });
});

/** API keys as a user meets them: recognisable keys, names that can be typed on a command line, records without the key. */
import { describe, expect, it } from 'vitest';
import { checkKeyName, generateApiKey, hashApiKey, newApiKey } from '../../lib/auth/api-keys';

describe('API keys', () => {
  it('start with spk_ so a secret scanner or a reader recognises them', () => {
    expect(generateApiKey()).toMatch(/^spk_[A-Za-z0-9_-]{43}$/);
  });

  it.each(['ci', 'a', 'deploy-bot_2.0', '9lives', 'x'.repeat(64)])('accepts the key name %s', (name) => {
    expect(() => checkKeyName(name)).not.toThrow();
  });

  it.each(['', '-ci', '.hidden', 'ci!', 'two words', 'x'.repeat(65)])('refuses the key name %j, saying what a name may be', (name) => {
    expect(() => checkKeyName(name)).toThrow(
      `'${name}' is not a valid key name: use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  });

  it('records a key by its hash, with its micro only when it is limited to one', () => {
    const now = new Date(Date.UTC(2025, 0, 15));
    const limited = newApiKey('ci', 'api', now);
    expect(limited.record).toEqual({ name: 'ci', micro: 'api', hash: hashApiKey(limited.key), createdAt: '2025-01-15T00:00:00.000Z' });
    expect(limited.record.hash).toMatch(/^[0-9a-f]{64}$/);
    const everywhere = newApiKey('all', undefined, now);
    expect(Object.keys(everywhere.record)).toEqual(['name', 'hash', 'createdAt']);
    expect(() => newApiKey('bad name', undefined, now)).toThrow('not a valid key name');
  });
});

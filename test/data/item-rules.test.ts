/**
 * What an item may be, at its edges: a key of exactly the size limit, a blank key (generated, as for a missing one),
 * and key order where a surrogate pair (a code point above U+FFFF) meets the BMP characters after the surrogates.
 * Examples, not properties: key-order.test.ts checks the order on random strings, which may miss these edges.
 */
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../lib/data/base-store';
import { checkKey, toWrite } from '../../lib/data/items';
import { MAX_KEY_BYTES } from '../../lib/data/limits';

describe('keys', () => {
  it('takes a key of exactly the limit and refuses one byte more, wherever the key came from', () => {
    const longest = 'k'.repeat(MAX_KEY_BYTES);
    expect(checkKey(longest, 'the path')).toBe(longest);
    expect(toWrite({ key: longest }, 'the item').item.key).toBe(longest);
    expect(() => checkKey(`${longest}k`, 'the path')).toThrow(`the path is ${MAX_KEY_BYTES + 1} bytes, at most ${MAX_KEY_BYTES} are allowed`);
  });

  it.each([[undefined], [null], ['']])('generates a key for an item whose key is %p', (key) => {
    const { item } = toWrite({ key, a: 1 }, 'the item');
    expect(item).toEqual({ key: expect.stringMatching(/^[a-z0-9]{12}$/), a: 1 });
  });

  it('says an item that is not there is missing, rather than "the undefined undefined"', () => {
    expect(() => toWrite(undefined, 'items[0]')).toThrow(/^Item must be a JSON object: items\[0\] is missing$/);
  });

  it('refuses a key of blanks, which is no key at all', () => {
    expect(() => toWrite({ key: '  ' }, 'the item')).toThrow('Key is empty');
  });
});

describe('key order at the surrogates', () => {
  it('puts U+10000 (the first surrogate pair, \\uD800\\uDC00) after U+E000, the first BMP character past the surrogates', () => {
    expect(compareKeys('\u{10000}', '\uE000')).toBeGreaterThan(0);
    expect(compareKeys('\uE000', '\u{10000}')).toBeLessThan(0);
    expect(['\u{10000}', '\uE000', '\uD7FF'].sort(compareKeys)).toEqual(['\uD7FF', '\uE000', '\u{10000}']);
  });
});

/** Key order and ordered scans, shared by every backend: code point order (DynamoDB's and S3's byte order). */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compareKeys, inKeyRange, type KeyRange } from '../../lib/data/base-store';
import { OrderedMap } from '../../lib/local/data/sorted-keys';

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

it('orders keys as UTF-8 bytes, unlike JavaScript string comparison', () => {
  expect('\u{1F600}' < '\uFF61').toBe(true);
  expect(compareKeys('\u{1F600}', '\uFF61')).toBeGreaterThan(0);
  expect(compareKeys('\u{10FFFF}', '\u{10FFFE}')).toBeGreaterThan(0);
  expect(compareKeys('\u{10FFFE}', '\u{10FFFF}')).toBeLessThan(0);
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
      expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(utf8Order(a, b)));
    }),
  );
});

it('scans exactly the keys of a range, in either direction, resuming after a key', () => {
  const keyArb = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '/', 'é', '\u{1F600}'), maxLength: 4 });
  fc.assert(
    fc.property(
      fc.uniqueArray(keyArb, { maxLength: 30 }),
      fc.record({
        prefix: fc.option(keyArb, { nil: undefined }),
        from: fc.option(keyArb, { nil: undefined }),
        to: fc.option(keyArb, { nil: undefined }),
        fromExclusive: fc.boolean(),
        toExclusive: fc.boolean(),
      }),
      fc.boolean(),
      fc.option(keyArb, { nil: undefined }),
      fc.integer({ min: 1, max: 10 }),
      (keys, range: KeyRange, descending, after, limit) => {
        const map = new OrderedMap<number>();
        keys.forEach((key, index) => map.set(key, index));
        const expected = [...keys]
          .sort(compareKeys)
          .filter((key) => inKeyRange(key, range))
          .filter((key) => after === undefined || (descending ? compareKeys(key, after) < 0 : compareKeys(key, after) > 0));
        if (descending) expected.reverse();
        const page = map.scan(range, descending, after, limit);
        expect(page.keys).toEqual(expected.slice(0, limit));
        expect(page.done).toBe(expected.length <= limit);
      },
    ),
  );
});

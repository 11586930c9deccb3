import { describe, expect, it } from 'vitest';
import { sortInPlace, sortStrings } from '../src/core/sort.js';
import { xorshift32 } from './support/xorshift.js';

describe('sortInPlace and sortStrings', () => {
  const random = xorshift32(42);
  const int = (n: number) => Math.floor(random() * n);
  const word = () => {
    // Few letters, so duplicates and shared prefixes are common; one non-ASCII letter to check code unit order.
    const letters = ['a', 'b', 'B', ':', 'ſ', '-'];
    let s = '';
    for (let n = int(4); n >= 0; n--) s += letters[int(letters.length)] as string;
    return s;
  };

  it('orders strings exactly as Array.prototype.sort does, short lists and long ones', () => {
    for (let length = 0; length <= 40; length++)
      for (let trial = 0; trial < 20; trial++) {
        const items = Array.from({ length }, word);
        const expected = [...items].sort();
        const sorted = sortStrings(items);
        expect(sorted).toBe(items);
        expect(sorted).toEqual(expected);
      }
  });

  it('is stable: items that compare equal keep their order', () => {
    for (let length = 0; length <= 40; length++) {
      const items = Array.from({ length }, (_, i) => ({ key: int(3), i }));
      const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
      const expected = [...items].sort(byKey).map((x) => x.i);
      expect(sortInPlace(items, byKey).map((x) => x.i)).toEqual(expected);
    }
  });
});

/** Tag objects are built through a Map and written once in key order (sortedRecord); they read like any object. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortedRecord } from '../../src/core/model/governance-tags.js';

describe('sortedRecord', () => {
  it('is a plain object with the entries, keys in code unit order, the same JSON as a sorted literal', () => {
    const keys = fc.array(
      fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(keys, (ks) => {
        const entries = new Map(ks.map((k, i) => [k, `v${i}`]));
        const out = sortedRecord(entries);
        // The reference: a literal written key by key in sorted order (what the tags were before).
        const ref: Record<string, string> = {};
        for (const k of [...entries.keys()].sort()) ref[k] = entries.get(k) as string;
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        expect(Object.keys(out)).toEqual(Object.keys(ref));
        expect(JSON.stringify(out)).toBe(JSON.stringify(ref));
        expect(out).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps integer-like keys first, as any object does', () => {
    expect(
      Object.keys(
        sortedRecord(
          new Map([
            ['b', '1'],
            ['10', '2'],
            ['9', '3'],
            ['a', '4'],
          ]),
        ),
      ),
    ).toEqual(['9', '10', 'a', 'b']);
  });
});

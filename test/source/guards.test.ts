/** The item guard counts lines plus commas with `indexOf`; checked against a character-by-character reference. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countItems, findTooManyItems } from '../../src/core/source/guards.js';

/** Reference: every `\n` and `,`, one character at a time; the offset of the one that passes `limit`. */
function reference(text: string, limit: number): { count: number; over: number } {
  let count = 0;
  let over = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n' || text[i] === ',') {
      count++;
      if (count > limit && over < 0) over = i;
    }
  }
  return { count, over };
}

const texts = fc
  .array(fc.constantFrom('\n', ',', 'a', ' ', '- x', '\r\n', '{a, b}', 'é'), { maxLength: 200 })
  .map((parts) => parts.join(''));

describe('countItems and findTooManyItems', () => {
  it('count every line break and comma, and find where the count first passes the limit', () => {
    fc.assert(
      fc.property(texts, fc.nat(60), (text, limit) => {
        const ref = reference(text, limit);
        expect(countItems(text)).toBe(ref.count);
        expect(findTooManyItems(text, limit)).toBe(ref.over);
      }),
      { numRuns: 500 },
    );
  });

  it('a text exactly at the limit passes; one more item is found where it is', () => {
    expect(findTooManyItems('a,b\nc', 2)).toBe(-1);
    expect(findTooManyItems('a,b\nc,', 2)).toBe(5);
    expect(findTooManyItems(',,,', 0)).toBe(0);
    expect(countItems('')).toBe(0);
  });
});

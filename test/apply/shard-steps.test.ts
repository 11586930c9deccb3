import { describe, expect, it } from 'vitest';
import { shardCountSteps } from '../../src/core/apply/shard-steps.js';

describe('shardCountSteps (UpdateShardCount: at most double, at least half per call)', () => {
  it.each([
    [4, 16, [8, 16]],
    [16, 3, [8, 4, 3]],
    [1, 1, []],
    [1, 2, [2]],
    [3, 5, [5]],
    [3, 7, [6, 7]],
    [5, 2, [3, 2]],
    [2, 1, [1]],
  ])('%i -> %i is %j', (from, to, want) => {
    expect(shardCountSteps(from, to)).toEqual(want);
  });

  it('keeps every call within 50%..200% of the count before it and ends at the target', () => {
    for (let from = 1; from <= 40; from++) {
      for (let to = 1; to <= 40; to++) {
        const steps = shardCountSteps(from, to);
        let cur = from;
        for (const s of steps) {
          expect(s).toBeLessThanOrEqual(cur * 2);
          expect(s * 2).toBeGreaterThanOrEqual(cur);
          cur = s;
        }
        expect(cur).toBe(to);
        // Fewest calls: each step but the last goes the whole way (doubling or halving).
        expect(steps.length).toBeLessThanOrEqual(Math.ceil(Math.abs(Math.log2(to / from))) + 1);
      }
    }
  });

  it('rejects non-positive counts', () => {
    expect(() => shardCountSteps(0, 4)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/adapters/aws/concurrency.js';
import { KINESIS_QUOTAS_TPS, QUOTA_SHARE, RateLimiter, TokenBucket } from '../../src/adapters/aws/rate-limit.js';
import type { Timer } from '../../src/core/ports.js';

/** A fake clock: sleeping advances time, so rates are checked without waiting. */
function fakeClock(): Timer & { slept: number[]; ms: () => number } {
  let t = 0;
  const slept: number[] = [];
  return {
    now: () => new Date(t),
    ms: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

describe('rate limits', () => {
  it('stay below the documented Kinesis control-plane quotas', () => {
    expect(KINESIS_QUOTAS_TPS).toMatchObject({
      ListStreams: 5,
      ListTagsForStream: 5,
      DescribeStreamSummary: 20,
      ListStreamConsumers: 5,
      GetResourcePolicy: 5,
    });
    for (const [op, quota] of Object.entries(KINESIS_QUOTAS_TPS)) expect(RateLimiter.rateFor(op)).toBeLessThan(quota);
    expect(RateLimiter.rateFor('DescribeStreamSummary')).toBe(20 * QUOTA_SHARE);
  });

  it('a token bucket lets a burst through, then spaces calls at its rate', async () => {
    const clock = fakeClock();
    const b = new TokenBucket(4, 4, clock);
    for (let i = 0; i < 12; i++) await b.take();
    // 4 at once, then 8 more at 4/s: two seconds of simulated time.
    expect(clock.ms()).toBeGreaterThanOrEqual(2000);
    expect(clock.ms()).toBeLessThan(2100);
  });

  it('limits per account and operation independently', async () => {
    const clock = fakeClock();
    const l = new RateLimiter(1, clock);
    for (let i = 0; i < 4; i++) await l.take('111111111111', 'ListStreams');
    for (let i = 0; i < 4; i++) await l.take('222222222222', 'ListStreams');
    for (let i = 0; i < 16; i++) await l.take('111111111111', 'DescribeStreamSummary');
    expect(clock.slept).toEqual([]);
    await l.take('111111111111', 'ListStreams');
    expect(clock.slept.length).toBeGreaterThan(0);
  });

  it('takes 80 % of a quota by default, and the whole quota only when told to', async () => {
    const measure = async (share?: number) => {
      const clock = fakeClock();
      const l = share === undefined ? new RateLimiter(1, clock) : new RateLimiter(1, clock, share);
      // GetResourcePolicy: 5 TPS. Ten seconds of calls after the first burst.
      for (let i = 0; i < 54; i++) await l.take('1', 'GetResourcePolicy');
      return clock.ms();
    };
    // 0.8 x 5 = 4 per second: 4 at once, then 50 more take 12.5 s; at the whole quota 5 at once, 49 more 9.8 s.
    expect(await measure()).toBe(12_500);
    expect(await measure(1)).toBe(9_800);
  });

  it('charges a request by its cost (data points), queued behind earlier takes', async () => {
    const clock = fakeClock();
    const l = new RateLimiter(1, clock);
    await l.take('1', 'GetMetricData:datapoints', 144_000);
    expect(clock.slept).toEqual([]);
    await l.take('1', 'GetMetricData:datapoints', 72_000);
    expect(clock.ms()).toBe(500);
  });

  it('can be switched off', async () => {
    const clock = fakeClock();
    const l = new RateLimiter(0, clock);
    for (let i = 0; i < 100; i++) await l.take('1', 'ListStreams');
    expect(clock.slept).toEqual([]);
  });
});

describe('mapLimit', () => {
  it('keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let max = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (x) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(max).toBe(2);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapLimit([1, 2, 3], 2, async (x) => {
        if (x === 2) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
  });
});

/** The quota-floor bench's timeline: where the time beyond the floor goes, from the proxy's per-API arrival times. */
import { describe, expect, it } from 'vitest';
import { timelineOf } from '../../bench/quota-floor.js';

const c = (calls: number, firstAt: number, lastAt: number) => ({
  calls,
  throttled: 0,
  transitionRefused: 0,
  firstAt,
  lastAt,
});

describe('timelineOf', () => {
  it('takes the earliest first and the latest last call over accounts, relative to the start', () => {
    const t = timelineOf(
      {
        '111111111111': { ListStreams: c(1, 10_900, 10_900), GetResourcePolicy: c(200, 11_100, 60_000) },
        '222222222222': { ListStreams: c(1, 10_950, 10_950), GetResourcePolicy: c(200, 11_200, 60_200) },
        '333333333333': { DescribeStreamSummary: c(100, 11_300, 60_300) },
      },
      'GetResourcePolicy',
      10_000,
      50_700,
    );
    expect(t).toEqual({
      firstCallMs: 900,
      bindingApi: 'GetResourcePolicy',
      bindingFirstMs: 1_100,
      bindingLastMs: 50_200,
      lastCallMs: 50_300,
      exitMs: 50_700,
    });
  });

  it('says NaN for an API that was never called', () => {
    const t = timelineOf({ a: { ListStreams: c(1, 5, 5) } }, 'CreateStream', 0, 10);
    expect(t.bindingFirstMs).toBeNaN();
    expect(t.bindingLastMs).toBeNaN();
  });
});

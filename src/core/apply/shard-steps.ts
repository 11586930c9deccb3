/**
 * UpdateShardCount rules (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html):
 * a call may not set more than double the current open shard count nor below half of it, and a stream may be
 * scaled at most ten times per rolling 24 hours. UpdateStreamMode: at most two switches per stream per rolling
 * 24 hours (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html).
 */

/** Per-stream budgets in a rolling 24 h window. */
export const SHARD_COUNT_UPDATES_PER_DAY = 10;
export const MODE_SWITCHES_PER_DAY = 2;
export const BUDGET_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The targets of successive UpdateShardCount calls from `from` to `to` open shards: each at most double (up) or
 * at least half, rounded up (down), of the count before it. `4 -> 16` is `[8, 16]`; `16 -> 3` is `[8, 4, 3]`.
 */
export function shardCountSteps(from: number, to: number): number[] {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < 1)
    throw new RangeError(`shard counts must be positive integers (got ${from} -> ${to})`);
  const out: number[] = [];
  let cur = from;
  while (cur !== to) {
    cur = to > cur ? Math.min(to, cur * 2) : Math.max(to, Math.ceil(cur / 2));
    out.push(cur);
  }
  return out;
}

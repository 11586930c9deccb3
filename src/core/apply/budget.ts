/**
 * Daily budgets of scaling operations, counted from the audit log: every UpdateShardCount / UpdateStreamMode call
 * meshgov made on the stream in the last 24 h that succeeded, or whose answer was lost (it may have reached AWS):
 * an error that says so, or an intent line with no outcome (the run died while the call was in flight).
 * Calls made by others (autoscaling, the console) are not known here; AWS then refuses with LimitExceededException,
 * which apply reports as a quota.
 */
import { unansweredIntents } from './summary.js';
import type { AuditEntry } from './types.js';
import { BUDGET_WINDOW_MS, MODE_SWITCHES_PER_DAY, SHARD_COUNT_UPDATES_PER_DAY } from './shard-steps.js';

export interface BudgetState {
  /** UpdateShardCount calls left in the window. */
  shardUpdatesLeft: number;
  modeSwitchesLeft: number;
  /** When the oldest counted call leaves the window (ISO 8601), if any was counted. */
  nextFreeAt?: string;
}

/** Whether an outcome counts against a budget: ok, or an error that may have reached the service. */
function counts(e: AuditEntry): boolean {
  if (e.result === 'ok') return true;
  return /socket hang up|ECONNRESET|EPIPE|TimeoutError|ETIMEDOUT|network|aborted/i.test(e.error ?? '');
}

/** Budget left for a stream (matched by account and the stream ARN's `:stream/<name>` suffix). */
export function budgetFor(history: readonly AuditEntry[], account: string, stream: string, now: Date): BudgetState {
  const since = now.getTime() - BUDGET_WINDOW_MS;
  const suffix = `:stream/${stream}`;
  // Each call once: its outcome when there is one, else (conservatively) its unanswered intent.
  const calls = [...history.filter((e) => e.result !== 'started' && counts(e)), ...unansweredIntents(history)];
  const mine = (e: AuditEntry) => e.account === account && e.resource.endsWith(suffix);
  const relevant = calls.filter((e) => mine(e) && Date.parse(e.time) > since);
  const shard = relevant.filter((e) => e.api === 'kinesis:UpdateShardCount');
  const mode = relevant.filter((e) => e.api === 'kinesis:UpdateStreamMode');
  const times = [...shard, ...mode].map((e) => Date.parse(e.time)).sort((a, b) => a - b);
  return {
    shardUpdatesLeft: Math.max(0, SHARD_COUNT_UPDATES_PER_DAY - shard.length),
    modeSwitchesLeft: Math.max(0, MODE_SWITCHES_PER_DAY - mode.length),
    ...(times.length ? { nextFreeAt: new Date((times[0] as number) + BUDGET_WINDOW_MS).toISOString() } : {}),
  };
}

/** A message when `shardUpdates` UpdateShardCount and `modeSwitches` UpdateStreamMode calls do not fit the budget. */
export function budgetShortfall(b: BudgetState, shardUpdates: number, modeSwitches: number): string | undefined {
  const parts: string[] = [];
  if (shardUpdates > b.shardUpdatesLeft)
    parts.push(
      `needs ${shardUpdates} UpdateShardCount call(s) but ${b.shardUpdatesLeft} of ${SHARD_COUNT_UPDATES_PER_DAY} are left in the rolling 24 h window`,
    );
  if (modeSwitches > b.modeSwitchesLeft)
    parts.push(
      `needs ${modeSwitches} UpdateStreamMode call(s) but ${b.modeSwitchesLeft} of ${MODE_SWITCHES_PER_DAY} are left in the rolling 24 h window`,
    );
  if (!parts.length) return undefined;
  return `${parts.join('; ')}${b.nextFreeAt ? `; the budget frees up from ${b.nextFreeAt}` : ''}`;
}

import { describe, expect, it } from 'vitest';
import { budgetFor } from '../../src/core/apply/budget.js';
import { buildSteps, capacityCalls, TAG_DELETION_PROTECTION } from '../../src/core/apply/steps.js';
import type { StreamCapacityChange } from '../../src/core/plan/types.js';
import { A1, A2, aChange, anEntry } from './builders.js';

const NOW = new Date('2026-01-02T12:00:00Z');
const opts = { allowDestructive: false, history: [], now: NOW };

describe('buildSteps: lanes and order', () => {
  it('puts each stream in its own lane in plan order, IAM lanes after stream lanes, and drops no-ops', () => {
    const create = aChange({ resourceType: 'stream', action: 'create', stream: 'b.v1', after: { mode: 'ON_DEMAND' } });
    const policy = aChange({ resourceType: 'stream-policy', action: 'create', stream: 'b.v1', dependsOn: [create.id] });
    const tags = aChange({
      resourceType: 'stream-tags',
      stream: 'a.v1',
      account: A2,
      after: { tags: { x: '1' } },
      before: { tags: {} },
    });
    const iam = aChange({ resourceType: 'iam-policy', action: 'create', stream: undefined });
    const noop = aChange({ resourceType: 'stream', action: 'no-op', stream: 'c.v1' });
    const { lanes, skipped } = buildSteps([iam, policy, noop, tags, create], opts);
    expect(skipped).toEqual([]);
    expect(lanes.map((l) => [l.key, l.phase, l.steps.map((s) => s.id)])).toEqual([
      [`${A1}/stream/b.v1`, 'stream', [create.id, policy.id]],
      [`${A2}/stream/a.v1`, 'stream', [tags.id]],
      [`${A1}/iam`, 'iam', [iam.id]],
    ]);
  });

  it('expects a mode switch before the shard-count steps', () => {
    const c = aChange({
      resourceType: 'stream-capacity',
      risk: 'destructive',
      before: { mode: 'ON_DEMAND', shards: 4 },
      after: { mode: 'PROVISIONED', shards: 16 },
    });
    expect(capacityCalls(c as StreamCapacityChange).calls).toEqual([
      'UpdateStreamMode ON_DEMAND->PROVISIONED',
      'UpdateShardCount 4->8',
      'UpdateShardCount 8->16',
    ]);
    const down = aChange({
      resourceType: 'stream-capacity',
      risk: 'disruptive',
      before: { shards: 16 },
      after: { shards: 3 },
    });
    expect(buildSteps([down], opts).lanes[0]?.steps[0]?.expectedCalls).toEqual([
      'UpdateShardCount 16->8',
      'UpdateShardCount 8->4',
      'UpdateShardCount 4->3',
    ]);
  });
});

describe('buildSteps: destructive gating', () => {
  const retentionDown = aChange({
    resourceType: 'stream-retention',
    risk: 'destructive',
    before: { retentionHours: 168 },
    after: { retentionHours: 24 },
    reasons: ['x', 'records older than 24 h become inaccessible at once'],
  });
  const safeTags = aChange({ resourceType: 'stream-tags', after: { tags: { a: 'b' } }, before: { tags: {} } });

  it('skips destructive changes without allowDestructive, says why, and keeps the safe ones', () => {
    const { lanes, skipped } = buildSteps([retentionDown, safeTags], opts);
    expect(lanes.flatMap((l) => l.steps.map((s) => s.id))).toEqual([safeTags.id]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ id: retentionDown.id, status: 'skipped', skipReason: 'destructive' });
    expect(skipped[0]?.message).toContain('--allow-destructive');
  });

  it('runs them with allowDestructive', () => {
    const { lanes, skipped } = buildSteps([retentionDown, safeTags], { ...opts, allowDestructive: true });
    expect(skipped).toEqual([]);
    expect(lanes[0]?.steps.map((s) => s.id)).toEqual([retentionDown.id, safeTags.id]);
  });

  it('skips what depends on a skipped change', () => {
    const revoke = aChange({ resourceType: 'consumer', action: 'delete', risk: 'destructive' });
    const after = aChange({ resourceType: 'consumer-policy', action: 'create', dependsOn: [revoke.id] });
    const { skipped } = buildSteps([revoke, after], opts);
    expect(skipped.map((s) => [s.id, s.skipReason])).toEqual([
      [revoke.id, 'destructive'],
      [after.id, 'dependency'],
    ]);
  });

  it('refuses to delete a deletion-protected stream even with allowDestructive', () => {
    const del = aChange({
      resourceType: 'stream',
      action: 'delete',
      risk: 'destructive',
      before: { tags: { [TAG_DELETION_PROTECTION]: 'true' } },
    });
    const free = aChange({
      resourceType: 'stream',
      action: 'delete',
      risk: 'destructive',
      stream: 'old.v1',
      before: { tags: {} },
    });
    const { lanes, skipped } = buildSteps([del, free], { ...opts, allowDestructive: true });
    expect(skipped.map((s) => [s.id, s.skipReason])).toEqual([[del.id, 'deletion-protected']]);
    expect(lanes.flatMap((l) => l.steps.map((s) => s.id))).toEqual([free.id]);
  });
});

describe('scaling budgets (10 UpdateShardCount and 2 UpdateStreamMode per stream per rolling 24 h)', () => {
  const scaleUp = aChange({
    resourceType: 'stream-capacity',
    risk: 'disruptive',
    before: { shards: 4 },
    after: { shards: 16 },
  });
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000).toISOString();

  it('counts successful and possibly-delivered calls of the last 24 h only, per stream', () => {
    const history = [
      ...Array.from({ length: 7 }, (_, i) => anEntry({ time: hoursAgo(i + 1) })),
      anEntry({ time: hoursAgo(2), result: 'error', error: 'InvalidArgumentException: no' }),
      anEntry({ time: hoursAgo(3), result: 'error', error: 'socket hang up' }),
      anEntry({ time: hoursAgo(30) }),
      anEntry({ time: hoursAgo(1), resource: `arn:aws:kinesis:eu-west-1:${A1}:stream/other.v1` }),
      anEntry({ time: hoursAgo(1), api: 'kinesis:UpdateStreamMode' }),
    ];
    const b = budgetFor(history, A1, 'orders.v1', NOW);
    expect(b.shardUpdatesLeft).toBe(2);
    expect(b.modeSwitchesLeft).toBe(1);
    expect(b.nextFreeAt).toBe(new Date(Date.parse(hoursAgo(7)) + 24 * 3600_000).toISOString());
  });

  const OTHER_STREAM = `arn:aws:kinesis:eu-west-1:${A1}:stream/other.v1`;

  it('counts a call whose intent was logged but not its outcome (the run died in flight), once per call', () => {
    const intent = (id: string, h: number, api = 'kinesis:UpdateShardCount') => {
      return anEntry({ result: 'started', id, time: hoursAgo(h), api });
    };
    const history = [
      // Answered: the outcome decides (ok counts, a clean refusal does not), never the intent as well.
      intent('a', 3),
      anEntry({ id: 'a', time: hoursAgo(3) }),
      intent('b', 2),
      anEntry({ id: 'b', time: hoursAgo(2), result: 'error', error: 'InvalidArgumentException: no' }),
      // Unanswered: may have reached AWS.
      intent('c', 1),
      intent('d', 1, 'kinesis:UpdateStreamMode'),
      // Out of the window, or another stream.
      intent('e', 25),
      anEntry({ result: 'started', id: 'f', time: hoursAgo(1), resource: OTHER_STREAM }),
    ];
    const b = budgetFor(history, A1, 'orders.v1', NOW);
    expect(b.shardUpdatesLeft).toBe(10 - 2);
    expect(b.modeSwitchesLeft).toBe(2 - 1);
    expect(b.nextFreeAt).toBe(new Date(Date.parse(hoursAgo(3)) + 24 * 3600_000).toISOString());
  });

  it('skips a capacity change that needs more calls than are left, and says when the budget frees up', () => {
    const history = Array.from({ length: 9 }, (_, i) => anEntry({ time: hoursAgo(i + 1) }));
    const { skipped, lanes } = buildSteps([scaleUp], { ...opts, history });
    expect(lanes).toEqual([]);
    expect(skipped[0]?.skipReason).toBe('budget');
    expect(skipped[0]?.message).toContain('needs 2 UpdateShardCount call(s) but 1 of 10 are left');
    const fits = buildSteps([scaleUp], { ...opts, history: history.slice(1) });
    expect(fits.skipped).toEqual([]);
  });

  it('skips a third mode switch within 24 h', () => {
    const sw = aChange({
      resourceType: 'stream-capacity',
      risk: 'destructive',
      before: { mode: 'PROVISIONED', shards: 2 },
      after: { mode: 'ON_DEMAND' },
    });
    const history = [
      anEntry({ api: 'kinesis:UpdateStreamMode', time: hoursAgo(5) }),
      anEntry({ api: 'kinesis:UpdateStreamMode', time: hoursAgo(4) }),
    ];
    const { skipped } = buildSteps([sw], { ...opts, allowDestructive: true, history });
    expect(skipped[0]?.message).toContain('UpdateStreamMode');
    expect(buildSteps([sw], { ...opts, allowDestructive: true, history: history.slice(1) }).skipped).toEqual([]);
  });
});

/**
 * The plan's cost: before/after per stream, per change, per domain and in total, from the shipped table and from the
 * Price List path (same figures), carried in the saved plan without touching the change-set digest.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fetchPriceTable } from '../../src/adapters/aws/pricing.js';
import type { PricingSender } from '../../src/adapters/aws/pricing.js';
import { planCost } from '../../src/core/cost/plan-cost.js';
import { shippedPriceTable } from '../../src/core/cost/prices/shipped.js';
import { usageFromMesh } from '../../src/core/cost/usage.js';
import { changeSetDigest, computePlan, parsePlan } from '../../src/core/plan/index.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { plainStyle } from '../../src/output/style.js';
import type { LiveState } from '../../src/core/plan/live.js';
import type { DesiredState } from '../../src/core/render/types.js';
import { A1, aDesiredConsumer, aDesiredStream, clock, desiredState, liveOf, liveState } from '../plan/builders.js';
import { exampleMesh } from '../support/example-mesh.js';

const US = shippedPriceTable('us-east-1').table;
const EU = shippedPriceTable('eu-west-1').table;

function plan(desired: DesiredState, live: LiveState) {
  return computePlan({ desired, live, meshDigest: 'd'.repeat(64), clock, target: 'local' });
}

function recordedClient(): PricingSender {
  const read = (n: string) =>
    JSON.parse(readFileSync(new URL(`./fixtures/${n}`, import.meta.url), 'utf8')) as {
      PriceList: string[];
      NextToken?: string;
    };
  const p1 = read('get-products-kinesis-us-east-1.page1.json');
  const p2 = read('get-products-kinesis-us-east-1.page2.json');
  const cw = read('get-products-cloudwatch-us-east-1.json');
  return {
    send: (c) =>
      Promise.resolve(c.input.ServiceCode === 'AmazonCloudWatch' ? cw : c.input.NextToken === p1.NextToken ? p2 : p1),
  };
}

describe('the example mesh planned from empty', () => {
  const { mesh, desired } = exampleMesh();
  const live = liveState(desired.accounts.map((a) => ({ account: a.account })));
  const p = plan(desired, live);
  const usage = usageFromMesh(mesh);

  it('prices every stream from the shipped table of the mesh region, dated, with its source', () => {
    const cost = planCost({ plan: p, desired, live, prices: EU, usage });
    expect(cost.prices).toMatchObject({ kind: 'shipped', region: 'eu-west-1', asOf: EU.asOf });
    expect(cost.prices.source).toContain('aws.amazon.com/kinesis/data-streams/pricing');
    expect(cost.streams.map((s) => s.stream).sort()).toEqual(mesh.streams.map((s) => s.name).sort());
    expect(cost.streams.every((s) => s.beforeUSD === null && s.afterUSD !== null && s.afterUSD > 0)).toBe(true);
    expect(cost.total.beforeUSD).toBe(0);
    expect(cost.total.deltaUSD).toBeCloseTo(
      cost.streams.reduce((n, s) => n + (s.afterUSD ?? 0), 0),
      3,
    );
    expect(cost.domains.map((d) => d.domain)).toEqual([...new Set(mesh.streams.map((s) => s.domain))].sort());
    // Every stream create is a change with the stream's whole cost.
    for (const s of cost.streams) {
      expect(cost.changes.find((c) => c.changeId === `stream:${s.account}/stream/${s.stream}`)?.deltaUSD).toBe(
        s.afterUSD,
      );
    }
  });

  it('says for every stream whether its usage is declared or assumed', () => {
    const cost = planCost({ plan: p, desired, live, prices: EU, usage });
    for (const s of mesh.streams) {
      const row = cost.streams.find((r) => r.stream === s.name);
      expect([s.name, row?.usage.basis]).toEqual([s.name, s.throughput !== undefined ? 'declared' : 'assumed']);
    }
  });

  it('gives the same figures from recorded Price List answers as from the shipped table (us-east-1 prices)', async () => {
    const { table } = await fetchPriceTable(recordedClient(), 'us-east-1', '2026-12-01');
    const viaApi = planCost({ plan: p, desired, live, prices: table, usage });
    const viaShipped = planCost({ plan: p, desired, live, prices: US, usage });
    expect(viaApi.prices.kind).toBe('price-list-api');
    expect(viaShipped.prices.kind).toBe('shipped');
    expect({ ...viaApi, prices: null }).toEqual({ ...viaShipped, prices: null });
    expect(viaApi.total.afterUSD).toBeGreaterThan(0);
  });
});

describe('changes to an existing stream', () => {
  const usage = new Map();

  it('retention 24 h -> 48 h on 2 provisioned shards costs 2 x 730 extended shard-hours at $0.02', () => {
    const d = aDesiredStream({ retentionHours: 48, shards: 2 });
    const live = liveState([{ streams: [liveOf(d, { retentionHours: 24 })] }]);
    const desired = desiredState([{ streams: [d] }]);
    const cost = planCost({ plan: plan(desired, live), desired, live, prices: US, usage });
    expect(cost.total.deltaUSD).toBeCloseTo(2 * 730 * 0.02, 4);
    expect(cost.changes).toEqual([
      expect.objectContaining({
        changeId: `stream-retention:${A1}/stream/orders.v1`,
        deltaUSD: 29.2,
        domain: 'orders',
      }),
    ]);
  });

  it('retention 48 h -> 168 h on a provisioned stream costs nothing more (extended retention is per shard-hour)', () => {
    const d = aDesiredStream({ retentionHours: 168, shards: 2 });
    const live = liveState([{ streams: [liveOf(d, { retentionHours: 48 })] }]);
    const desired = desiredState([{ streams: [d] }]);
    const cost = planCost({ plan: plan(desired, live), desired, live, prices: US, usage });
    expect(cost.total.deltaUSD).toBe(0);
    expect(cost.changes).toEqual([]);
  });

  it('a new EFO consumer on 2 shards costs 2 x 730 consumer-shard-hours at $0.015 (no data declared)', () => {
    const d = aDesiredStream({ retentionHours: 24, shards: 2 });
    const live = liveState([{ streams: [liveOf(d)] }]);
    const desired = desiredState([{ streams: [d], consumers: [aDesiredConsumer()] }]);
    const cost = planCost({ plan: plan(desired, live), desired, live, prices: US, usage });
    expect(cost.total.deltaUSD).toBeCloseTo(2 * 730 * 0.015, 4);
    expect(cost.changes.map((c) => [c.changeId.split(':')[0], c.deltaUSD])).toEqual([['consumer', 21.9]]);
  });

  it('a deleted stream is priced as live and saves its whole cost', () => {
    const gone = aDesiredStream({ name: 'old.v1', retentionHours: 24, shards: 3 });
    const live = liveState([{ streams: [liveOf(gone)] }]);
    const desired = desiredState([{ streams: [] }]);
    const cost = planCost({ plan: plan(desired, live), desired, live, prices: US, usage });
    expect(cost.streams).toEqual([
      expect.objectContaining({ stream: 'old.v1', beforeUSD: 3 * 730 * 0.015, afterUSD: null, deltaUSD: -32.85 }),
    ]);
    expect(cost.changes).toEqual([expect.objectContaining({ deltaUSD: -32.85 })]);
    expect(cost.domains).toEqual([{ domain: 'orders', beforeUSD: 32.85, afterUSD: 0, deltaUSD: -32.85 }]);
  });

  it('a blocked change (apply will not make it) is not listed as a pending cost', () => {
    const d = aDesiredStream({ retentionHours: 24, shards: 4 });
    const live = liveState([{ streams: [liveOf(d, { shards: 2 })] }]);
    const desired = desiredState([{ streams: [d] }]);
    const p = plan(desired, live);
    const capacity = p.changes.find((c) => c.resourceType === 'stream-capacity');
    if (capacity === undefined) throw new Error('expected a capacity change');
    capacity.blocked = { reason: 'budget', message: 'spent' };
    expect(planCost({ plan: p, desired, live, prices: US, usage }).changes).toEqual([]);
    delete capacity.blocked;
    expect(planCost({ plan: p, desired, live, prices: US, usage }).changes.map((c) => c.deltaUSD)).toEqual([
      2 * 730 * 0.015,
    ]);
  });
});

describe('the saved plan', () => {
  const d = aDesiredStream({ retentionHours: 48, shards: 2 });
  const live = liveState([{ streams: [liveOf(d, { retentionHours: 24 })] }]);
  const desired = desiredState([{ streams: [d] }]);
  const p = plan(desired, live);
  const withCost = { ...p, cost: planCost({ plan: p, desired, live, prices: US, usage: new Map() }) };

  it('carries the cost through the schema check', () => {
    const back = parsePlan(JSON.stringify(withCost));
    expect(back.error).toBeUndefined();
    expect(back.plan?.cost?.total.deltaUSD).toBe(29.2);
  });

  it('renders the same from disk as fresh (text, markdown)', () => {
    const back = parsePlan(renderPlanJson(withCost)).plan;
    if (back === undefined) throw new Error('did not read back');
    expect(renderPlanText(back, plainStyle)).toBe(renderPlanText(withCost, plainStyle));
    expect(renderPlanMarkdown(back)).toBe(renderPlanMarkdown(withCost));
  });

  it('refuses a cost with an unknown key or a wrong type', () => {
    const extra = JSON.parse(JSON.stringify(withCost)) as { cost: { total: Record<string, unknown> } };
    extra.cost.total['discount'] = 1;
    expect(parsePlan(JSON.stringify(extra)).error).toContain('unknown key `discount`');
    const wrong = JSON.parse(JSON.stringify(withCost)) as { cost: { total: Record<string, unknown> } };
    wrong.cost.total['deltaUSD'] = 'free';
    expect(parsePlan(JSON.stringify(wrong)).error).toContain('cost.total.deltaUSD');
  });

  it('does not change the change-set digest (prices move without the change set moving)', () => {
    expect(changeSetDigest(withCost.changes, withCost.accessDiff)).toBe(p.changeSetDigest);
    const dearer = { ...withCost, cost: planCost({ plan: p, desired, live, prices: EU, usage: new Map() }) };
    expect(changeSetDigest(dearer.changes, dearer.accessDiff)).toBe(p.changeSetDigest);
  });
});

/**
 * The cost section of the plan (text and markdown) and the audit's chargeback (markdown and JSON): the figures a
 * reader sees, the price source and its age, the escaping of hostile names, and the section's fixed size.
 */
import { describe, expect, it } from 'vitest';
import { loadPrices } from '../../src/adapters/aws/pricing.js';
import type { MetricsSnapshot } from '../../src/core/audit/metrics.js';
import { chargeback } from '../../src/core/cost/chargeback.js';
import { planCost } from '../../src/core/cost/plan-cost.js';
import { shippedPriceTable } from '../../src/core/cost/prices/shipped.js';
import type { PlanCost } from '../../src/core/cost/report-types.js';
import { usageFromMesh, usageFromMetrics } from '../../src/core/cost/usage.js';
import { computePlan } from '../../src/core/plan/index.js';
import type { LiveState } from '../../src/core/plan/live.js';
import type { DesiredState } from '../../src/core/render/types.js';
import { renderChargebackJson, renderChargebackMarkdown } from '../../src/output/cost/chargeback.js';
import { renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { plainStyle } from '../../src/output/style.js';
import { A1, A2, aDesiredStream, clock, desiredState, liveOf, liveState } from '../plan/builders.js';
import { exampleMesh } from '../support/example-mesh.js';

const US = shippedPriceTable('us-east-1').table;

function planWithCost(desired: DesiredState, live: LiveState, usage = new Map()) {
  const p = computePlan({ desired, live, meshDigest: 'd'.repeat(64), clock, target: 'local' });
  return { ...p, cost: planCost({ plan: p, desired, live, prices: US, usage }) };
}

/** Retention 24 h -> 48 h on 2 shards: $21.90 -> $51.10 a month (2 x 730 x $0.015, plus 2 x 730 x $0.02). */
function retentionPlan(domain = 'orders', name = 'orders.v1') {
  const d = aDesiredStream({ name, domain, retentionHours: 48, shards: 2 });
  const live = liveState([{ streams: [liveOf(d, { retentionHours: 24 })] }]);
  return planWithCost(desiredState([{ streams: [d] }]), live);
}

describe('plan text', () => {
  it('shows the total before, after and the delta, the top changes, the domains and the price source', () => {
    const text = renderPlanText(retentionPlan(), plainStyle);
    expect(text).toContain('Monthly cost (USD, 730 h): $21.90 -> $51.10, +$29.20 (+133.3%)');
    expect(text).toContain(`+$29.20  stream-retention:${A1}/stream/orders.v1`);
    expect(text).toContain('By domain: orders +$29.20');
    expect(text).toContain(`Prices: shipped price table of ${US.asOf} for us-east-1, 0 days old.`);
    expect(text).toContain('Usage: 1 with no throughput declared (fixed charges only).');
  });

  it('has no cost section when the plan carries no cost (plans made before it)', () => {
    const { cost: _cost, ...plain } = retentionPlan();
    expect(renderPlanText(plain, plainStyle)).not.toContain('Monthly cost');
  });

  it('sends no control sequence from a hostile domain name', () => {
    const text = renderPlanText(retentionPlan('ev\u001b[2Jil'), plainStyle);
    expect(text).not.toContain('\u001b');
  });
});

describe('plan markdown', () => {
  it('opens the cost section with the delta and lists the changes by cost', () => {
    const md = renderPlanMarkdown(retentionPlan());
    expect(md).toContain('#### Monthly cost: +$29.20 (+133.3%)');
    expect(md).toContain('$21.90 → **$51.10** per month (USD, 730 hours).');
    expect(md).toContain(`| \` stream-retention:${A1}/stream/orders.v1 \` | +$29.20 |`);
    expect(md).toContain('| orders | $21.90 | $51.10 | +$29.20 |');
  });

  it('escapes hostile names in tables', () => {
    const md = renderPlanMarkdown(retentionPlan('a|b<img src=x>', 'x'));
    expect(md).not.toContain('a|b<img');
    expect(md).toContain('a\\|b');
  });

  it('keeps the cost section in a comment that has little room', () => {
    const md = renderPlanMarkdown(retentionPlan(), { maxChars: 3000 });
    expect(md).toContain('#### Monthly cost: +$29.20');
  });

  it('lists at most 10 changes and 15 domains, counting the rest', () => {
    const streams = Array.from({ length: 20 }, (_, i) =>
      aDesiredStream({ name: `s${i}`, domain: `d${i}`, retentionHours: 48, shards: 1 }),
    );
    const live = liveState([{ streams: streams.map((s) => liveOf(s, { retentionHours: 24 })) }]);
    const p = planWithCost(desiredState([{ streams }]), live);
    const md = renderPlanMarkdown(p);
    expect(md).toContain('| _10 more_ | +$146.00 |'); // 10 x 730 x $0.02
    expect(md).toContain('| _5 more_ | | | +$73.00 |');
  });
});

describe('the example mesh on the local target', () => {
  it('plans from empty with a cost section priced from the shipped table', async () => {
    const { mesh, desired } = exampleMesh();
    const live = liveState(desired.accounts.map((a) => ({ account: a.account })));
    const { table, notes } = await loadPrices({ region: mesh.region, target: 'local', now: clock.now });
    expect(notes[0]).toContain('the shipped table');
    const p = computePlan({ desired, live, meshDigest: 'd'.repeat(64), clock, target: 'local' });
    const withCost = { ...p, cost: planCost({ plan: p, desired, live, prices: table, usage: usageFromMesh(mesh) }) };
    const text = renderPlanText(withCost, plainStyle);
    expect(text).toMatch(/Monthly cost \(USD, 730 h\): \$0\.00 -> \$[0-9,]+\.[0-9]{2}, \+\$[0-9,]+\.[0-9]{2}/);
    expect(text).toContain('shipped price table of 2026-12-01 for eu-west-1');
    expect(text).toContain('prices are estimates not confirmed against the source');
    expect(renderPlanMarkdown(withCost)).toContain('#### Monthly cost: +$');
  });
});

describe('chargeback', () => {
  const orders = aDesiredStream({ name: 'orders.v1', domain: 'orders', retentionHours: 24, shards: 2 });
  const risk = aDesiredStream({ name: 'risk.v1', account: A2, domain: 'risk', retentionHours: 24, shards: 1 });
  const live: LiveState = liveState([{ streams: [liveOf(orders)] }, { account: A2, streams: [liveOf(risk)] }]);
  // One hour, 2 shards: 3,600 x 1,024 bytes each... 7,372,800 bytes and 7,200 records in all: 2,048 B/s at 2 records/s.
  const snapshot: MetricsSnapshot = {
    window: { start: '2026-11-30T00:00:00Z', end: '2026-11-30T01:00:00Z', periodSeconds: 3600 },
    streams: [
      {
        account: A1,
        stream: 'orders.v1',
        shards: [
          {
            shardId: 'shardId-0',
            series: {
              IncomingBytes: { timestamps: ['t'], values: [3_686_400] },
              IncomingRecords: { timestamps: ['t'], values: [3600] },
            },
          },
          {
            shardId: 'shardId-1',
            series: {
              IncomingBytes: { timestamps: ['t'], values: [3_686_400] },
              IncomingRecords: { timestamps: ['t'], values: [3600] },
            },
          },
        ],
      },
    ],
    messages: [],
    calls: 1,
  };
  const usage = usageFromMetrics(snapshot);
  const report = chargeback({ live, prices: US, usage, domains: new Map(), at: '2026-12-01T00:00:00Z' });

  it('measures usage from the window: 2,048 bytes/s in 2 records/s', () => {
    expect(usage.get(`${A1}/orders.v1`)).toMatchObject({
      writeBytesPerSecond: 2048,
      writeRecordsPerSecond: 2,
      basis: 'measured',
    });
    expect(usage.has(`${A2}/risk.v1`)).toBe(false);
  });

  it('prices each domain as live, largest first, from the live domain tag', () => {
    // orders: 2 x 730 x 0.015 + 2 records/s x 1 unit x 2,628,000 s x 0.014 / 1e6 = 21.90 + 0.073584
    // risk: 1 x 730 x 0.015 = 10.95
    expect(report.domains.map((d) => [d.domain, d.monthlyUSD])).toEqual([
      ['orders', 21.9736],
      ['risk', 10.95],
    ]);
    expect(report.totalUSD).toBe(32.9236);
    expect(report.domains[0]?.streams[0]?.usage.basis).toBe('measured');
  });

  it('renders markdown with shares and the price source, and JSON that reads back as the report', () => {
    const md = renderChargebackMarkdown(report);
    expect(md).toContain('**$32.92** per month in total');
    expect(md).toContain('| orders | 1 | $21.97 | 66.7% |');
    expect(md).toContain('| risk | 1 | $10.95 | 33.3% |');
    expect(md).toContain(`shipped price table of \` ${US.asOf} \` for \` us-east-1 \`, 0 days old.`);
    expect(JSON.parse(renderChargebackJson(report))).toEqual(report);
  });

  it('prefers the declared domain over the live tag', () => {
    const r = chargeback({
      live,
      prices: US,
      usage,
      domains: new Map([[`${A2}/risk.v1`, 'fraud']]),
      at: '2026-12-01T00:00:00Z',
    });
    expect(r.domains.map((d) => d.domain)).toEqual(['orders', 'fraud']);
  });
});

describe('the section is typed data', () => {
  it('a PlanCost without changes or domain deltas renders just the totals', () => {
    const cost: PlanCost = {
      currency: 'USD',
      hoursPerMonth: 730,
      prices: {
        kind: 'price-list-api',
        region: 'us-east-1',
        asOf: '2026-11-30',
        ageDays: 1,
        source: 'AWS Price List Query API',
        unconfirmed: [],
      },
      total: { beforeUSD: 10, afterUSD: 10, deltaUSD: 0 },
      domains: [],
      streams: [],
      changes: [],
      assumptions: ['a'],
    };
    const text = renderPlanText({ ...retentionPlan(), cost }, plainStyle);
    expect(text).toContain('Monthly cost (USD, 730 h): $10.00 -> $10.00, $0.00');
    expect(text).toContain('AWS Price List API answer of 2026-11-30 for us-east-1, 1 day old');
    expect(text).not.toContain('Top changes by cost');
  });
});

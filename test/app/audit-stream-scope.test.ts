/**
 * `audit --stream` (the drift-event run of docs/events.md): the report keeps the named streams' findings only,
 * recounts the summary, says what it left out, and reads metrics for those streams only.
 */
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/app/audit.js';
import type { AuditRunOptions } from '../../src/app/audit.js';
import type { MetricsWindow } from '../../src/app/target.js';
import { aboutStreams } from '../../src/core/audit/stream-scope.js';
import type { LiveReader } from '../../src/core/ports.js';
import { A1, aDesiredStream, liveOf } from '../plan/builders.js';
import { EXAMPLE_MESH_TEXT, memorySources } from '../support/app-ports.js';
import { fakeTarget, openerOf } from '../support/fake-target.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const windowFor = (now: Date, ms: number) => ({ start: new Date(now.getTime() - ms), end: now, periodSeconds: 60 });

// Account 111111111111 as a drift event finds it: both declared streams drifted (retention 24 h, the mesh says
// otherwise), and a stream the mesh neither declares nor tags (a shadow, as the live reader lists it).
const reader: LiveReader = {
  read: async (req) => ({
    region: req.region,
    notChecked: [],
    accounts: req.accounts.map((account) => ({
      account,
      streams:
        account === A1
          ? [
              liveOf(aDesiredStream({ name: 'payments.transactions.v1', retentionHours: 24 })),
              liveOf(aDesiredStream({ name: 'payments.refunds.v1', retentionHours: 24 })),
            ]
          : [],
      unmanagedStreams:
        account === A1
          ? [
              {
                name: 'stray.v1',
                arn: `arn:aws:kinesis:eu-west-1:${A1}:stream/stray.v1`,
                reason: 'not declared in the mesh and not tagged meshgov:managed-by=meshgov',
              },
            ]
          : [],
    })),
  }),
};

async function run(over: Partial<AuditRunOptions>) {
  const measured: string[][] = [];
  const target = Object.assign(fakeTarget(reader, 'aws'), {
    readMetrics: async (streams: { account: string; stream: string }[], window: MetricsWindow) => {
      measured.push(streams.map((s) => s.stream));
      const asked = { start: window.start.toISOString(), end: window.end.toISOString(), periodSeconds: 60 };
      return { window: asked, streams: [], messages: [], calls: 0 };
    },
  });
  const r = await audit(
    'mesh.yaml',
    {
      domain: [],
      account: [A1],
      target: { kind: 'local', localDir: '/nonexistent' },
      windowMs: 3_600_000,
      clock,
      ...over,
    },
    {
      sources: memorySources({ 'mesh.yaml': EXAMPLE_MESH_TEXT }),
      openTarget: openerOf(target),
      actions: async () => ({ source: 'test', actions: [] }),
      windowFor,
    },
  );
  if (r.kind !== 'audited') throw new Error(`expected a report, got ${JSON.stringify(r)}`);
  return { report: r.report, measured };
}

describe('audit --stream', () => {
  it('without it, the account reports every stream (the control)', async () => {
    const { report } = await run({});
    const streams = new Set(report.findings.map((f) => f.resource.split('/')[2]));
    expect(streams).toEqual(new Set(['payments.transactions.v1', 'payments.refunds.v1', 'stray.v1']));
  });

  it("keeps only the named stream's findings, recounts the summary and says so", async () => {
    const { report } = await run({ stream: ['payments.transactions.v1'] });
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings)
      expect(f.resource).toMatch(/^111111111111\/stream\/payments\.transactions\.v1(\/|$)/);
    const count = (s: string) => report.findings.filter((f) => f.severity === s).length;
    expect(report.summary).toEqual({ error: count('error'), warning: count('warning'), info: count('info') });
    expect(report.notes.at(-1)).toBe(
      'Scoped to stream(s) payments.transactions.v1: findings about other streams, principals and grants are left to the full audit.',
    );
  });

  it('scopes to an undeclared stream too (a drift event may be about a shadow stream)', async () => {
    const { report } = await run({ stream: ['stray.v1'] });
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) expect(f.resource.startsWith('111111111111/stream/stray.v1')).toBe(true);
  });

  it('reads metrics only for the named streams', async () => {
    const all = await run({});
    const one = await run({ stream: ['payments.refunds.v1'] });
    expect(one.measured.flat().every((s) => s === 'payments.refunds.v1')).toBe(true);
    expect(all.measured.flat().length).toBeGreaterThanOrEqual(one.measured.flat().length);
  });
});

describe('aboutStreams', () => {
  const f = (resource: string) => ({ resource, account: A1 });
  it('matches the stream, its shards and consumers, not a stream whose name merely starts the same', () => {
    expect(aboutStreams(f(`${A1}/stream/orders`), ['orders'])).toBe(true);
    expect(aboutStreams(f(`${A1}/stream/orders/shard/shardId-000000000001`), ['orders'])).toBe(true);
    expect(aboutStreams(f(`${A1}/stream/orders/consumer/c1`), ['orders'])).toBe(true);
    expect(aboutStreams(f(`${A1}/stream/orders.v2`), ['orders'])).toBe(false);
    expect(aboutStreams(f(`${A1}/stream/orders2/consumer/c1`), ['orders'])).toBe(false);
    expect(aboutStreams(f(`${A1}/principal/arn:aws:iam::${A1}:role/x`), ['orders'])).toBe(false);
    expect(aboutStreams(f(`222222222222/stream/orders`), ['orders'])).toBe(false);
  });
});

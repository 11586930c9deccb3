/**
 * The cost cap guardrail: off by default, caps a domain's monthly cost after the plan and a single change's delta,
 * settings resolved like every rule (governance file only), findings located at the domain.
 */
import { describe, expect, it } from 'vitest';
import { capsFromParams, COST_CAP_RULE_ID, costCapDiagnostics, costCapFindings } from '../../src/core/cost/cap.js';
import type { PlanCost } from '../../src/core/cost/report-types.js';
import { SchemaCache } from '../../src/core/rules/compile.js';
import { effectiveFor, resolveSettings } from '../../src/core/rules/settings.js';
import { check, defaultPack, meshYaml, position, where } from '../rules/helpers.js';

function cost(domains: [string, number, number][], changes: [string, string, number][]): PlanCost {
  return {
    currency: 'USD',
    hoursPerMonth: 730,
    prices: { kind: 'shipped', region: 'eu-west-1', asOf: '2026-12-01', ageDays: 0, source: 's', unconfirmed: [] },
    total: { beforeUSD: 0, afterUSD: 0, deltaUSD: 0 },
    domains: domains.map(([domain, beforeUSD, afterUSD]) => ({
      domain,
      beforeUSD,
      afterUSD,
      deltaUSD: afterUSD - beforeUSD,
    })),
    streams: [],
    changes: changes.map(([changeId, domain, deltaUSD]) => ({
      changeId,
      address: changeId,
      account: '111111111111',
      stream: 's',
      domain,
      deltaUSD,
    })),
    assumptions: [],
  };
}

function settingsFor(rules?: string, paymentsExtra?: string) {
  const r = check(
    meshYaml({ ...(rules !== undefined ? { rules } : {}), ...(paymentsExtra !== undefined ? { paymentsExtra } : {}) }),
  );
  if (!r.mesh) throw new Error('mesh did not load');
  const settings = resolveSettings(r.mesh, new Map(defaultPack().map((x) => [x.id, x])), r.locator, new SchemaCache());
  return { r, settings, setting: (d: string) => effectiveFor(settings, COST_CAP_RULE_ID, d) };
}

const CAPS = 'rules:\n  cost-within-cap: { params: { maxDomainMonthlyUSD: 50, maxChangeDeltaUSD: 20 } }';
const PLAN = cost(
  [
    ['payments', 30, 60],
    ['risk', 30, 40],
  ],
  [
    ['stream-retention:a', 'payments', 30],
    ['stream-capacity:b', 'risk', 10],
  ],
);

describe('cost-within-cap', () => {
  it('is off by default: no cap, no finding, whatever the cost', () => {
    const { setting } = settingsFor();
    expect(costCapFindings(cost([['payments', 0, 1e9]], [['c', 'payments', 1e9]]), setting)).toEqual([]);
  });

  it('reports a domain over its cap after the plan, and a change over the per-change cap', () => {
    const { setting } = settingsFor(CAPS);
    expect(costCapFindings(PLAN, setting)).toEqual([
      { kind: 'domain', domain: 'payments', monthlyUSD: 60, capUSD: 50, severity: 'error' },
      {
        kind: 'change',
        domain: 'payments',
        changeId: 'stream-retention:a',
        deltaUSD: 30,
        capUSD: 20,
        severity: 'error',
      },
    ]);
  });

  it('is exact at the cap: at it passes, above it fails', () => {
    const { setting } = settingsFor(CAPS);
    expect(costCapFindings(cost([['payments', 0, 50]], [['c', 'payments', 20]]), setting)).toEqual([]);
    expect(costCapFindings(cost([['payments', 0, 50.0001]], [['c', 'payments', 20.0001]]), setting)).toHaveLength(2);
  });

  it('does not blame a plan that lowers or keeps the cost of a domain already over its cap', () => {
    const { setting } = settingsFor(CAPS);
    expect(
      costCapFindings(
        cost(
          [
            ['payments', 90, 80],
            ['risk', 70, 70],
          ],
          [],
        ),
        setting,
      ),
    ).toEqual([]);
  });

  it('severity off in the governance file turns it off', () => {
    const { setting } = settingsFor('rules:\n  cost-within-cap: { severity: off, params: { maxDomainMonthlyUSD: 1 } }');
    expect(costCapFindings(PLAN, setting)).toEqual([]);
  });

  it('a domain cannot set its own cap (only the governance file may)', () => {
    const { settings } = settingsFor(
      undefined,
      '    rules:\n      cost-within-cap: { params: { maxDomainMonthlyUSD: 10 } }',
    );
    expect(settings.diagnostics.map((d) => d.code)).toEqual(['rule-override-relaxes']);
    expect(settings.diagnostics[0]?.message).toContain('only the governance file may change it');
  });

  it('a cap that is no positive number is no cap', () => {
    expect(capsFromParams({ maxDomainMonthlyUSD: -5, maxChangeDeltaUSD: 0 })).toEqual({});
    expect(capsFromParams({ maxDomainMonthlyUSD: 'lots', maxChangeDeltaUSD: Number.NaN })).toEqual({});
    expect(capsFromParams({ maxDomainMonthlyUSD: 12.5 })).toEqual({ maxDomainMonthlyUSD: 12.5 });
  });

  it('findings become diagnostics at the domain, with the rule id', () => {
    const { r, setting } = settingsFor(CAPS);
    const text = meshYaml({ rules: CAPS });
    const ds = costCapDiagnostics(costCapFindings(PLAN, setting), r.mesh!, r.locator);
    expect(ds.map((d) => [d.code, d.ruleId, d.severity, d.file])).toEqual([
      [COST_CAP_RULE_ID, COST_CAP_RULE_ID, 'error', 'mesh.yaml'],
      [COST_CAP_RULE_ID, COST_CAP_RULE_ID, 'error', 'mesh.yaml'],
    ]);
    expect(where(ds[0]!)).toBe(position(text, '  - name: payments', 'name'));
    expect(ds[0]?.message).toBe(
      'Domain `payments` would cost $60.00 a month after this plan, above its cap of $50.00 (rule cost-within-cap).',
    );
    expect(ds[1]?.message).toBe(
      'Change `stream-retention:a` adds $30.00 a month, above the cap of $20.00 per change (rule cost-within-cap).',
    );
  });
});

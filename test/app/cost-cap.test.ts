/**
 * The cost cap guardrail at plan and apply time (policies/cost-within-cap.yaml, off by default): the plan lists
 * each change over `maxChangeDeltaUSD` as a finding of the rule's severity, and apply refuses such a plan.
 */
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/app/apply.js';
import { plan } from '../../src/app/plan.js';
import { ApplyLog } from '../../src/adapters/fs/apply-log.js';
import { PRICE_DIMENSIONS } from '../../src/core/cost/types.js';
import type { PriceTable } from '../../src/core/cost/types.js';
import { EXAMPLE_MESH_TEXT, memoryFiles, memoryInputs, memorySources } from '../support/app-ports.js';
import { emptyAccountsReader, fakeTarget, openerOf } from '../support/fake-target.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
// Only shard-hours cost anything, $1 each: the example's provisioned streams of 4, 2 and 1 shards (mesh.yaml) add
// $2,920, $1,460 and $730 a month when created.
const prices = Object.fromEntries(PRICE_DIMENSIONS.map((d) => [d, d === 'provisioned-shard-hour' ? 1 : 0]));
const table = {
  region: 'eu-west-1',
  kind: 'price-list-api',
  asOf: '2026-11-30',
  source: 'test',
  prices,
  unconfirmed: [],
} as unknown as PriceTable;
const priced = () => Object.assign(fakeTarget(emptyAccountsReader), { prices: async () => ({ table, notes: [] }) });

function meshWithCap(cap: string): string {
  expect(EXAMPLE_MESH_TEXT).toContain('\nwaivers:');
  return EXAMPLE_MESH_TEXT.replace('\nwaivers:', `\nrules:\n  cost-within-cap: ${cap}\nwaivers:`);
}

async function planOf(text: string) {
  const r = await plan(
    'mesh.yaml',
    { domain: [], account: [], target: { kind: 'aws' }, clock },
    { sources: memorySources({ 'mesh.yaml': text }), openTarget: openerOf(priced()), files: memoryFiles() },
  );
  if (r.kind !== 'planned') throw new Error(`expected a plan, got ${r.kind}`);
  return r.plan;
}

const capFindings = (p: Awaited<ReturnType<typeof planOf>>) =>
  (p.diagnostics ?? []).filter((d) => d.code === 'cost-within-cap');

describe('cost cap at plan and apply time', () => {
  it('is off by default: no finding, however large the change', async () => {
    expect(capFindings(await planOf(EXAMPLE_MESH_TEXT))).toEqual([]);
  });

  it("lists every change over maxChangeDeltaUSD, with the rule's severity", async () => {
    const found = capFindings(await planOf(meshWithCap('{ params: { maxChangeDeltaUSD: 1000 } }')));
    // $2,920 and $1,460 are over $1,000; $730 is not.
    expect(found.map((d) => [d.severity, d.message.match(/adds (\$[\d.]+) a month/)?.[1]]).sort()).toEqual([
      ['error', '$1460.00'],
      ['error', '$2920.00'],
    ]);
    const warned = capFindings(await planOf(meshWithCap('{ severity: warning, params: { maxChangeDeltaUSD: 2000 } }')));
    expect(warned.map((d) => d.severity)).toEqual(['warning']);
  });

  it('apply refuses a plan over an error-severity cap, and applies nothing', async () => {
    const target = priced();
    let approved = 0;
    const r = await apply(
      {
        mesh: 'mesh.yaml',
        domain: [],
        account: [],
        log: 'log.jsonl',
        allowDestructive: false,
        clock,
        target: { kind: 'aws' },
        approve: async () => {
          approved++;
          return true;
        },
      },
      {
        sources: memorySources({ 'mesh.yaml': meshWithCap('{ params: { maxChangeDeltaUSD: 1000 } }') }),
        inputs: memoryInputs({}),
        openTarget: openerOf(target),
        openLog: () => new ApplyLog('/nonexistent/meshgov-test-apply-log.jsonl'),
      },
    );
    expect(r).toEqual({
      kind: 'refused',
      message: expect.stringContaining('the plan goes over the cost cap (rule cost-within-cap)'),
    });
    expect(approved).toBe(0);
  });
});

/** The apply, audit, import and render use cases called directly (no CLI): in-memory ports and fake targets. */
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/app/apply.js';
import type { ApplyPorts } from '../../src/app/apply.js';
import { PRICE_DIMENSIONS } from '../../src/core/cost/types.js';
import type { PriceTable } from '../../src/core/cost/types.js';
import type { LiveReader } from '../../src/core/ports.js';
import { A1, aDesiredStream, liveOf } from '../plan/builders.js';
import { audit } from '../../src/app/audit.js';
import { importStreams } from '../../src/app/import.js';
import { render } from '../../src/app/render.js';
import type { TargetOpener } from '../../src/app/target.js';
import { ApplyLog } from '../../src/adapters/fs/apply-log.js';
import { computePlan, meshDigest } from '../../src/core/plan/index.js';
import { renderPlanJson } from '../../src/output/plan/index.js';
import { EXAMPLE_MESH_TEXT, memoryFiles, memoryInputs, memorySources } from '../support/app-ports.js';
import { exampleMesh } from '../support/example-mesh.js';
import { aLiveStream } from '../import/support.js';
import { emptyAccountsReader, fakeTarget, openerOf } from '../support/fake-target.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const files = { 'mesh.yaml': EXAMPLE_MESH_TEXT };
const neverOpen: TargetOpener = async () => {
  throw new Error('the target must not be opened');
};

/** A saved plan of the example mesh against empty local accounts, as `plan --out` writes it. */
function savedPlan(): string {
  const { desired, sources } = exampleMesh();
  const live = {
    region: desired.region,
    accounts: desired.accounts.map((a) => ({ account: a.account, streams: [] })),
    notChecked: [],
  };
  return renderPlanJson(computePlan({ desired, live, meshDigest: meshDigest(sources), clock, target: 'local' }));
}

function applyPorts(inputs: Record<string, string>, openTarget: TargetOpener): ApplyPorts {
  return {
    sources: memorySources(files),
    inputs: memoryInputs(inputs),
    openTarget,
    openLog: () => new ApplyLog('/nonexistent/meshgov-test-apply-log.jsonl'),
  };
}

const local = { kind: 'local', localDir: '/nonexistent' } as const;
const base = { mesh: 'mesh.yaml', domain: [], account: [], log: 'log.jsonl', allowDestructive: false, clock } as const;

describe('apply (use case)', () => {
  it('refuses an edited saved plan before opening any target', async () => {
    const edited = savedPlan().replace('"retentionHours": 48', '"retentionHours": 49');
    expect(edited).not.toBe(savedPlan());
    const r = await apply(
      { ...base, file: 'plan.json', target: local, approve: async () => true },
      applyPorts({ 'plan.json': edited, ...files }, neverOpen),
    );
    expect(r).toEqual({ kind: 'refused', message: expect.stringContaining('the saved plan was edited') });
  });

  it('--domain with a saved plan, a plan for another target and JSON that is no plan are usage problems', async () => {
    const ports = applyPorts({ 'plan.json': savedPlan(), 'x.json': '{"hello":1}', ...files }, neverOpen);
    const scoped = await apply(
      { ...base, file: 'plan.json', domain: ['payments'], target: local, approve: async () => true },
      ports,
    );
    expect(scoped).toEqual({
      kind: 'usage',
      message: expect.stringContaining('--domain and --account cannot be combined'),
    });
    const aws = await apply({ ...base, file: 'plan.json', target: { kind: 'aws' }, approve: async () => true }, ports);
    expect(aws).toEqual({
      kind: 'usage',
      message: expect.stringContaining('made against the local target but this apply runs against aws'),
    });
    const notPlan = await apply({ ...base, file: 'x.json', target: local, approve: async () => true }, ports);
    expect(notPlan).toEqual({ kind: 'usage', message: expect.stringContaining('not a meshgov plan') });
  });

  it('asks for approval of the plan it computed; a refusal changes nothing and closes the target', async () => {
    const target = fakeTarget(emptyAccountsReader, 'local');
    let asked = 0;
    const r = await apply(
      {
        ...base,
        target: local,
        approve: async (p) => {
          asked++;
          return !p.summary.hasChanges;
        },
      },
      applyPorts(files, openerOf(target)),
    );
    expect(r.kind).toBe('cancelled');
    expect(asked).toBe(1);
    expect(target.closed).toBe(1);
  });
});

describe('audit (use case)', () => {
  const windowFor = (now: Date, ms: number) => ({ start: new Date(now.getTime() - ms), end: now, periodSeconds: 60 });

  it('audits a target without metrics (local) and states the window it was asked for', async () => {
    const target = fakeTarget(emptyAccountsReader, 'local');
    const r = await audit(
      'mesh.yaml',
      { domain: [], account: [], target: local, windowMs: 3_600_000, clock },
      {
        sources: memorySources(files),
        openTarget: openerOf(target),
        actions: async () => ({ source: 'test', actions: [] }),
        windowFor,
      },
    );
    if (r.kind !== 'audited') throw new Error(`expected a report, got ${r.kind}`);
    expect(r.report.window).toMatchObject({ start: '2026-11-30T23:00:00.000Z', end: '2026-12-01T00:00:00.000Z' });
    expect(target.closed).toBe(1);
  });

  it("prices every live stream per domain (chargeback): the mesh names the domain, else the stream's domain tag", async () => {
    // payments.transactions.v1 is declared in the payments domain (mesh.yaml) with 4 shards; an undeclared stream
    // says it belongs to `shadow` in its tag. Only shard-hours cost anything: $1 each, so 4 x 730 and 1 x 730.
    const declared = liveOf(
      aDesiredStream({ name: 'payments.transactions.v1', domain: 'wrong-tag', shards: 4, retentionHours: 24 }),
    );
    const stray = liveOf(aDesiredStream({ name: 'stray.v1', domain: 'shadow', shards: 1, retentionHours: 24 }));
    const reader: LiveReader = {
      read: async (req) => ({
        region: req.region,
        notChecked: [],
        accounts: req.accounts.map((account) => ({
          account,
          streams: account === A1 ? [declared, stray] : [],
          unmanagedStreams: [],
        })),
      }),
    };
    const prices = Object.fromEntries(PRICE_DIMENSIONS.map((d) => [d, d === 'provisioned-shard-hour' ? 1 : 0]));
    const table = {
      region: 'eu-west-1',
      kind: 'price-list-api',
      asOf: '2026-11-30',
      source: 'test',
      prices,
      unconfirmed: [],
    } as unknown as PriceTable;
    const target = Object.assign(fakeTarget(reader, 'local'), {
      prices: async () => ({ table, notes: ['prices: from the test'] }),
    });
    const r = await audit(
      'mesh.yaml',
      { domain: [], account: [], target: local, windowMs: 3_600_000, clock },
      {
        sources: memorySources(files),
        openTarget: openerOf(target),
        actions: async () => ({ source: 'test', actions: [] }),
        windowFor,
      },
    );
    if (r.kind !== 'audited') throw new Error(`expected a report, got ${r.kind}`);
    const c = r.report.chargeback;
    expect(c?.domains.map((d) => [d.domain, d.monthlyUSD])).toEqual([
      ['payments', 2920],
      ['shadow', 730],
    ]);
    expect(c?.totalUSD).toBe(3650);
    expect(c?.assumptions[0]).toBe('prices: from the test');
  });

  it('a target that cannot be opened and a catalog that fails to load: could not run, with what failed', async () => {
    const noTarget = await audit(
      'mesh.yaml',
      { domain: [], account: [], target: local, windowMs: 60_000, clock },
      {
        sources: memorySources(files),
        actions: async () => ({ source: 'test', actions: [] }),
        windowFor,
        openTarget: async () => ({ kind: 'target-failed', reason: 'failed', message: 'no java' }),
      },
    );
    expect(noTarget).toEqual({ kind: 'could-not-run', message: 'cannot open the target: no java' });
    const noCatalog = await audit(
      'mesh.yaml',
      { domain: [], account: [], target: local, windowMs: 60_000, clock },
      {
        sources: memorySources(files),
        openTarget: openerOf(fakeTarget(emptyAccountsReader, 'local')),
        windowFor,
        actions: async () => {
          throw new Error('ENOENT');
        },
      },
    );
    expect(noCatalog).toEqual({ kind: 'could-not-run', message: 'loading the IAM action catalog failed: ENOENT' });
  });
});

describe('import (use case)', () => {
  it('adds a stanza for a stream the mesh does not declare and writes it through the file port', async () => {
    const reader = {
      read: async (req: { region: string; accounts: string[] }) => ({
        region: req.region,
        notChecked: [],
        accounts: req.accounts.map((account, i) => ({
          account,
          unmanagedStreams: [],
          streams: i > 0 ? [] : [aLiveStream({ name: 'legacy.clicks', account })],
        })),
      }),
    };
    const sink = memoryFiles();
    const r = await importStreams(
      'mesh.yaml',
      {
        account: [],
        target: local,
        domainTags: ['domain'],
        clock,
        out: 'mesh.yaml',
      },
      { sources: memorySources(files), openTarget: openerOf(fakeTarget(reader, 'local')), files: sink },
    );
    if (r.kind !== 'imported') throw new Error(`expected an import, got ${r.kind}: ${JSON.stringify(r)}`);
    expect(r.result.imported.map((s) => s.name)).toContain('legacy.clicks');
    expect(sink.written.get('mesh.yaml')).toContain('legacy.clicks');
  });

  it('an unknown --account is a usage problem, before any target is opened', async () => {
    const r = await importStreams(
      'mesh.yaml',
      { account: ['999'], target: local, domainTags: [], clock },
      { sources: memorySources(files), openTarget: neverOpen, files: memoryFiles() },
    );
    expect(r).toEqual({ kind: 'usage', message: expect.stringMatching(/^--account 999: no such account/) });
  });
});

describe('render (use case)', () => {
  it('renders the desired state and hands the files to the directory port; a refusal comes back as usage', async () => {
    const written: string[] = [];
    const r = render(
      'mesh.yaml',
      { clock, out: 'out' },
      {
        sources: memorySources(files),
        dirs: { write: (_dir, fs) => void written.push(...fs.map((f) => f.path)) },
      },
    );
    if (r.kind !== 'rendered') throw new Error(`expected a render, got ${r.kind}`);
    expect(r.written).toBe(written.length);
    expect(written.length).toBeGreaterThan(10);
    const refused = render(
      'mesh.yaml',
      { clock, out: 'out' },
      {
        sources: memorySources(files),
        dirs: { write: () => ({ kind: 'usage', message: '--out out is not empty' }) },
      },
    );
    expect(refused).toEqual({ kind: 'usage', message: '--out out is not empty' });
  });
});

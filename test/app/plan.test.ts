/** The plan use case called directly (no CLI): in-memory mesh files and a fake target. */
import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../src/adapters/aws/errors.js';
import { plan } from '../../src/app/plan.js';
import type { PlanEvent } from '../../src/app/plan.js';
import type { TargetOpener } from '../../src/app/target.js';
import type { LiveReader } from '../../src/core/ports.js';
import { parsePlan } from '../../src/core/plan/index.js';
import { PRICE_DIMENSIONS } from '../../src/core/cost/types.js';
import type { PriceTable } from '../../src/core/cost/types.js';
import { EXAMPLE_MESH_TEXT, memoryFiles, memorySources } from '../support/app-ports.js';
import { emptyAccountsReader, fakeTarget, openerOf } from '../support/fake-target.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const files = { 'mesh.yaml': EXAMPLE_MESH_TEXT };

/** An opener that fails the test when called: the run must stop before opening a target. */
const neverOpen: TargetOpener = async () => {
  throw new Error('the target must not be opened');
};

describe('plan (use case)', () => {
  it("puts a local-like target's staged IAM artefacts in place only when the read worked", async () => {
    const run = async (reader: LiveReader) => {
      const calls: string[] = [];
      const target = Object.assign(fakeTarget(reader), {
        stageLocalIam: async () => {
          calls.push('stage');
          return {
            files: 1,
            commit: async () => void calls.push('commit'),
            discard: async () => void calls.push('discard'),
          };
        },
      });
      const r = await plan(
        'mesh.yaml',
        { domain: [], account: [], target: { kind: 'aws' }, clock },
        { sources: memorySources(files), openTarget: openerOf(target), files: memoryFiles() },
      ).catch((e: unknown) => e);
      return { r, calls };
    };
    const ok = await run(emptyAccountsReader);
    expect((ok.r as { kind: string }).kind).toBe('planned');
    expect(ok.calls).toEqual(['stage', 'commit']);
    // A read that fails the way AWS does: reported, and the artefacts of the last good plan stay.
    const failed = await run({
      read: () =>
        Promise.reject(new AdapterError('ListStreams failed', 'kinesis', 'ListStreams', '111111111111', undefined)),
    });
    expect((failed.r as { kind: string }).kind).toBe('read-failed');
    expect(failed.calls).toEqual(['stage', 'discard']);
    // Any other error ends the plan too, and the staging with it.
    const thrown = await run({ read: () => Promise.reject(new Error('boom')) });
    expect((thrown.r as Error).message).toBe('boom');
    expect(thrown.calls).toEqual(['stage', 'discard']);
  });

  it('plans a first apply against empty accounts, tells its progress in order and closes the target once', async () => {
    const target = fakeTarget(emptyAccountsReader);
    const events: PlanEvent['kind'][] = [];
    const sink = memoryFiles();
    const r = await plan(
      'mesh.yaml',
      {
        domain: [],
        account: [],
        target: { kind: 'aws' },
        clock,
        out: 'out/plan.json',
        onEvent: (e) => events.push(e.kind),
      },
      { sources: memorySources(files), openTarget: openerOf(target), files: sink },
    );
    if (r.kind !== 'planned') throw new Error(`expected a plan, got ${r.kind}`);
    // The example mesh declares 10 streams and consumers in 3 accounts (README quick start: "Plan: 10 to add").
    expect(r.plan.summary.hasChanges).toBe(true);
    expect(r.plan.changes.filter((c) => c.action === 'create').length).toBeGreaterThanOrEqual(10);
    expect(target.closed).toBe(1);
    expect(events.slice(0, 5)).toEqual(['validating', 'validated', 'opening', 'opened', 'planning']);
    expect(events.at(-1)).toBe('computed');
    expect(events.filter((e) => e === 'account-read')).toHaveLength(3);
    // The saved plan went through the file port and reads back as the same plan.
    const saved = parsePlan(sink.written.get('out/plan.json') ?? '');
    expect(saved.plan?.changeSetDigest).toBe(r.plan.changeSetDigest);
  });

  it("prices the plan with the target's prices, or the shipped table when the target cannot say", async () => {
    const run = (target: ReturnType<typeof fakeTarget>) =>
      plan(
        'mesh.yaml',
        { domain: [], account: [], target: { kind: 'aws' }, clock },
        { sources: memorySources(files), openTarget: openerOf(target), files: memoryFiles() },
      );
    const shipped = await run(fakeTarget(emptyAccountsReader));
    if (shipped.kind !== 'planned') throw new Error(shipped.kind);
    expect(shipped.plan.cost?.prices.kind).toBe('shipped');
    expect(shipped.plan.cost?.assumptions[0]).toMatch(/^prices: the shipped table of \d{4}-\d{2}-\d{2}$/);
    // Only shard-hours cost anything here ($1 each): the example declares provisioned streams of 4, 2 and 1 shards
    // (mesh.yaml), so the month after the first apply costs 7 x 730 = $5,110, and nothing before it.
    const prices = Object.fromEntries(PRICE_DIMENSIONS.map((d) => [d, d === 'provisioned-shard-hour' ? 1 : 0]));
    const table = {
      region: 'eu-west-1',
      kind: 'price-list-api',
      asOf: '2026-11-30',
      source: 'test',
      prices,
      unconfirmed: [],
    } as unknown as PriceTable;
    const priced = fakeTarget(emptyAccountsReader);
    const answered = await run(
      Object.assign(priced, { prices: async () => ({ table, notes: ['prices: from the test'] }) }),
    );
    if (answered.kind !== 'planned') throw new Error(answered.kind);
    expect(answered.plan.cost?.total).toEqual({ beforeUSD: 0, afterUSD: 5110, deltaUSD: 5110 });
    expect(answered.plan.cost?.prices).toMatchObject({ kind: 'price-list-api', asOf: '2026-11-30', ageDays: 1 });
    expect(answered.plan.cost?.assumptions[0]).toBe('prices: from the test');
    // Cost is not part of what apply compares.
    expect(answered.plan.changeSetDigest).toBe(shipped.plan.changeSetDigest);
  });

  it('asks for the prices while the live state is read, and a plan whose read fails ends their calls', async () => {
    const run = async (read: (finish: () => void) => Promise<unknown>, answerNow = true) => {
      const events: string[] = [];
      let answerPrices: (() => void) | undefined;
      const target = Object.assign(
        fakeTarget({
          read: (req) =>
            read(() => undefined).then(() => {
              events.push('read done');
              return emptyAccountsReader.read(req);
            }),
        }),
        {
          prices: (_region: string, _now: () => Date, signal?: AbortSignal) =>
            new Promise<undefined>((resolve) => {
              events.push('prices asked');
              let settled = false;
              answerPrices = () => {
                settled = true;
                events.push('prices answered');
                resolve(undefined);
              };
              // As the Price List adapter does: an aborted request ends at once (the shipped table stands in); an
              // abort after the answer changes nothing.
              signal?.addEventListener('abort', () => {
                if (settled) return;
                events.push('prices aborted');
                resolve(undefined);
              });
            }),
        },
      );
      const done = plan(
        'mesh.yaml',
        { domain: [], account: [], target: { kind: 'aws' }, clock },
        { sources: memorySources(files), openTarget: openerOf(target), files: memoryFiles() },
      )
        .catch((e: unknown) => e)
        .finally(() => events.push('plan returned'));
      for (let i = 0; i < 20 && answerPrices === undefined; i++) await new Promise((r) => setImmediate(r));
      events.push('read still running');
      if (answerPrices === undefined) throw new Error('the prices were not asked for');
      if (answerNow) answerPrices();
      return { r: await done, events };
    };
    const ok = await run(() => new Promise((r) => setTimeout(r, 20)));
    expect((ok.r as { kind: string }).kind).toBe('planned');
    expect(ok.events).toEqual(['prices asked', 'read still running', 'prices answered', 'read done', 'plan returned']);
    // The Price List API never answers here: the plan ends its request instead of waiting for it.
    const failed = await run(() => Promise.reject(new Error('boom')), false);
    expect((failed.r as Error).message).toBe('boom');
    expect(failed.events.filter((e) => e !== 'read still running')).toEqual([
      'prices asked',
      'prices aborted',
      'plan returned',
    ]);
  });

  it('an unknown --domain is a usage problem, before any target is opened', async () => {
    const r = await plan(
      'mesh.yaml',
      { domain: ['nope'], account: [], target: { kind: 'aws' }, clock },
      { sources: memorySources(files), openTarget: neverOpen, files: memoryFiles() },
    );
    expect(r).toEqual({ kind: 'usage', message: expect.stringMatching(/^--domain nope: no such domain in the mesh/) });
  });

  it('an invalid mesh comes back as its findings, and no target is opened', async () => {
    const r = await plan(
      'mesh.yaml',
      { domain: [], account: [], target: { kind: 'aws' }, clock },
      { sources: memorySources({ 'mesh.yaml': 'version: 1\nname: [' }), openTarget: neverOpen, files: memoryFiles() },
    );
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  it('asks the rule pack for the --policies directory, and a missing one is a usage problem', async () => {
    const sources = memorySources(files);
    const r = await plan(
      'mesh.yaml',
      { domain: [], account: [], policies: 'missing', target: { kind: 'aws' }, clock },
      { sources, openTarget: neverOpen, files: memoryFiles() },
    );
    expect(sources.asked).toEqual(['missing']);
    expect(r).toEqual({ kind: 'usage', message: '--policies missing: not a directory.' });
  });

  it('a target that cannot be opened and a write that fails come back as values', async () => {
    const failed = await plan(
      'mesh.yaml',
      { domain: [], account: [], target: { kind: 'aws' }, clock },
      {
        sources: memorySources(files),
        files: memoryFiles(),
        openTarget: async () => ({ kind: 'target-failed', reason: 'locked', message: 'held by pid 1' }),
      },
    );
    expect(failed).toEqual({ kind: 'target-failed', reason: 'locked', message: 'held by pid 1' });
    const target = fakeTarget(emptyAccountsReader);
    const unwritable = await plan(
      'mesh.yaml',
      { domain: [], account: [], target: { kind: 'aws' }, clock, out: 'x/plan.json' },
      {
        sources: memorySources(files),
        openTarget: openerOf(target),
        files: { write: (path) => ({ kind: 'write-failed', path, problem: 'x is a file, not a directory' }) },
      },
    );
    expect(unwritable).toEqual({ kind: 'write-failed', path: 'x/plan.json', problem: 'x is a file, not a directory' });
    expect(target.closed).toBe(1);
  });
});

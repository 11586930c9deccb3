import { describe, expect, it } from 'vitest';
import { runLanes } from '../../src/core/apply/run.js';
import { buildSteps } from '../../src/core/apply/steps.js';
import { renderApplyReport, summariseCalls } from '../../src/core/apply/summary.js';
import type { ApplyStep, ChangeExecutor } from '../../src/core/apply/types.js';
import { A1, A2, aChange, anEntry } from './builders.js';

const opts = { allowDestructive: false, history: [], now: new Date('2026-01-02T12:00:00Z') };

/** An executor that records what ran, how many calls were in flight per lane and overall, and fails chosen ids. */
function recorder(fail: Set<string> = new Set()) {
  const ran: string[] = [];
  const inFlight = new Map<string, number>();
  let maxPerLane = 0;
  let now = 0;
  let maxOverall = 0;
  const executor: ChangeExecutor = {
    async execute(step: ApplyStep) {
      inFlight.set(step.lane, (inFlight.get(step.lane) ?? 0) + 1);
      now++;
      maxPerLane = Math.max(maxPerLane, inFlight.get(step.lane) ?? 0);
      maxOverall = Math.max(maxOverall, now);
      await new Promise((r) => setTimeout(r, 5));
      ran.push(step.id);
      inFlight.set(step.lane, (inFlight.get(step.lane) ?? 1) - 1);
      now--;
      return fail.has(step.id) ? { status: 'failed' as const, message: 'boom' } : { status: 'done' as const };
    },
  };
  return { executor, ran, stats: () => ({ maxPerLane, maxOverall }) };
}

describe('runLanes', () => {
  it('runs one step at a time per stream, lanes in parallel up to the limit, IAM last', async () => {
    const changes = [];
    for (let s = 0; s < 6; s++) {
      for (const t of ['stream-tags', 'stream-retention', 'stream-monitoring'] as const)
        changes.push(aChange({ resourceType: t, stream: `s${s}.v1`, account: s % 2 ? A1 : A2 }));
    }
    const iam = aChange({ resourceType: 'iam-policy', stream: undefined });
    const { lanes, skipped } = buildSteps([...changes, iam], opts);
    const r = recorder();
    const report = await runLanes(lanes, r.executor, skipped, { concurrency: 3, perAccount: 2 });
    expect(report).toMatchObject({ done: 19, failed: 0, skipped: 0 });
    expect(r.stats().maxPerLane).toBe(1);
    expect(r.stats().maxOverall).toBeLessThanOrEqual(3);
    expect(r.stats().maxOverall).toBeGreaterThan(1);
    expect(r.ran[r.ran.length - 1]).toBe(iam.id);
    for (let s = 0; s < 6; s++) {
      const mine = r.ran.filter((id) => id.includes(`/s${s}.v1`));
      expect(mine.map((id) => id.split(':')[0])).toEqual(['stream-tags', 'stream-retention', 'stream-monitoring']);
    }
  });

  it('runs Lambda mapping lanes after every IAM lane (Lambda checks at create time that the role can read)', async () => {
    const iam = aChange({ resourceType: 'iam-policy', stream: undefined, account: A2 });
    const stream = aChange({ resourceType: 'stream-tags', stream: 'orders.v1', account: A1 });
    const { lanes, skipped } = buildSteps([iam, stream], opts);
    const iamStep = lanes.flatMap((l) => l.steps).find((s) => s.id === iam.id) as ApplyStep;
    // A mapping step in its own lane: the lane and phase are what buildSteps gives event-source-mapping changes.
    const mapping: ApplyStep = { ...iamStep, id: 'event-source-mapping:m', lane: `${A2}/lambda` };
    lanes.unshift({ key: `${A2}/lambda`, account: A2, phase: 'mapping', steps: [mapping] });
    const r = recorder();
    await runLanes(lanes, r.executor, skipped, { concurrency: 8, perAccount: 8 });
    expect(r.ran).toEqual([stream.id, iam.id, 'event-source-mapping:m']);
  });

  it('skips the dependants of a failed step but finishes independent steps and other lanes', async () => {
    const create = aChange({ resourceType: 'stream', action: 'create', stream: 'new.v1' });
    const consumer = aChange({ resourceType: 'consumer', action: 'create', stream: 'new.v1', dependsOn: [create.id] });
    const cpolicy = aChange({
      resourceType: 'consumer-policy',
      action: 'create',
      stream: 'new.v1',
      dependsOn: [consumer.id],
    });
    const tags = aChange({ resourceType: 'stream-tags', stream: 'old.v1' });
    const retention = aChange({ resourceType: 'stream-retention', stream: 'old.v1' });
    const { lanes, skipped } = buildSteps([create, consumer, cpolicy, tags, retention], opts);
    const r = recorder(new Set([create.id, tags.id]));
    const report = await runLanes(lanes, r.executor, skipped);
    const by = Object.fromEntries(report.outcomes.map((o) => [o.id, o.status]));
    expect(by).toEqual({
      [create.id]: 'failed',
      [consumer.id]: 'skipped',
      [cpolicy.id]: 'skipped',
      [tags.id]: 'failed',
      [retention.id]: 'done',
    });
    expect(report).toMatchObject({ done: 1, failed: 2, skipped: 2 });
    expect(r.ran).not.toContain(consumer.id);
  });

  it('once told to stop, lets the steps in flight finish and starts no other, accounting for every step', async () => {
    const changes = [];
    for (let s = 0; s < 4; s++) {
      for (const t of ['stream-tags', 'stream-retention'] as const) {
        changes.push(aChange({ resourceType: t, stream: `s${s}.v1` }));
      }
    }
    const iam = aChange({ resourceType: 'iam-policy', stream: undefined });
    const { lanes, skipped } = buildSteps([...changes, iam], opts);
    let stop = false;
    const started: string[] = [];
    const finished: string[] = [];
    const executor: ChangeExecutor = {
      async execute(step: ApplyStep) {
        started.push(step.id);
        // The signal arrives while the first steps (one per lane, both started at once) are in flight.
        await Promise.resolve();
        stop = true;
        await new Promise((r) => setTimeout(r, 5));
        finished.push(step.id);
        return { status: 'done' };
      },
    };
    const report = await runLanes(lanes, executor, skipped, { concurrency: 2, perAccount: 2, shouldStop: () => stop });
    expect(started).toHaveLength(2);
    expect(finished).toEqual(expect.arrayContaining(started));
    expect(report.done).toBe(2);
    expect(report.outcomes).toHaveLength(9);
    const rest = report.outcomes.filter((o) => o.status !== 'done');
    expect(rest).toHaveLength(7);
    for (const o of rest) expect(o).toMatchObject({ status: 'skipped', skipReason: 'interrupted' });
    expect(rest.map((o) => o.id)).toContain(iam.id);
  });

  it('keeps at most 5 stream creations in flight per account, and starts the next as soon as one has settled', async () => {
    const creates = [
      ...Array.from({ length: 8 }, (_, i) =>
        aChange({ resourceType: 'stream', action: 'create', stream: `a${i}.v1`, account: A1 }),
      ),
      ...Array.from({ length: 2 }, (_, i) =>
        aChange({ resourceType: 'stream', action: 'create', stream: `b${i}.v1`, account: A2 }),
      ),
    ];
    const { lanes, skipped } = buildSteps(creates, opts);
    const started: { id: string; settle: () => void; finish: () => void }[] = [];
    const executor: ChangeExecutor = {
      execute: (step, hooks) =>
        new Promise((resolve) => {
          started.push({ id: step.id, settle: () => hooks?.settled(), finish: () => resolve({ status: 'done' }) });
        }),
    };
    const tick = () => new Promise((r) => setImmediate(r));
    const run = runLanes(lanes, executor, skipped, { concurrency: 20, perAccount: 20 });
    await tick();
    const inA1 = () => started.filter((s) => s.id.includes(`${A1}/`)).length;
    expect(inA1()).toBe(5);
    expect(started.length).toBe(7);
    // The first create's stream is ACTIVE: its step goes on (settings), and the sixth create starts meanwhile.
    started[0]?.settle();
    started[0]?.settle();
    await tick();
    expect(inA1()).toBe(6);
    // Ending a step frees its slot too (once: the settle before does not count twice).
    started[1]?.finish();
    await tick();
    expect(inA1()).toBe(7);
    for (let i = 0; i < 20 && started.some((s) => s); i++) {
      for (const s of started) s.finish();
      await tick();
    }
    expect(await run).toMatchObject({ done: 10, failed: 0, skipped: 0 });
  });

  it('never starts a create that was waiting for a slot when the stop came', async () => {
    const creates = Array.from({ length: 7 }, (_, i) =>
      aChange({ resourceType: 'stream', action: 'create', stream: `a${i}.v1` }),
    );
    const { lanes, skipped } = buildSteps(creates, opts);
    let stop = false;
    const finishes: (() => void)[] = [];
    const ran: string[] = [];
    const executor: ChangeExecutor = {
      execute: (step) =>
        new Promise((resolve) => {
          ran.push(step.id);
          finishes.push(() => resolve({ status: 'done' }));
        }),
    };
    const run = runLanes(lanes, executor, skipped, { shouldStop: () => stop });
    await new Promise((r) => setImmediate(r));
    expect(ran).toHaveLength(5);
    stop = true;
    for (const f of finishes) f();
    const report = await run;
    expect(ran).toHaveLength(5);
    expect(report.outcomes.filter((o) => o.skipReason === 'interrupted')).toHaveLength(2);
  });

  it('turns an executor that throws into a failed step', async () => {
    const c = aChange({ resourceType: 'stream-tags' });
    const { lanes } = buildSteps([c], opts);
    const report = await runLanes(lanes, { execute: () => Promise.reject(new Error('kaput')) }, []);
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', message: 'kaput' });
  });
});

describe('summary', () => {
  it('counts attempts by API and names what was not applied', () => {
    const calls = summariseCalls([
      anEntry({ api: 'kinesis:CreateStream' }),
      anEntry({ api: 'kinesis:CreateStream', result: 'error', error: 'socket hang up' }),
      anEntry({ api: 'kinesis:AddTagsToStream' }),
    ]);
    expect(calls).toEqual({
      byApi: { 'kinesis:AddTagsToStream': { ok: 1, error: 0 }, 'kinesis:CreateStream': { ok: 1, error: 1 } },
      total: 3,
      errors: 1,
      unanswered: 0,
    });
    const text = renderApplyReport(
      {
        outcomes: [
          {
            id: 'x',
            account: A1,
            address: 'a/stream/x',
            resourceType: 'stream-retention',
            action: 'update',
            status: 'skipped',
            skipReason: 'destructive',
            message: 'destructive',
          },
          { id: 'y', account: A1, address: 'a/stream/y', resourceType: 'stream', action: 'create', status: 'done' },
        ],
        done: 1,
        failed: 0,
        skipped: 1,
      },
      calls,
      'log.jsonl',
    );
    expect(text).toContain('skipped stream-retention a/stream/x: destructive');
    expect(text).toContain('kinesis:CreateStream: 1 ok, 1 error');
    expect(text).toContain('Apply: 1 done, 0 failed, 1 skipped. (rerun with --allow-destructive');
  });

  it('counts ended attempts by API, and intents without an outcome apart', () => {
    const calls = summariseCalls([
      anEntry({ api: 'kinesis:CreateStream', result: 'started', id: '1' }),
      anEntry({ api: 'kinesis:CreateStream', id: '1' }),
      anEntry({ api: 'kinesis:UpdateShardCount', result: 'started', id: '2' }),
    ]);
    expect(calls).toEqual({
      byApi: { 'kinesis:CreateStream': { ok: 1, error: 0 } },
      total: 1,
      errors: 0,
      unanswered: 1,
    });
    expect(renderApplyReport({ outcomes: [], done: 0, failed: 0, skipped: 0 }, calls)).toContain(
      '1 call(s) started without an answer: they may have reached the service',
    );
  });

  it('says an interrupted run was interrupted, with what was done and what did not start', () => {
    const calls = summariseCalls([]);
    const text = renderApplyReport(
      {
        outcomes: [
          { id: 'y', account: A1, address: 'a/stream/y', resourceType: 'stream', action: 'create', status: 'done' },
          {
            id: 'x',
            account: A1,
            address: 'a/stream/x',
            resourceType: 'stream',
            action: 'create',
            status: 'skipped',
            skipReason: 'interrupted',
            message: 'not started: apply was interrupted',
          },
          {
            id: 'z',
            account: A1,
            address: 'a/stream/z',
            resourceType: 'stream-retention',
            action: 'update',
            status: 'skipped',
            skipReason: 'destructive',
            message: 'destructive',
          },
        ],
        done: 1,
        failed: 0,
        skipped: 2,
      },
      calls,
      undefined,
      { interruptedBy: 'SIGINT' },
    );
    expect(text).toContain('  not started stream a/stream/x: not started: apply was interrupted');
    expect(text).toContain('Apply interrupted (SIGINT): 1 done, 0 failed, 1 skipped, 1 not started. (');
    expect(text).toContain('rerun apply to finish');
  });
});

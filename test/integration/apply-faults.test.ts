/**
 * Fault injection: a proxy between the apply executor and kinesis-local throttles (LimitExceededException),
 * answers ResourceInUseException and HTTP 500, and drops connections before and after forwarding, for a share of
 * the executor's calls (mutations, waits and re-reads). Planning reads through a second proxy with the same faults
 * but ResourceInUseException (which the plan's reader does not retry; real read APIs rarely return it). Apply is
 * rerun until the plan is empty: it must converge within a few runs, with exactly the desired streams and consumers;
 * the final check reads kinesis-local directly.
 */
import { DeregisterStreamConsumerCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from '../support/fault-proxy.js';
import { useKinesisLocal } from '../support/kinesis-local.js';
import { applyHarness, changeIds, oob } from '../apply/harness.js';

const random = useKinesisLocal();
const lost = useKinesisLocal();
const MAX_RUNS = 5;

describe('apply under injected faults', () => {
  it('converges over repeated runs with no duplicate or lost resources', async () => {
    const h = applyHarness(random);
    const proxy = await startFaultProxy({
      upstream: random.endpoint,
      rate: 0.25,
      seed: 20261126,
      faults: ['throttle', 'in-use', 'http-500', 'drop', 'drop-after'],
    });
    const readProxy = await startFaultProxy({
      upstream: random.endpoint,
      rate: 0.25,
      seed: 7,
      faults: ['throttle', 'http-500', 'drop', 'drop-after'],
    });
    const runs: { done: number; failed: number; skipped: number; attempts: number; errors: number }[] = [];
    const skipReasons = new Set<string | undefined>();
    try {
      let plan = await h.plan(readProxy.endpoint);
      expect(changeIds(plan).length).toBeGreaterThanOrEqual(10);
      for (let run = 0; run < MAX_RUNS && plan.summary.hasChanges; run++) {
        // One attempt per call in the first run and two after it, so steps do fail and a rerun has to pick up
        // where the last run stopped.
        const r = await h.apply(plan, { endpoint: proxy.endpoint, maxAttempts: run === 0 ? 1 : 2 });
        for (const o of r.report.outcomes) if (o.status === 'skipped') skipReasons.add(o.skipReason);
        runs.push({
          done: r.report.done,
          failed: r.report.failed,
          skipped: r.report.skipped,
          attempts: r.calls.total,
          errors: r.calls.errors,
        });
        // A run that failed says so step by step: every step is accounted for.
        expect(r.report.done + r.report.failed + r.report.skipped).toBe(changeIds(plan).length);
        plan = await h.plan(readProxy.endpoint);
      }
      plan = await h.plan();
      // Converged: nothing left to change, and exactly the desired resources exist (none twice, none missing).
      expect(changeIds(plan)).toEqual([]);
      expect(plan.unmanaged).toEqual([]);
      expect(await h.inventory()).toEqual(h.wanted());
      // The first run really failed part-way, and a rerun converged.
      expect(runs[0]?.failed ?? 0).toBeGreaterThan(0);
      expect(runs.length).toBeGreaterThan(1);
      // Only the dependants of a failed step are skipped (a consumer whose stream failed), nothing for any other reason.
      expect([...skipReasons].filter((x) => x !== 'dependency')).toEqual([]);
      // The faults really happened, every kind, and the executor saw (and logged) failed attempts.
      for (const kind of ['throttle', 'in-use', 'http-500', 'drop', 'drop-after'] as const)
        expect(proxy.injected[kind], kind).toBeGreaterThan(0);
      expect(runs.reduce((n, r) => n + r.errors, 0)).toBeGreaterThan(0);
      const total = [...proxy.calls.values()].reduce((a, b) => a + b, 0);
      const injected = Object.values(proxy.injected).reduce((a, b) => a + b, 0);
      expect(injected / total).toBeGreaterThan(0.1);
      console.log(
        `fault run: ${runs.length} apply run(s) ${JSON.stringify(runs)}; proxy saw ${total} calls, injected ${JSON.stringify(proxy.injected)}`,
      );
      expect(Object.values(readProxy.injected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      await readProxy.close();
    }
  }, 240_000);

  it('treats a CreateStream or RegisterStreamConsumer whose answer was lost as done once the resource exists', async () => {
    const h = applyHarness(lost);
    // The first five CreateStream calls (one per stream) reach kinesis-local, but the connection drops before the answer.
    const proxy = await startFaultProxy({
      upstream: lost.endpoint,
      rate: 1,
      faults: ['drop-after'],
      targets: new Set(['CreateStream']),
      maxFaults: 5,
    });
    try {
      const r = await h.apply(await h.plan(), { endpoint: proxy.endpoint });
      expect(proxy.injected['drop-after']).toBe(5);
      expect(r.report.failed).toBe(0);
      const creates = r.report.outcomes.filter((o) => o.resourceType === 'stream' && o.action === 'create');
      expect(creates).toHaveLength(5);
      const log = r.log.entries.filter((e) => e.api === 'kinesis:CreateStream');
      expect(log.filter((e) => e.result === 'error' && /socket hang up|ECONNRESET/i.test(e.error ?? ''))).toHaveLength(
        5,
      );
      // Per stream exactly one attempt ends it: a create that went through, or the retry that finds the stream
      // already there (ResourceInUseException), which counts as done. Never a second stream, never a failure.
      for (const c of creates) {
        const mine = log.filter((e) => e.change === c.id);
        const terminal = mine.filter((e) => e.result === 'ok' || /ResourceInUse/.test(e.error ?? ''));
        expect(terminal, c.id).toHaveLength(1);
        const foundExisting = /ResourceInUse/.test(terminal[0]?.error ?? '');
        expect(c.message ?? '', c.id).toContain(foundExisting ? 'already existed' : '');
        if (!foundExisting) expect(c.message).toBeUndefined();
      }
      // The very first CreateStream call was dropped after it reached the service, so at least one stream was found existing.
      expect(creates.filter((c) => c.message?.includes('already existed')).length).toBeGreaterThanOrEqual(1);
      expect(changeIds(await h.plan())).toEqual([]);
      expect(await h.inventory()).toEqual(h.wanted());
    } finally {
      await proxy.close();
    }
    const proxy2 = await startFaultProxy({
      upstream: lost.endpoint,
      rate: 1,
      faults: ['drop-after'],
      targets: new Set(['RegisterStreamConsumer']),
      maxFaults: 1,
    });
    try {
      await oob(() =>
        lost.client('111111111111').send(
          new DeregisterStreamConsumerCommand({
            StreamARN: 'arn:aws:kinesis:eu-west-1:111111111111:stream/payments.transactions.v1',
            ConsumerName: 'fraud-scorer',
          }),
        ),
      );
      let plan = await h.plan();
      for (let i = 0; i < 50 && !changeIds(plan).some((c) => c.startsWith('create consumer:')); i++) {
        await new Promise((res) => setTimeout(res, 25));
        plan = await h.plan();
      }
      const r = await h.apply(plan, { endpoint: proxy2.endpoint });
      expect(proxy2.injected['drop-after']).toBe(1);
      expect(r.report.failed).toBe(0);
      expect(r.report.outcomes.find((o) => o.resourceType === 'consumer')?.message).toContain('already registered');
      expect((await h.inventory())['111111111111']?.['payments.transactions.v1']).toEqual(['fraud-scorer']);
      expect(changeIds(await h.plan())).toEqual([]);
    } finally {
      await proxy2.close();
    }
  }, 240_000);
});

/**
 * Apply on kinesis-local with the example mesh's three accounts: from empty, idempotent second plan, and drift made
 * out of band (retention, tags, a foreign principal in a resource policy, a deregistered consumer) repaired.
 */
import {
  DecreaseStreamRetentionPeriodCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  RemoveTagsFromStreamCommand,
  AddTagsToStreamCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
  CreateStreamCommand,
  RegisterStreamConsumerCommand,
  TagResourceCommand,
  ListStreamsCommand,
  DescribeStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINESIS_EXECUTOR_IAM_ACTIONS } from '../../src/adapters/aws/kinesis-executor.js';
import { ApplyLog, readApplyLog } from '../../src/adapters/fs/apply-log.js';
import { useKinesisLocal } from '../support/kinesis-local.js';
import { applyHarness, changeIds, oob } from '../apply/harness.js';

const k = useKinesisLocal();
const P = '111111111111';
const TX = 'payments.transactions.v1';
const TX_ARN = `arn:aws:kinesis:eu-west-1:${P}:stream/${TX}`;

describe('apply on the local target (three accounts)', () => {
  const h = applyHarness(k);

  it('applies the example mesh from empty; a second plan shows no changes', async () => {
    const plan = await h.plan();
    expect(plan.summary.add).toBeGreaterThanOrEqual(10);
    const r = await h.apply(plan);
    expect(r.report.outcomes.filter((o) => o.status !== 'done')).toEqual([]);
    expect(r.report.done).toBe(changeIds(plan).length);
    expect(await h.inventory()).toEqual(h.wanted());
    const again = await h.plan();
    expect(changeIds(again)).toEqual([]);
    expect(again.unmanaged).toEqual([]);

    // The audit log has an intent and an outcome line per attempt with the fields the docs promise, and the summary
    // counts the outcomes.
    const lines = readApplyLog(join(h.dir, 'apply-log.jsonl'));
    const outcomes = lines.filter((l) => l.result !== 'started');
    expect(outcomes.length).toBe(r.calls.total);
    expect(r.calls.unanswered).toBe(0);
    // Every remote call's outcome follows its own intent (same id); the local IAM write is not a remote call.
    for (const [i, l] of lines.entries()) {
      if (l.result === 'started') continue;
      if (l.api.startsWith('local:')) continue;
      const intent = lines.findIndex((x) => x.result === 'started' && x.id === l.id);
      expect(intent, `${l.api} ${l.id}`).toBeGreaterThanOrEqual(0);
      expect(intent).toBeLessThan(i);
    }
    const remote = outcomes.filter((l) => !l.api.startsWith('local:'));
    expect(lines.filter((l) => l.result === 'started').length).toBe(remote.length);
    expect(
      lines
        .filter((l) => l.api === 'kinesis:CreateStream' && l.result === 'ok')
        .map((l) => l.resource)
        .sort(),
    ).toEqual(h.desired.accounts.flatMap((a) => a.streams.map((s) => s.arn)).sort());
    for (const l of lines)
      expect(Object.keys(l)).toEqual(
        expect.arrayContaining(['time', 'account', 'api', 'resource', 'result', 'attempt']),
      );
    // Every mutating call is one the executor declares (the governance role must be granted these).
    for (const api of new Set(lines.map((l) => l.api).filter((a) => a.startsWith('kinesis:'))))
      expect(KINESIS_EXECUTOR_IAM_ACTIONS).toContain(api);
    expect(r.calls.byApi['kinesis:RegisterStreamConsumer']?.ok).toBe(1);
    // Local target: IAM artefacts are written as files.
    expect(r.localIamFiles).toBeGreaterThan(0);
    expect(existsSync(join(h.dir, 'iam', P))).toBe(true);

    // Applying the empty plan again makes no calls but the local IAM write.
    const noop = await h.apply(again);
    expect(Object.keys(noop.calls.byApi)).toEqual(['local:WriteIamArtefacts']);
  });

  it('plans and repairs drift made out of band; access revocation waits for --allow-destructive', async () => {
    const c = k.client(P);
    const rogue = 'arn:aws:iam::444444444444:role/intruder';
    await oob(() => c.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: TX, RetentionPeriodHours: 48 })));
    await k.waitActive(P, TX);
    await oob(() => c.send(new RemoveTagsFromStreamCommand({ StreamName: TX, TagKeys: ['meshgov:classification'] })));
    await oob(() => c.send(new AddTagsToStreamCommand({ StreamName: TX, Tags: { 'added-by-hand': 'yes' } })));
    const live = JSON.parse((await c.send(new GetResourcePolicyCommand({ ResourceARN: TX_ARN }))).Policy ?? '{}') as {
      Statement: unknown[];
    };
    live.Statement.push({
      Sid: 'Intruder',
      Effect: 'Allow',
      Principal: { AWS: rogue },
      Action: 'kinesis:GetRecords',
      Resource: TX_ARN,
    });
    await oob(() => c.send(new PutResourcePolicyCommand({ ResourceARN: TX_ARN, Policy: JSON.stringify(live) })));
    await oob(() => c.send(new DeregisterStreamConsumerCommand({ StreamARN: TX_ARN, ConsumerName: 'fraud-scorer' })));
    for (let i = 0; i < 100; i++) {
      const cons = (await h.inventory())[P]?.[TX] ?? [];
      if (!cons.includes('fraud-scorer')) break;
      await new Promise((r) => setTimeout(r, 25));
    }

    const plan = await h.plan();
    expect(changeIds(plan)).toEqual([
      `update stream-tags:${P}/stream/${TX}`,
      `update stream-retention:${P}/stream/${TX}`,
      `create consumer:${P}/stream/${TX}/consumer/fraud-scorer`,
      `update stream-policy:${P}/stream/${TX}/policy`,
      `create consumer-policy:${P}/stream/${TX}/consumer/fraud-scorer/policy`,
    ]);
    const policyChange = plan.changes.find((x) => x.resourceType === 'stream-policy');
    expect(policyChange?.risk).toBe('destructive');
    expect(plan.accessDiff).toContainEqual(expect.objectContaining({ principal: rogue, change: 'lose' }));

    // Without --allow-destructive the revocation is skipped and reported; everything else is repaired.
    const first = await h.apply(plan);
    expect(first.report.outcomes.filter((o) => o.status !== 'done').map((o) => [o.id, o.status, o.skipReason])).toEqual(
      [[policyChange?.id, 'skipped', 'destructive']],
    );
    const summary = (await c.send(new DescribeStreamSummaryCommand({ StreamName: TX }))).StreamDescriptionSummary;
    expect(summary?.RetentionPeriodHours).toBe(168);
    expect(changeIds(await h.plan())).toEqual([`update stream-policy:${P}/stream/${TX}/policy`]);

    const second = await h.apply(await h.plan(), { allowDestructive: true });
    expect(second.report).toMatchObject({ failed: 0, skipped: 0, done: 1 });
    const policy = (await c.send(new GetResourcePolicyCommand({ ResourceARN: TX_ARN }))).Policy ?? '';
    expect(policy).not.toContain(rogue);
    expect(changeIds(await h.plan())).toEqual([]);
    expect(await h.inventory()).toEqual(h.wanted());
    // The audit log is append-only: both runs and the first test's lines are in it.
    const text = readFileSync(join(h.dir, 'apply-log.jsonl'), 'utf8');
    expect(text.trim().split('\n').length).toBeGreaterThanOrEqual(first.calls.total + second.calls.total);
  });

  it('reshards in steps of at most 2x down, switches mode before resharding, and keeps to the daily budget', async () => {
    const C = '333333333333';
    const N = 'customer.notifications.v1';
    const arn = `arn:aws:kinesis:eu-west-1:${C}:stream/${N}`;
    const c = k.client(C);
    for (const target of [2, 4]) {
      await oob(() =>
        c.send(
          new UpdateShardCountCommand({ StreamName: N, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' }),
        ),
      );
      await k.waitActive(C, N);
    }
    const plan = await h.plan();
    expect(changeIds(plan)).toEqual([`update stream-capacity:${C}/stream/${N}`]);
    const r = await h.apply(plan);
    expect(r.report.outcomes[0]).toMatchObject({ status: 'done', message: 'capacity 4->2, 2->1' });
    expect(
      r.log.entries.filter((e) => e.api === 'kinesis:UpdateShardCount' && e.result === 'ok').map((e) => e.resource),
    ).toEqual([arn, arn]);
    expect(changeIds(await h.plan())).toEqual([]);

    // A mode switch made out of band: switching back is disruptive (no data or access lost), needs no flag, and runs
    // before the shard count.
    await oob(() =>
      c.send(new UpdateStreamModeCommand({ StreamARN: arn, StreamModeDetails: { StreamMode: 'ON_DEMAND' } })),
    );
    await k.waitActive(C, N);
    const sw = await h.plan();
    expect(sw.changes.find((x) => x.resourceType === 'stream-capacity')).toMatchObject({
      risk: 'disruptive',
      after: { mode: 'PROVISIONED', shards: 1 },
    });
    const done = await h.apply(sw);
    expect(done.report.failed).toBe(0);
    const apis = done.log.entries
      .filter((e) => e.result === 'ok')
      .map((e) => e.api)
      .filter((a) => a !== 'local:WriteIamArtefacts');
    expect(apis[0]).toBe('kinesis:UpdateStreamMode');
    expect(apis.slice(1).every((a) => a === 'kinesis:UpdateShardCount')).toBe(true);
    expect(changeIds(await h.plan())).toEqual([]);

    // Ten UpdateShardCount calls on the stream in the last 24 h (from the audit log): the next resharding is refused up front.
    await oob(() =>
      c.send(new UpdateShardCountCommand({ StreamName: N, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' })),
    );
    await k.waitActive(C, N);
    const busyLog = join(h.dir, 'busy-log.jsonl');
    const recent = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({
        time: new Date(Date.now() - (i + 1) * 600_000).toISOString(),
        account: C,
        api: 'kinesis:UpdateShardCount',
        resource: arn,
        result: 'ok',
        attempt: 1,
      }),
    );
    writeFileSync(busyLog, `${recent.join('\n')}\n`);
    const refused = await h.apply(await h.plan(), { log: new ApplyLog(busyLog) });
    expect(refused.report.outcomes[0]).toMatchObject({ status: 'skipped', skipReason: 'budget' });
    expect(refused.report.outcomes[0]?.message).toContain('0 of 10 are left');
    expect(refused.log.entries.filter((e) => e.api.startsWith('kinesis:'))).toEqual([]);
    expect((await h.apply(await h.plan())).report.failed).toBe(0);
  });

  it('deletes only what it manages, only with --allow-destructive, and never a deletion-protected stream', async () => {
    const R = '222222222222';
    const c = k.client(R);
    const managedTags = { 'meshgov:managed-by': 'meshgov', 'meshgov:mesh': h.desired.mesh, 'meshgov:domain': 'risk' };
    await oob(() =>
      c.send(new CreateStreamCommand({ StreamName: 'risk.retired.v1', ShardCount: 1, Tags: managedTags })),
    );
    await oob(() =>
      c.send(
        new CreateStreamCommand({
          StreamName: 'risk.kept.v1',
          ShardCount: 1,
          Tags: { ...managedTags, 'meshgov:deletion-protection': 'true' },
        }),
      ),
    );
    await oob(() => c.send(new CreateStreamCommand({ StreamName: 'someone-elses.v1', ShardCount: 1 })));
    for (const n of ['risk.retired.v1', 'risk.kept.v1', 'someone-elses.v1']) await k.waitActive(R, n);
    // Tags on create are what kinesis-local may ignore: make sure they are there.
    await oob(() => c.send(new AddTagsToStreamCommand({ StreamName: 'risk.retired.v1', Tags: managedTags })));
    await oob(() =>
      c.send(
        new AddTagsToStreamCommand({
          StreamName: 'risk.kept.v1',
          Tags: { ...managedTags, 'meshgov:deletion-protection': 'true' },
        }),
      ),
    );
    // An undeclared consumer tagged managed-by meshgov on a declared stream, and one nobody tagged.
    const fs = `arn:aws:kinesis:eu-west-1:${R}:stream/risk.fraud-scores.v1`;
    for (const name of ['old-reader', 'foreign-reader'])
      await oob(() => c.send(new RegisterStreamConsumerCommand({ StreamARN: fs, ConsumerName: name })));
    let oldArn = '';
    for (let i = 0; i < 100 && !oldArn; i++) {
      const d = await c
        .send(new DescribeStreamConsumerCommand({ StreamARN: fs, ConsumerName: 'old-reader' }))
        .catch(() => undefined);
      if (d?.ConsumerDescription?.ConsumerStatus === 'ACTIVE') oldArn = d.ConsumerDescription.ConsumerARN ?? '';
      else await new Promise((r) => setTimeout(r, 25));
    }
    await oob(() => c.send(new TagResourceCommand({ ResourceARN: oldArn, Tags: { 'meshgov:managed-by': 'meshgov' } })));

    const plan = await h.plan();
    expect(changeIds(plan)).toEqual([
      `delete consumer:${R}/stream/risk.fraud-scores.v1/consumer/old-reader`,
      `delete stream:${R}/stream/risk.kept.v1`,
      `delete stream:${R}/stream/risk.retired.v1`,
    ]);
    expect(plan.unmanaged.map((u) => u.name).sort()).toEqual(['foreign-reader', 'someone-elses.v1']);

    const cautious = await h.apply(plan);
    expect(cautious.report).toMatchObject({ done: 0, skipped: 3 });
    expect(cautious.log.entries.filter((e) => e.api.startsWith('kinesis:'))).toEqual([]);

    const bold = await h.apply(await h.plan(), { allowDestructive: true });
    expect(bold.report.outcomes.map((o) => [o.address, o.status, o.skipReason])).toEqual([
      [`${R}/stream/risk.kept.v1`, 'skipped', 'deletion-protected'],
      [`${R}/stream/risk.fraud-scores.v1/consumer/old-reader`, 'done', undefined],
      [`${R}/stream/risk.retired.v1`, 'done', undefined],
    ]);
    const names = (await c.send(new ListStreamsCommand({}))).StreamNames ?? [];
    expect([...names].sort()).toEqual(['risk.fraud-scores.v1', 'risk.kept.v1', 'someone-elses.v1']);
    expect((await h.inventory())[R]?.['risk.fraud-scores.v1']).toEqual(['foreign-reader']);
    expect(changeIds(await h.plan())).toEqual([`delete stream:${R}/stream/risk.kept.v1`]);
  });
});

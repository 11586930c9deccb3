/**
 * Plan against kinesis-local with the example mesh's three accounts: empty accounts, then streams made
 * out of band (with the SDK, signing with the account id as access key id) that differ in known ways.
 */
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  EnableEnhancedMonitoringCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  StartStreamEncryptionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kinesis';
import type { MetricsName } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { AwsLiveReader } from '../../src/adapters/aws/live-reader.js';
import { computePlan, declaredStreams, meshDigest } from '../../src/core/plan/index.js';
import type { LiveState, Plan } from '../../src/core/plan/index.js';
import type { DesiredState, DesiredStream, PolicyDocument } from '../../src/core/render/types.js';
import { exampleMesh } from '../support/example-mesh.js';
import { useKinesisLocal } from '../support/kinesis-local.js';
import type { KinesisLocalHandle } from '../support/kinesis-local.js';

const kl = useKinesisLocal();
const { desired, sources } = exampleMesh();
const clock = { now: () => new Date('2026-12-01T10:00:00Z') };

async function readLive(h: KinesisLocalHandle): Promise<LiveState> {
  const reader = new AwsLiveReader(h.pool(), {
    readIam: false,
    readOrganization: false,
    iamPathPrefix: '/meshgov/',
    notChecked: ['IAM: local'],
  });
  return reader.read({
    mesh: desired.mesh,
    region: desired.region,
    partition: desired.partition,
    accounts: desired.accounts.map((a) => a.account),
    declared: declaredStreams(desired),
  });
}

async function plan(h: KinesisLocalHandle): Promise<Plan> {
  return computePlan({ desired, live: await readLive(h), meshDigest: meshDigest(sources), clock, target: 'local' });
}

function stream(d: DesiredState, name: string): DesiredStream {
  const s = d.accounts.flatMap((a) => a.streams).find((x) => x.name === name);
  if (!s) throw new Error(`no desired stream ${name}`);
  return s;
}

/** Make a stream out of band with the given settings (what a console user or another tool would do). */
async function makeStream(
  h: KinesisLocalHandle,
  s: DesiredStream,
  o: { shards?: number; retentionHours?: number; tags?: Record<string, string>; policy?: PolicyDocument },
): Promise<void> {
  const c = h.client(s.account);
  const tags = o.tags ?? s.tags;
  await c.send(
    new CreateStreamCommand({
      StreamName: s.name,
      ...(s.mode === 'ON_DEMAND'
        ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }
        : { ShardCount: o.shards ?? s.shards ?? 1 }),
    }),
  );
  await h.waitActive(s.account, s.name);
  if (Object.keys(tags).length) await c.send(new AddTagsToStreamCommand({ StreamName: s.name, Tags: tags }));
  const retention = o.retentionHours ?? s.retentionHours;
  if (retention !== 24) {
    const { IncreaseStreamRetentionPeriodCommand } = await import('@aws-sdk/client-kinesis');
    await c.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: s.name, RetentionPeriodHours: retention }));
    await h.waitActive(s.account, s.name);
  }
  if (s.encryption.type === 'KMS') {
    await c.send(
      new StartStreamEncryptionCommand({
        StreamName: s.name,
        EncryptionType: 'KMS',
        KeyId: s.encryption.keyId ?? 'alias/aws/kinesis',
      }),
    );
    await h.waitActive(s.account, s.name);
  }
  if (s.enhancedMonitoring.length)
    await c.send(
      new EnableEnhancedMonitoringCommand({
        StreamName: s.name,
        ShardLevelMetrics: s.enhancedMonitoring as MetricsName[],
      }),
    );
  const policy = 'policy' in o ? o.policy : s.resourcePolicy;
  if (policy) await c.send(new PutResourcePolicyCommand({ ResourceARN: s.arn, Policy: JSON.stringify(policy) }));
}

const active = (p: Plan) => p.changes.filter((c) => c.action !== 'no-op');

describe('plan against empty local accounts', { timeout: 180_000 }, () => {
  it('shows every declared stream, consumer and policy as a create, and nothing else', async () => {
    const p = await plan(kl);
    const streams = desired.accounts.flatMap((a) => a.streams);
    const consumers = desired.accounts.flatMap((a) => a.consumers);
    const expected = [
      ...streams.map((s) => `create stream:${s.account}/stream/${s.name}`),
      ...streams
        .filter((s) => s.resourcePolicy)
        .map((s) => `create stream-policy:${s.account}/stream/${s.name}/policy`),
      ...consumers.map((c) => `create consumer:${c.account}/stream/${c.stream}/consumer/${c.name}`),
      ...consumers
        .filter((c) => c.resourcePolicy)
        .map((c) => `create consumer-policy:${c.account}/stream/${c.stream}/consumer/${c.name}/policy`),
    ].sort();
    expect(
      active(p)
        .map((c) => `${c.action} ${c.id}`)
        .sort(),
    ).toEqual(expected);
    expect(streams.length).toBeGreaterThanOrEqual(5);
    expect(p.summary).toMatchObject({ add: expected.length, change: 0, destroy: 0, hasChanges: true });
    expect(p.unmanaged).toEqual([]);
    expect(p.accessDiff.every((a) => a.change === 'gain')).toBe(true);
    // Sub-resources wait for their stream; consumer policies for their consumer.
    for (const c of active(p)) {
      if (c.resourceType === 'stream') expect(c.dependsOn).toEqual([]);
      else expect(c.dependsOn.length).toBe(1);
    }
    expect(p.notChecked).toContain('IAM: local');
  });
});

describe('plan against streams made out of band', { timeout: 180_000 }, () => {
  const tx = stream(desired, 'payments.transactions.v1');
  const refunds = stream(desired, 'payments.refunds.v1');
  const scores = stream(desired, 'risk.fraud-scores.v1');
  const clicks = stream(desired, 'customer.clickstream.v1');
  const droppedGrantTag = 'meshgov:consume:333333333333:customer-analytics';
  const foreignPrincipal = 'arn:aws:iam::444444444444:role/intruder';

  it('shows exactly the differences made out of band; unmanaged streams are listed and untouched', async () => {
    const txTags: Record<string, string> = { ...tx.tags, owner: 'bob' };
    delete txTags[droppedGrantTag];
    const txPolicy: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        ...(tx.resourcePolicy?.Statement ?? []),
        {
          Sid: 'Intruder',
          Effect: 'Allow',
          Principal: { AWS: foreignPrincipal },
          Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
          Resource: tx.arn,
        },
      ],
    };
    // Transactions: 3 shards (inside autoscaling 2..8: not drift), retention 48 h, a grant tag missing, a foreign tag, a foreign policy statement.
    await makeStream(kl, tx, { shards: 3, retentionHours: 48, tags: txTags, policy: txPolicy });
    const c = kl.client(tx.account);
    for (const dc of desired.accounts.flatMap((a) => a.consumers).filter((x) => x.stream === tx.name)) {
      const r = await c.send(new RegisterStreamConsumerCommand({ StreamARN: tx.arn, ConsumerName: dc.name }));
      await new Promise((res) => setTimeout(res, 200));
      const arn = r.Consumer?.ConsumerARN as string;
      if (Object.keys(dc.tags).length) await c.send(new TagResourceCommand({ ResourceARN: arn, Tags: dc.tags }));
      if (dc.resourcePolicy)
        await c.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: JSON.stringify(dc.resourcePolicy) }));
    }
    // An undeclared, untagged EFO consumer on a managed stream: unmanaged, listed only.
    await c.send(new RegisterStreamConsumerCommand({ StreamARN: tx.arn, ConsumerName: 'rogue-reader' }));
    // Refunds: in sync except its resource policy is missing.
    await makeStream(kl, refunds, { policy: undefined });
    // Fraud scores: retention 240 h where the mesh says 168 h (a decrease: destructive).
    await makeStream(kl, scores, { retentionHours: 240 });
    // Clickstream: exactly as declared.
    await makeStream(kl, clicks, {});
    // customer.notifications.v1 is not created. Plus: an untagged legacy stream, a stream managed by another mesh,
    // and a stream this mesh managed but no longer declares.
    const k3 = kl.client('333333333333');
    await kl.client('111111111111').send(new CreateStreamCommand({ StreamName: 'legacy.orders', ShardCount: 1 }));
    await k3.send(
      new CreateStreamCommand({
        StreamName: 'other.mesh.stream',
        ShardCount: 1,
        Tags: { 'meshgov:managed-by': 'meshgov', 'meshgov:mesh': 'other-mesh' },
      }),
    );
    await k3.send(
      new CreateStreamCommand({
        StreamName: 'customer.retired.v0',
        ShardCount: 1,
        Tags: { 'meshgov:managed-by': 'meshgov', 'meshgov:mesh': desired.mesh, 'meshgov:domain': 'customer' },
      }),
    );
    await kl.waitActive('111111111111', 'legacy.orders');

    const p = await plan(kl);
    const got = active(p)
      .map((ch) => `${ch.action} ${ch.id} ${ch.risk}`)
      .sort();
    const notifications = stream(desired, 'customer.notifications.v1');
    expect(got).toEqual([
      `create stream-policy:111111111111/stream/payments.refunds.v1/policy safe`,
      `create stream:333333333333/stream/${notifications.name} safe`,
      `delete stream:333333333333/stream/customer.retired.v0 destructive`,
      `update stream-policy:111111111111/stream/payments.transactions.v1/policy destructive`,
      `update stream-retention:111111111111/stream/payments.transactions.v1 safe`,
      `update stream-retention:222222222222/stream/risk.fraud-scores.v1 destructive`,
      `update stream-tags:111111111111/stream/payments.transactions.v1 safe`,
    ]);
    const byId = new Map(p.changes.map((ch) => [ch.id, ch]));
    expect(byId.get('stream-tags:111111111111/stream/payments.transactions.v1')).toMatchObject({
      before: { tags: { owner: 'bob' } },
      after: { tags: { [droppedGrantTag]: 'allow' } },
    });
    expect(byId.get('stream-retention:111111111111/stream/payments.transactions.v1')).toMatchObject({
      before: { retentionHours: 48 },
      after: { retentionHours: 168 },
    });
    expect(byId.get('stream-retention:222222222222/stream/risk.fraud-scores.v1')).toMatchObject({
      before: { retentionHours: 240 },
      after: { retentionHours: 168 },
    });
    expect(byId.get('stream-policy:111111111111/stream/payments.transactions.v1/policy')?.reasons.join(' ')).toContain(
      'Sid Intruder',
    );
    expect(byId.get('stream:333333333333/stream/customer.clickstream.v1')?.action).toBe('no-op');
    expect(
      p.accessDiff.filter((a) => a.stream === tx.name || a.stream === scores.name || a.stream === clicks.name),
    ).toEqual([
      {
        principal: 'arn:aws:iam::333333333333:role/customer-analytics',
        stream: tx.name,
        account: '111111111111',
        access: 'consume',
        via: 'grant-tag',
        change: 'gain',
      },
      {
        principal: foreignPrincipal,
        stream: tx.name,
        account: '111111111111',
        access: 'consume',
        via: 'stream-policy',
        change: 'lose',
      },
    ]);
    expect(p.accessDiff.filter((a) => a.stream === 'customer.retired.v0')).toEqual([]);
    expect(
      p.accessDiff
        .filter((a) => a.stream === refunds.name)
        .every((a) => a.via === 'stream-policy' && a.change === 'gain'),
    ).toBe(true);
    expect(p.unmanaged.map((u) => `${u.resourceType} ${u.address}`)).toEqual([
      'stream 111111111111/stream/legacy.orders',
      'consumer 111111111111/stream/payments.transactions.v1/consumer/rogue-reader',
      'stream 333333333333/stream/other.mesh.stream',
    ]);
    expect(p.unmanaged.find((u) => u.name === 'other.mesh.stream')?.reason).toContain('other-mesh');

    // The plan only read: unmanaged resources are untouched.
    const legacy = await kl
      .client('111111111111')
      .send(new DescribeStreamSummaryCommand({ StreamName: 'legacy.orders' }));
    expect(legacy.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    const otherTags = await k3.send(
      new ListTagsForResourceCommand({
        ResourceARN: `arn:aws:kinesis:eu-west-1:333333333333:stream/other.mesh.stream`,
      }),
    );
    expect(otherTags.Tags).toEqual([
      { Key: 'meshgov:managed-by', Value: 'meshgov' },
      { Key: 'meshgov:mesh', Value: 'other-mesh' },
    ]);
    const consumers = await c.send(new ListStreamConsumersCommand({ StreamARN: tx.arn }));
    expect(consumers.Consumers?.map((x) => x.ConsumerName).sort()).toContain('rogue-reader');
    expect((await k3.send(new ListStreamsCommand({}))).StreamNames).toContain('customer.retired.v0');
  });

  it('gives the same fingerprint for the same live state and another one after a change', async () => {
    const a = await plan(kl);
    const b = await plan(kl);
    expect(b.liveFingerprint).toBe(a.liveFingerprint);
    await kl
      .client('111111111111')
      .send(new AddTagsToStreamCommand({ StreamName: 'payments.refunds.v1', Tags: { extra: 'x' } }));
    const c = await plan(kl);
    expect(c.liveFingerprint).not.toBe(a.liveFingerprint);
    // An unmanaged stream changing does not make a saved plan stale.
    await kl
      .client('111111111111')
      .send(new AddTagsToStreamCommand({ StreamName: 'legacy.orders', Tags: { note: 'y' } }));
    expect((await plan(kl)).liveFingerprint).toBe(c.liveFingerprint);
  });
});

/**
 * Audit against kinesis-local (slow: starts the emulator). The example mesh rendered, its streams made exactly as
 * declared, then drift made behind meshgov's back (SPEC scenario 4): retention changed, a foreign principal added to
 * a resource policy, a governance tag removed, an undeclared EFO consumer. CloudWatch and IAM do not exist locally:
 * the report must say which checks could not run.
 */
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  StartStreamEncryptionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kinesis';
import type { MetricsName } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { AwsLiveReader } from '../../src/adapters/aws/live-reader.js';
import { runAudit } from '../../src/app/audit.js';
import { auditExit } from '../../src/cli/audit-run.js';
import { declaredStreams } from '../../src/core/plan/index.js';
import type { LiveState } from '../../src/core/plan/live.js';
import type { DesiredStream } from '../../src/core/render/types.js';
import { EXAMPLE_TODAY, exampleMesh } from '../support/example-mesh.js';
import { useKinesisLocal } from '../support/kinesis-local.js';
import type { KinesisLocalHandle } from '../support/kinesis-local.js';

const kl = useKinesisLocal();
const { mesh, desired } = exampleMesh();

async function readLive(h: KinesisLocalHandle): Promise<LiveState> {
  const reader = new AwsLiveReader(h.pool(), {
    readIam: false,
    readOrganization: false,
    iamPathPrefix: '/meshgov/',
    notChecked: ['IAM and CloudWatch: not available on the local target'],
  });
  return reader.read({
    mesh: desired.mesh,
    region: desired.region,
    partition: desired.partition,
    accounts: desired.accounts.map((a) => a.account),
    declared: declaredStreams(desired),
  });
}

/** Make a stream exactly as declared, out of band. */
async function makeStream(h: KinesisLocalHandle, s: DesiredStream): Promise<void> {
  const c = h.client(s.account);
  await c.send(
    new CreateStreamCommand({
      StreamName: s.name,
      ...(s.mode === 'ON_DEMAND' ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } } : { ShardCount: s.shards ?? 1 }),
    }),
  );
  await h.waitActive(s.account, s.name);
  await c.send(new AddTagsToStreamCommand({ StreamName: s.name, Tags: s.tags }));
  if (s.retentionHours !== 24) {
    await c.send(
      new IncreaseStreamRetentionPeriodCommand({ StreamName: s.name, RetentionPeriodHours: s.retentionHours }),
    );
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
  if (s.resourcePolicy)
    await c.send(new PutResourcePolicyCommand({ ResourceARN: s.arn, Policy: JSON.stringify(s.resourcePolicy) }));
}

const audit = (live: LiveState) =>
  runAudit({
    mesh,
    desired,
    live,
    metrics: undefined,
    today: EXAMPLE_TODAY,
    options: { generatedAt: `${EXAMPLE_TODAY}T00:00:00.000Z` },
  });

describe('audit on the local target', () => {
  it('finds no drift or access problem when the streams are as declared, and says which checks could not run', async () => {
    for (const s of desired.accounts.flatMap((a) => a.streams)) await makeStream(kl, s);
    for (const dc of desired.accounts.flatMap((a) => a.consumers)) {
      const c = kl.client(dc.account);
      const r = await c.send(new RegisterStreamConsumerCommand({ StreamARN: dc.streamArn, ConsumerName: dc.name }));
      await new Promise((res) => setTimeout(res, 200));
      const arn = r.Consumer?.ConsumerARN as string;
      if (Object.keys(dc.tags).length) await c.send(new TagResourceCommand({ ResourceARN: arn, Tags: dc.tags }));
      if (dc.resourcePolicy)
        await c.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: JSON.stringify(dc.resourcePolicy) }));
    }
    const report = audit(await readLive(kl));
    // Only the monitoring advice may remain: multi-shard streams without shard-level metrics.
    expect(report.findings.filter((f) => f.code !== 'shard-metrics-disabled')).toEqual([]);
    for (const f of report.findings) expect(f.evidence['missing']).toBeDefined();
    expect(report.checksNotRun.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'hot-shard',
        'skewed-stream',
        'write-throttled-shard',
        'read-throttled-shard',
        'consumer-lagging',
        'identity-policy-overreach (identity policies)',
        'tag-tampering (identity policies)',
        'live state',
      ]),
    );
    expect(report.checksNotRun.find((c) => c.check.startsWith('identity-policy-overreach'))?.reason).toBe(
      'IAM and CloudWatch: not available on the local target',
    );
    expect(report.checksRun).toEqual(
      expect.arrayContaining([
        'retention-drift',
        'undeclared-principal',
        'undeclared-consumer',
        'governance-tag-drift',
        'shadow-stream',
      ]),
    );
    expect(auditExit(report, 'error')).toBe(0);
  });

  it("reports drift made behind meshgov's back: retention, a foreign principal, a removed governance tag, an undeclared consumer", async () => {
    const tx = desired.accounts
      .flatMap((a) => a.streams)
      .find((s) => s.name === 'payments.transactions.v1') as DesiredStream;
    const c = kl.client(tx.account);
    await c.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: tx.name, RetentionPeriodHours: 336 }));
    await kl.waitActive(tx.account, tx.name);
    await c.send(
      new PutResourcePolicyCommand({
        ResourceARN: tx.arn,
        Policy: JSON.stringify({
          ...tx.resourcePolicy,
          Statement: [
            ...(tx.resourcePolicy?.Statement ?? []),
            {
              Sid: 'Intruder',
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::444444444444:role/intruder' },
              Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
              Resource: tx.arn,
            },
          ],
        }),
      }),
    );
    await c.send(new RemoveTagsFromStreamCommand({ StreamName: tx.name, TagKeys: ['meshgov:classification'] }));
    await c.send(new RegisterStreamConsumerCommand({ StreamARN: tx.arn, ConsumerName: 'rogue-reader' }));

    const report = audit(await readLive(kl));
    const got = report.findings
      .filter((f) => f.code !== 'shard-metrics-disabled')
      .map((f) => `${f.severity} ${f.code} ${f.resource}`);
    const res = `111111111111/stream/${tx.name}`;
    expect(got).toEqual([
      `error governance-tag-drift ${res}`,
      `error out-of-org-principal ${res}`,
      `error undeclared-consumer ${res}/consumer/rogue-reader`,
      `warning resource-policy-drift ${res}`,
      `warning retention-drift ${res}`,
    ]);
    expect(report.findings.find((f) => f.code === 'out-of-org-principal')?.evidence).toMatchObject({
      principal: 'arn:aws:iam::444444444444:role/intruder',
      organisationAccountsFrom: 'mesh',
    });
    expect(report.findings.find((f) => f.code === 'retention-drift')?.evidence).toMatchObject({
      liveHours: 336,
      declaredHours: 168,
    });
    expect(report.findings.find((f) => f.code === 'governance-tag-drift')?.evidence).toMatchObject({
      missing: ['meshgov:classification'],
    });
    expect(auditExit(report, 'error')).toBe(2);
    expect(auditExit(report, 'never')).toBe(0);
  });

  it('reports an untagged stream made in a mesh account outside the mesh as a shadow-stream, with the import command', async () => {
    const c = kl.client('111111111111');
    await c.send(new CreateStreamCommand({ StreamName: 'team-x.scratch', ShardCount: 1 }));
    await kl.waitActive('111111111111', 'team-x.scratch');
    const report = audit(await readLive(kl));
    const shadow = report.findings.filter((f) => f.code === 'shadow-stream');
    expect(shadow.map((f) => `${f.severity} ${f.resource}`)).toEqual(['warning 111111111111/stream/team-x.scratch']);
    expect(shadow[0]?.evidence).toMatchObject({
      arn: expect.stringMatching(/:111111111111:stream\/team-x\.scratch$/) as unknown as string,
      importCommand: `meshgov import ${mesh.at.file} --account 111111111111 --write`,
    });
  });
});

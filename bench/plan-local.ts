/**
 * Plan benchmark on the local target: 1,000 streams across 10 accounts (generated mesh), all present in
 * kinesis-local with their declared tags and policies, plus 10 unmanaged streams per account. Reports wall time
 * of the live read + diff and the API calls per stream, with meshgov's client-side rate limits at the documented
 * quotas (what a real account allows) and with them off (what the emulator alone allows).
 *
 *   npx tsx bench/plan-local.ts [--domains 10] [--streams-per-domain 100] [--grants 2] [--unmanaged 10] [--consumers] [--no-limits-only]
 *
 * --consumers also registers (and tags) the EFO consumers the mesh declares, so their reads are counted too.
 */
import {
  CreateStreamCommand,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kinesis';
import { mapLimit } from '../src/adapters/aws/concurrency.js';
import { ClientPool } from '../src/adapters/aws/client-pool.js';
import { AwsLiveReader } from '../src/adapters/aws/live-reader.js';
import { startKinesisLocal } from '../src/adapters/local/kinesis-local.js';
import { loadMesh } from '../src/core/model/load.js';
import { computePlan, declaredStreams, meshDigest } from '../src/core/plan/index.js';
import { renderMesh } from '../src/core/render/index.js';
import { generateMesh } from './generate-mesh.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const domains = arg('domains', 10);
const streamsPerDomain = arg('streams-per-domain', 100);
const grants = arg('grants', 2);
const unmanagedPerAccount = arg('unmanaged', 10);
const yaml = generateMesh({ domains, streamsPerDomain, grantsPerStream: grants, seed: 7 });
const loaded = loadMesh('mesh.yaml', { read: () => yaml });
if (!loaded.mesh)
  throw new Error(
    `generated mesh does not load: ${loaded.diagnostics
      .slice(0, 3)
      .map((d) => d.message)
      .join('; ')}`,
  );
const desired = renderMesh(loaded.mesh, { today: '2026-01-01' }).value;
const streams = desired.accounts.flatMap((a) => a.streams);
console.log(
  `mesh: ${streams.length} streams in ${desired.accounts.length} accounts, ${desired.accounts.reduce((n, a) => n + a.consumers.length, 0)} EFO consumers declared`,
);

const target = await startKinesisLocal({
  region: desired.region,
  handleSignals: true,
  env: { ON_DEMAND_STREAM_COUNT_LIMIT: '100000', SHARD_LIMIT: '1000000', LOG_LEVEL: 'ERROR' },
});
try {
  const setup = new ClientPool({
    target: 'local',
    region: desired.region,
    partition: desired.partition,
    endpoint: target.endpoint,
    command: 'bench',
    rateLimitScale: 0,
  });
  const t0 = Date.now();
  await mapLimit(streams, 32, async (s) => {
    const k = setup.kinesis(s.account);
    await k.send(
      new CreateStreamCommand({
        StreamName: s.name,
        ...(s.mode === 'ON_DEMAND' ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } } : { ShardCount: 1 }),
        Tags: s.tags,
      }),
    );
  });
  await mapLimit(
    desired.accounts.flatMap((a) =>
      Array.from({ length: unmanagedPerAccount }, (_, i) => ({ account: a.account, name: `unmanaged-${i}` })),
    ),
    32,
    async (u) => {
      await setup.kinesis(u.account).send(new CreateStreamCommand({ StreamName: u.name, ShardCount: 1 }));
    },
  );
  await new Promise((r) => setTimeout(r, 500));
  await mapLimit(
    streams.filter((s) => s.resourcePolicy),
    32,
    async (s) => {
      await setup
        .kinesis(s.account)
        .send(new PutResourcePolicyCommand({ ResourceARN: s.arn, Policy: JSON.stringify(s.resourcePolicy) }));
    },
  );
  const consumers = process.argv.includes('--consumers') ? desired.accounts.flatMap((a) => a.consumers) : [];
  await mapLimit(consumers, 32, async (c) => {
    const k = setup.kinesis(c.account);
    const r = await k.send(new RegisterStreamConsumerCommand({ StreamARN: c.streamArn, ConsumerName: c.name }));
    if (r.Consumer?.ConsumerARN)
      await k.send(new TagResourceCommand({ ResourceARN: r.Consumer.ConsumerARN, Tags: c.tags }));
  });
  if (consumers.length) console.log(`setup: ${consumers.length} EFO consumers registered and tagged`);
  setup.destroy();
  console.log(
    `setup: ${streams.length} managed + ${unmanagedPerAccount * desired.accounts.length} unmanaged streams created in ${Date.now() - t0} ms`,
  );

  const runs: { label: string; scale: number }[] = process.argv.includes('--no-limits-only')
    ? [{ label: 'rate limits off', scale: 0 }]
    : [
        { label: 'rate limits off', scale: 0 },
        { label: 'rate limits at 80% of the documented quotas', scale: 1 },
      ];
  for (const run of runs) {
    const pool = new ClientPool({
      target: 'local',
      region: desired.region,
      partition: desired.partition,
      endpoint: target.endpoint,
      command: 'plan',
      rateLimitScale: run.scale,
    });
    const reader = new AwsLiveReader(pool, { readIam: false, readOrganization: false, iamPathPrefix: '/' });
    const start = Date.now();
    const live = await reader.read({
      mesh: desired.mesh,
      region: desired.region,
      partition: desired.partition,
      accounts: desired.accounts.map((a) => a.account),
      declared: declaredStreams(desired),
    });
    const readMs = Date.now() - start;
    const plan = computePlan({
      desired,
      live,
      meshDigest: meshDigest([{ file: 'mesh.yaml', text: yaml }]),
      clock: { now: () => new Date() },
      target: 'local',
    });
    const totalMs = Date.now() - start;
    const managed = live.accounts.reduce((n, a) => n + a.streams.length, 0);
    const calls = pool.counter.total();
    console.log(`\n${run.label}:`);
    console.log(`  plan wall time ${totalMs} ms (live read ${readMs} ms, diff ${totalMs - readMs} ms)`);
    console.log(
      `  managed streams read: ${managed}; unmanaged listed: ${plan.unmanaged.length}; changes: ${plan.summary.add} add, ${plan.summary.change} change, ${plan.summary.destroy} destroy`,
    );
    console.log(`  API calls: ${calls} total, ${(calls / managed).toFixed(2)} per managed stream`);
    console.log(`  by operation: ${JSON.stringify(pool.counter.byOperation())}`);
    pool.destroy();
  }
} finally {
  await target.stop();
}

/**
 * Plan benchmark on the local target (kinesis-local): a generated mesh (default 1,000 streams across 10 accounts),
 * every stream present with its declared tags and policies, the EFO consumer the mesh declares registered (and
 * tagged) on every `consumer-every`-th stream, plus 10 unmanaged streams per account. Measures meshgov's plan (live
 * read through the client pool + diff) against the minimal reader (bench/minimal-reader.ts: the same calls, same
 * concurrency, straight through the SDK), after a warm-up of both on one account, alternating which goes first over
 * `runs` rounds; client-side rate limits are off for both (the emulator is the only limit). kinesis-local answers
 * ~100 calls/s at this size, so one round of both takes about two minutes.
 *
 *   node --import tsx bench/plan.ts [--domains 10] [--streams-per-domain 100] [--runs 1] [--unmanaged 10] [--consumer-every 2]
 *
 * Prints one JSON object on stdout (progress on stderr).
 */
import {
  CreateStreamCommand,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';
import { ClientPool } from '../src/adapters/aws/client-pool.js';
import { mapLimit } from '../src/adapters/aws/concurrency.js';
import { AwsLiveReader } from '../src/adapters/aws/live-reader.js';
import { startKinesisLocal } from '../src/adapters/local/kinesis-local.js';
import { loadMesh } from '../src/core/model/load.js';
import { computePlan, declaredStreams, meshDigest } from '../src/core/plan/index.js';
import { renderMesh } from '../src/core/render/index.js';
import { generateMesh } from './generate-mesh.js';
import { minimalRead } from './minimal-reader.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface PlanBenchResult {
  streams: number;
  accounts: number;
  efoConsumers: number;
  unmanagedPerAccount: number;
  runs: number;
  setupMs: number;
  /** cpuMs: CPU time of this process (the client side; the emulator runs in its own process). */
  meshgov: {
    wallMs: number[];
    cpuMs: number[];
    readMs: number[];
    diffMs: number[];
    calls: Record<string, number>;
    managedStreams: number;
    liveConsumers: number;
    changes: number;
  };
  minimal: { wallMs: number[]; cpuMs: number[]; calls: Record<string, number>; streams: number; consumers: number };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Retry a setup call while the stream is still being created (ResourceInUseException). */
async function whenActive<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= 50 || (e as { name?: string }).name !== 'ResourceInUseException') throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const log = (s: string) => process.stderr.write(`[plan] ${s}\n`);

async function main(): Promise<void> {
  const domains = arg('domains', 10);
  const streamsPerDomain = arg('streams-per-domain', 100);
  const runs = arg('runs', 1);
  const consumerEvery = Math.max(1, arg('consumer-every', 2));
  const unmanagedPerAccount = arg('unmanaged', 10);
  const yaml = generateMesh({ domains, streamsPerDomain, grantsPerStream: 2, seed: 7, clean: true });
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
  const consumers = desired.accounts.flatMap((a) => a.consumers).filter((_c, i) => i % consumerEvery === 0);
  const accounts = desired.accounts.map((a) => a.account);
  log(`${streams.length} streams, ${consumers.length} EFO consumers registered, ${accounts.length} accounts`);

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
    const t0 = performance.now();
    await mapLimit(streams, 32, async (s) => {
      await setup.kinesis(s.account).send(
        new CreateStreamCommand({
          StreamName: s.name,
          ...(s.mode === 'ON_DEMAND' ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } } : { ShardCount: 1 }),
          Tags: s.tags,
        }),
      );
    });
    const unmanaged = accounts.flatMap((account) =>
      Array.from({ length: unmanagedPerAccount }, (_, i) => ({ account, name: `unmanaged-${i}` })),
    );
    await mapLimit(
      unmanaged,
      32,
      async (u) =>
        void (await setup.kinesis(u.account).send(new CreateStreamCommand({ StreamName: u.name, ShardCount: 1 }))),
    );
    // The emulator takes CREATE_STREAM_DURATION (50 ms) to make a stream ACTIVE; calls before that are retried below.
    await new Promise((r) => setTimeout(r, 1000));
    await mapLimit(
      streams.filter((s) => s.resourcePolicy),
      32,
      async (s) => {
        await whenActive(() =>
          setup
            .kinesis(s.account)
            .send(new PutResourcePolicyCommand({ ResourceARN: s.arn, Policy: JSON.stringify(s.resourcePolicy) })),
        );
      },
    );
    await mapLimit(consumers, 32, async (c) => {
      const k = setup.kinesis(c.account);
      const r = await whenActive(() =>
        k.send(new RegisterStreamConsumerCommand({ StreamARN: c.streamArn, ConsumerName: c.name })),
      );
      if (r.Consumer?.ConsumerARN)
        await k.send(new TagResourceCommand({ ResourceARN: r.Consumer.ConsumerARN, Tags: c.tags }));
    });
    setup.destroy();
    const setupMs = performance.now() - t0;
    log(`setup ${setupMs.toFixed(0)} ms`);

    const declared = declaredStreams(desired);
    const result: PlanBenchResult = {
      streams: streams.length,
      accounts: accounts.length,
      efoConsumers: consumers.length,
      unmanagedPerAccount,
      runs,
      setupMs,
      meshgov: {
        wallMs: [],
        cpuMs: [],
        readMs: [],
        diffMs: [],
        calls: {},
        managedStreams: 0,
        liveConsumers: 0,
        changes: 0,
      },
      minimal: { wallMs: [], cpuMs: [], calls: {}, streams: 0, consumers: 0 },
    };
    const readMeshgov = async (only?: string[]) => {
      const pool = new ClientPool({
        target: 'local',
        region: desired.region,
        partition: desired.partition,
        endpoint: target.endpoint,
        command: 'plan',
        rateLimitScale: 0,
      });
      const reader = new AwsLiveReader(pool, { readIam: false, readOrganization: false, iamPathPrefix: '/' });
      const c0 = process.cpuUsage();
      const start = performance.now();
      const live = await reader.read({
        mesh: desired.mesh,
        region: desired.region,
        partition: desired.partition,
        accounts: only ?? accounts,
        declared,
      });
      const readMs = performance.now() - start;
      const plan = computePlan({
        desired,
        live,
        meshDigest: meshDigest([{ file: 'mesh.yaml', text: yaml }]),
        clock: { now: () => new Date() },
        target: 'local',
      });
      const wallMs = performance.now() - start;
      const c = process.cpuUsage(c0);
      pool.destroy();
      return { wallMs, readMs, cpuMs: (c.user + c.system) / 1000, live, plan, calls: pool.counter.byOperation() };
    };
    const readMinimal = async (only?: string[]) => {
      const c0 = process.cpuUsage();
      const m0 = performance.now();
      const min = await minimalRead({
        endpoint: target.endpoint,
        region: desired.region,
        accounts: only ?? accounts,
        declared,
      });
      const c = process.cpuUsage(c0);
      return { ...min, wallMs: performance.now() - m0, cpuMs: (c.user + c.system) / 1000 };
    };
    // Warm-up (JIT, sockets, the emulator's caches) on the first account, for both.
    const first = accounts.slice(0, 1);
    await readMeshgov(first);
    await readMinimal(first);
    for (let i = 0; i < runs; i++) {
      let mg: Awaited<ReturnType<typeof readMeshgov>>;
      let min: Awaited<ReturnType<typeof readMinimal>>;
      // Alternate the order, so drift on a shared machine or in the emulator hits both alike.
      if (i % 2 === 0) {
        mg = await readMeshgov();
        min = await readMinimal();
      } else {
        min = await readMinimal();
        mg = await readMeshgov();
      }
      log(
        `run ${i}: meshgov ${mg.wallMs.toFixed(0)} ms (read ${mg.readMs.toFixed(0)}, CPU ${mg.cpuMs.toFixed(0)}), minimal ${min.wallMs.toFixed(0)} ms (CPU ${min.cpuMs.toFixed(0)})`,
      );
      result.meshgov.wallMs.push(mg.wallMs);
      result.meshgov.cpuMs.push(mg.cpuMs);
      result.minimal.cpuMs.push(min.cpuMs);
      result.meshgov.readMs.push(mg.readMs);
      result.meshgov.diffMs.push(mg.wallMs - mg.readMs);
      result.meshgov.calls = mg.calls;
      result.meshgov.managedStreams = mg.live.accounts.reduce((n, a) => n + a.streams.length, 0);
      result.meshgov.liveConsumers = mg.live.accounts.reduce(
        (n, a) => n + a.streams.reduce((k, st) => k + st.consumers.length, 0),
        0,
      );
      result.meshgov.changes = mg.plan.summary.add + mg.plan.summary.change + mg.plan.summary.destroy;
      result.minimal.wallMs.push(min.wallMs);
      result.minimal.calls = Object.fromEntries(Object.entries(min.calls).sort(([a], [b]) => (a < b ? -1 : 1)));
      result.minimal.streams = min.streams;
      result.minimal.consumers = min.consumers;
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await target.stop();
  }
}

await main();

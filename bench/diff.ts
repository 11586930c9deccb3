/**
 * The plan's diff alone (computePlan): a generated mesh against a live state exactly as desired (every stream and
 * consumer present, with the desired tags and policies, as a plan in sync reads them), in one process. The first
 * call is reported apart (cold: what a CLI run pays once, after its reads), then the median of the warm ones.
 *
 *   node --import tsx bench/diff.ts [--accounts 3] [--streams-per-account 100] [--runs 9]
 *
 * The default mesh is the quota-floor scenario's (bench/quota-floor.ts). Prints one JSON object on stdout.
 */
import { performance } from 'node:perf_hooks';
import type { LiveState, LiveStream } from '../src/core/plan/live.js';
import { computePlan } from '../src/core/plan/index.js';
import { loadMesh } from '../src/core/model/load.js';
import { renderMesh } from '../src/core/render/index.js';
import type { DesiredState } from '../src/core/render/types.js';
import { generateMeshFiles } from './generate-mesh.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The live state a reader returns for a mesh in sync: the desired values, as JSON would bring them back. */
function inSync(desired: DesiredState): LiveState {
  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    region: desired.region,
    notChecked: [],
    accounts: desired.accounts.map((a) => ({
      account: a.account,
      unmanagedStreams: [],
      streams: a.streams.map((s): LiveStream => ({
        name: s.name,
        arn: s.arn,
        account: s.account,
        status: 'ACTIVE',
        mode: s.mode,
        shards: s.shards ?? 1,
        retentionHours: s.retentionHours,
        encryption: copy(s.encryption),
        enhancedMonitoring: [...s.enhancedMonitoring],
        tags: copy(s.tags),
        ...(s.resourcePolicy ? { resourcePolicy: copy(s.resourcePolicy) } : {}),
        consumers: a.consumers
          .filter((c) => c.stream === s.name)
          .map((c) => ({
            name: c.name,
            arn: `${c.streamArn}/consumer/${c.name}:1700000000`,
            status: 'ACTIVE' as const,
            tags: copy(c.tags),
            ...(c.resourcePolicy ? { resourcePolicy: copy(c.resourcePolicy) } : {}),
          })),
      })),
    })),
  };
}

function main(): void {
  const accounts = arg('accounts', 3);
  const files = generateMeshFiles(
    {
      domains: accounts,
      streamsPerDomain: arg('streams-per-account', 100),
      grantsPerStream: 5,
      domainsPerAccount: 1,
      clean: true,
      seed: 7,
    },
    false,
  );
  const loaded = loadMesh('mesh.yaml', { read: (f) => files.get(f) ?? '' });
  if (!loaded.mesh) throw new Error('the generated mesh does not load');
  const desired = renderMesh(loaded.mesh, { today: '2026-01-01' }).value;
  const live = inSync(desired);
  const clock = { now: () => new Date('2026-01-02T00:00:00Z') };
  const once = () => {
    const t0 = performance.now();
    const plan = computePlan({ desired, live, meshDigest: 'bench', clock, target: 'aws' });
    const ms = performance.now() - t0;
    const changes = plan.changes.filter((c) => c.action !== 'no-op').length;
    if (changes !== 0) throw new Error(`the live state is not in sync: ${changes} changes`);
    return ms;
  };
  const coldMs = once();
  const warm = Array.from({ length: arg('runs', 9) }, once).sort((a, b) => a - b);
  const streams = desired.accounts.reduce((n, a) => n + a.streams.length, 0);
  const consumers = desired.accounts.reduce((n, a) => n + a.consumers.length, 0);
  process.stdout.write(
    `${JSON.stringify({ streams, consumers, accounts, coldMs: Math.round(coldMs), warmMedianMs: Math.round(warm[Math.floor(warm.length / 2)] as number) })}\n`,
  );
}

main();

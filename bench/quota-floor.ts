/**
 * Speed at the quota floor: `meshgov apply` from empty, then `meshgov plan` of the same mesh in sync, through the
 * quota proxy (bench/quota-proxy.ts: the documented per-account TPS of each API, 5 streams in CREATING) in front
 * of kinesis-local, each run as the CLI does it (`--endpoint <proxy> --endpoint-accounts-as-keys`). Each time is
 * compared with the floor the documented TPS set for the calls the mesh needs.
 *
 *   node --import tsx bench/quota-floor.ts [--accounts 3] [--streams-per-account 100] [--transition-ms 200] [--from-source]
 *     [--no-tagging-api] [--refuse-consumer-filter] [--quota-share FRACTION]
 *
 * The proxy answers the tagging API's GetResources for streams and consumers as AWS does (bench/quota-proxy.ts), so
 * plan reads stream and consumer tags in pages as it does on AWS; `--refuse-consumer-filter` makes the proxy refuse
 * the `kinesis:stream/consumer` filter (plan then reads each consumer's tags with ListTagsForResource), and
 * `--no-tagging-api` measures an endpoint without the API at all (kinesis-local alone).
 *
 * Prints progress on stderr and one JSON object (QuotaFloorResult) on stdout.
 *
 * The mesh: bench/generate-mesh.ts, one domain per account, 5 grants per stream of which one is an enhanced
 * fan-out consumer, so as many EFO consumers as streams. kinesis-local simulates each transition (CREATING,
 * UPDATING, consumer CREATING) for `--transition-ms`; AWS takes longer, and then the 5-in-CREATING limit, not the
 * TPS, is what bounds creation (100 streams x T / 5).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startKinesisLocal } from '../src/adapters/local/kinesis-local.js';
import { loadMesh } from '../src/core/model/load.js';
import { renderMesh } from '../src/core/render/index.js';
import type { DesiredState } from '../src/core/render/types.js';
import { buildDist } from './build-dist.js';
import { generateMeshFiles } from './generate-mesh.js';
import { quotaOf, startQuotaProxy } from './quota-proxy.js';
import type { ApiCount, QuotaProxy } from './quota-proxy.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const log = (s: string) => process.stderr.write(`[quota-floor] ${s}\n`);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Calls per API (summed over accounts) and the floor they set. */
export interface Floor {
  /** Seconds: the slowest (account, API) at its documented TPS. */
  seconds: number;
  /** The API that sets it, with its calls and TPS. */
  binding: string;
  /** That API's name. */
  api: string;
  /** Calls per account and API the floor counts. */
  calls: Record<string, Record<string, number>>;
}

export interface RunMeasure {
  wallMs: number;
  exitCode: number;
  /** Calls by API, summed over accounts (refused ones included). */
  calls: Record<string, number>;
  throttled: number;
  transitionRefused: number;
  /** stdout tail, for the record when something failed. */
  tail: string;
  /** When calls arrived at the proxy, ms after the CLI was started (where the time beyond the floor goes). */
  timeline?: Timeline;
}

export interface Timeline {
  /** The first call of any API: the CLI's start-up (node, modules, validation, render). */
  firstCallMs: number;
  /** The binding API (the floor's): its first and its last call in any account. */
  bindingApi: string;
  bindingFirstMs: number;
  bindingLastMs: number;
  /** The last call of any API, and the CLI's exit. */
  lastCallMs: number;
  exitMs: number;
}

export interface QuotaFloorResult {
  accounts: number;
  streams: number;
  consumers: number;
  transitionMs: number;
  apply: RunMeasure & {
    /** Floor of CreateStream alone (streams per account / 5 TPS). */
    createFloor: Floor;
    /** Floor of every mutating call the mesh needs. */
    floor: Floor;
    /** DescribeStreamSummary calls per stream (status polls and re-reads). */
    statusPollsPerStream: number;
    /** DescribeStreamConsumer calls per consumer. */
    consumerPollsPerConsumer: number;
    /** Read calls (List*, Describe*, Get*) per stream. */
    readCallsPerStream: number;
    peakInTransition: number;
  };
  plan: RunMeasure & {
    floor: Floor;
    readCallsPerStream: number;
    /** The goal: 3 per stream + 1 per EFO consumer, per stream. */
    allowedPerStream: number;
  };
}

const READ = /^(List|Describe|Get)/;

function floorOf(calls: Record<string, Record<string, number>>): Floor {
  let seconds = 0;
  let binding = '';
  let bindingApi = '';
  for (const [account, apis] of Object.entries(calls)) {
    for (const [api, n] of Object.entries(apis)) {
      const s = n / quotaOf(api).tps;
      if (s > seconds) {
        seconds = s;
        bindingApi = api;
        binding = `${api} (${n} calls in account ${account} at ${quotaOf(api).tps} TPS)`;
      }
    }
  }
  return { seconds, binding, api: bindingApi, calls };
}

/** The mutating calls that take an account from empty to the desired state (tags sent with the create calls). */
export function applyCalls(d: DesiredState): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const a of d.accounts) {
    const c: Record<string, number> = {
      CreateStream: a.streams.length,
      StartStreamEncryption: a.streams.filter((s) => s.encryption.type === 'KMS').length,
      IncreaseStreamRetentionPeriod: a.streams.filter((s) => s.retentionHours > 24).length,
      EnableEnhancedMonitoring: a.streams.filter((s) => s.enhancedMonitoring.length > 0).length,
      RegisterStreamConsumer: a.consumers.length,
      PutResourcePolicy:
        a.streams.filter((s) => s.resourcePolicy).length + a.consumers.filter((x) => x.resourcePolicy).length,
    };
    out[a.account] = Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0));
  }
  return out;
}

/**
 * The reads a plan of the mesh in sync cannot do without, per account: each managed stream's resource policy and
 * each consumer's (GetResourcePolicy, one per ARN), whatever else the reader does.
 */
export function planCalls(d: DesiredState): Record<string, Record<string, number>> {
  return Object.fromEntries(
    d.accounts.map((a) => [a.account, { GetResourcePolicy: a.streams.length + a.consumers.length }]),
  );
}

function sum(counts: Record<string, Record<string, ApiCount>>): {
  calls: Record<string, number>;
  throttled: number;
  transitionRefused: number;
} {
  const calls: Record<string, number> = {};
  let throttled = 0;
  let transitionRefused = 0;
  for (const apis of Object.values(counts)) {
    for (const [api, c] of Object.entries(apis)) {
      calls[api] = (calls[api] ?? 0) + c.calls;
      throttled += c.throttled;
      transitionRefused += c.transitionRefused;
    }
  }
  return {
    calls: Object.fromEntries(Object.entries(calls).sort(([a], [b]) => (a < b ? -1 : 1))),
    throttled,
    transitionRefused,
  };
}

/**
 * The CLI as users run it: dist/ built from the working tree first (bin/meshgov.js), unless `--from-source`
 * (bench/cli.ts through tsx, which adds its compile time to every run).
 */
function cliCommand(): string[] {
  if (process.argv.includes('--from-source')) return ['--import', 'tsx', join(BENCH_DIR, 'cli.ts')];
  buildDist(log);
  return [join(ROOT, 'bin', 'meshgov.js')];
}

/** Run the CLI in a child process (async: the proxy serves from this process meanwhile). */
function cli(
  command: string[],
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; wallMs: number; out: string; startedAt: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const startedAt = Date.now();
    const child = spawn(process.execPath, [...command, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out = (out + c.toString('utf8')).slice(-20_000);
    });
    child.stderr.on('data', (c: Buffer) => {
      out = (out + c.toString('utf8')).slice(-20_000);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, wallMs: performance.now() - start, out, startedAt }));
  });
}

async function measure(
  proxy: QuotaProxy,
  command: string[],
  args: string[],
  env: Record<string, string>,
  bindingApi: string,
): Promise<RunMeasure> {
  proxy.resetCounts();
  const r = await cli(command, args, env);
  const counts = proxy.counts();
  const s = sum(counts);
  return {
    wallMs: r.wallMs,
    exitCode: r.code,
    ...s,
    tail: r.out.split('\n').slice(-15).join('\n'),
    timeline: timelineOf(counts, bindingApi, r.startedAt, r.wallMs),
  };
}

export function timelineOf(
  counts: Record<string, Record<string, ApiCount>>,
  bindingApi: string,
  startedAt: number,
  wallMs: number,
): Timeline {
  const all = Object.values(counts).flatMap((apis) => Object.entries(apis));
  const at = (
    pick: (c: ApiCount) => number | undefined,
    of: (api: string) => boolean,
    reduce: (...xs: number[]) => number,
  ) => {
    const xs = all.filter(([api]) => of(api)).flatMap(([, c]) => pick(c) ?? []);
    return xs.length === 0 ? Number.NaN : reduce(...xs) - startedAt;
  };
  const any = () => true;
  const binding = (api: string) => api === bindingApi;
  return {
    firstCallMs: at((c) => c.firstAt, any, Math.min),
    bindingApi,
    bindingFirstMs: at((c) => c.firstAt, binding, Math.min),
    bindingLastMs: at((c) => c.lastAt, binding, Math.max),
    lastCallMs: at((c) => c.lastAt, any, Math.max),
    exitMs: wallMs,
  };
}

const perStream = (calls: Record<string, number>, filter: (api: string) => boolean, n: number) =>
  Object.entries(calls)
    .filter(([api]) => filter(api))
    .reduce((a, [, c]) => a + c, 0) / n;

async function main(): Promise<void> {
  const accounts = arg('accounts', 3);
  const streamsPerAccount = arg('streams-per-account', 100);
  const transitionMs = arg('transition-ms', 200);
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-quota-floor-'));
  const files = generateMeshFiles(
    {
      domains: accounts,
      streamsPerDomain: streamsPerAccount,
      grantsPerStream: 5,
      domainsPerAccount: 1,
      clean: true,
      seed: 7,
    },
    false,
  );
  const yaml = files.get('mesh.yaml') as string;
  const meshFile = join(dir, 'mesh.yaml');
  writeFileSync(meshFile, yaml);
  const loaded = loadMesh('mesh.yaml', { read: () => yaml });
  if (!loaded.mesh)
    throw new Error(
      `generated mesh does not load: ${loaded.diagnostics
        .slice(0, 3)
        .map((d) => d.message)
        .join('; ')}`,
    );
  const desired = renderMesh(loaded.mesh, { today: '2026-01-01' }).value;
  const streams = desired.accounts.reduce((n, a) => n + a.streams.length, 0);
  const consumers = desired.accounts.reduce((n, a) => n + a.consumers.length, 0);
  log(
    `mesh: ${streams} streams, ${consumers} EFO consumers, ${accounts} accounts; transitions take ${transitionMs} ms`,
  );

  const command = cliCommand();
  const t = `${transitionMs}ms`;
  const local = await startKinesisLocal({
    region: desired.region,
    handleSignals: true,
    env: {
      CREATE_STREAM_DURATION: t,
      DELETE_STREAM_DURATION: t,
      REGISTER_STREAM_CONSUMER_DURATION: t,
      DEREGISTER_STREAM_CONSUMER_DURATION: t,
      START_STREAM_ENCRYPTION_DURATION: t,
      STOP_STREAM_ENCRYPTION_DURATION: t,
      UPDATE_SHARD_COUNT_DURATION: t,
      UPDATE_STREAM_MODE_DURATION: t,
      SHARD_LIMIT: '1000000',
      ON_DEMAND_STREAM_COUNT_LIMIT: '100000',
      LOG_LEVEL: 'ERROR',
    },
  });
  const proxy = await startQuotaProxy({
    upstream: local.endpoint,
    taggingApi: !process.argv.includes('--no-tagging-api'),
    consumerFilter: !process.argv.includes('--refuse-consumer-filter'),
  });
  const env = { MESHGOV_LOCAL_DIR: join(dir, 'local') };
  // `--quota-share X` is handed to meshgov (its share of each quota; meshgov's default is 0.8).
  const share = process.argv.indexOf('--quota-share');
  const shareFlag = share >= 0 ? ['--quota-share', String(process.argv[share + 1])] : [];
  const target = ['--endpoint', proxy.endpoint, '--endpoint-accounts-as-keys', ...shareFlag];
  const applyFloor = floorOf(applyCalls(desired));
  const planFloor = floorOf(planCalls(desired));
  try {
    log('apply from empty');
    const apply = await measure(
      proxy,
      command,
      ['apply', ...target, '--auto-approve', '--log', join(dir, 'apply-log.jsonl'), meshFile],
      env,
      applyFloor.api,
    );
    log(
      `apply: exit ${apply.exitCode} in ${(apply.wallMs / 1000).toFixed(1)} s, ${apply.throttled} throttled, ${JSON.stringify(apply.calls)}`,
    );
    if (apply.exitCode !== 0) log(apply.tail);
    const peakInTransition = proxy.peakInTransition();
    log('plan of the mesh in sync');
    const plan = await measure(
      proxy,
      command,
      ['plan', ...target, '--detailed-exitcode', meshFile],
      env,
      planFloor.api,
    );
    log(
      `plan: exit ${plan.exitCode} in ${(plan.wallMs / 1000).toFixed(1)} s, ${plan.throttled} throttled, ${JSON.stringify(plan.calls)}`,
    );
    if (plan.exitCode !== 0) log(plan.tail);
    const result: QuotaFloorResult = {
      accounts,
      streams,
      consumers,
      transitionMs,
      apply: {
        ...apply,
        createFloor: floorOf(
          Object.fromEntries(desired.accounts.map((a) => [a.account, { CreateStream: a.streams.length }])),
        ),
        floor: applyFloor,
        statusPollsPerStream: (apply.calls['DescribeStreamSummary'] ?? 0) / streams,
        consumerPollsPerConsumer: (apply.calls['DescribeStreamConsumer'] ?? 0) / Math.max(1, consumers),
        readCallsPerStream: perStream(apply.calls, (api) => READ.test(api), streams),
        peakInTransition,
      },
      plan: {
        ...plan,
        floor: planFloor,
        readCallsPerStream: perStream(plan.calls, (api) => READ.test(api), streams),
        allowedPerStream: 3 + consumers / streams,
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await proxy.close();
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

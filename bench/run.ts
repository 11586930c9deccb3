/**
 * `npm run bench`: the whole benchmark suite, writing bench/RESULTS.md (tables, targets met or not) and
 * bench/results.json (raw numbers).
 *
 *   npm run bench [-- --sizes 100,1000,5000,10000] [--plan-domains 10] [--plan-streams-per-domain 100] [--plan-runs 2] [--skip-plan] [--no-split]
 *   npm run bench -- --from-json     rewrite RESULTS.md from the last results.json (after editing NOTES.md)
 *   npm run bench -- --quota-floor-only   measure the quota-floor scenario again, keep the rest of results.json
 *   npm run bench -- --sizes-only [--sizes ...]   measure validate + render again, keep the rest of results.json
 *   [--skip-quota-floor] [--quota-floor-accounts 3] [--quota-floor-streams-per-account 100]
 *
 * 1. validate + render per mesh size (bench/sizes.ts, one child process per size and measurement, so peak RSS is
 *    that size's alone): generated meshes of 50 streams per domain, one account per domain, 5 grants per stream.
 * 2. plan on the local target (bench/plan.ts): meshgov vs the minimal SDK reader, API calls per stream.
 * 3. audit: GetMetricData calls for N shards (bench/audit.ts).
 * 4. speed at the quota floor (bench/quota-floor.ts): `meshgov apply` from empty and `meshgov plan` in sync through
 *    a proxy enforcing the documented per-account quotas (bench/quota-proxy.ts), each time against its floor.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, totalmem, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditBench } from './audit.js';
import type { AuditRow } from './audit.js';
import { buildDist } from './build-dist.js';
import { generateMeshFiles } from './generate-mesh.js';
import type { PlanBenchResult } from './plan.js';
import type { QuotaFloorResult } from './quota-floor.js';
import type { RssResult, Timing, TimeResult } from './sizes.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const STREAMS_PER_DOMAIN = 50;
/** Issue 15's goal for validate + render of 10,000 streams / 50,000 grants / 200 accounts: time (wall) and peak RSS. */
const TARGET_MS = 1000;
const TARGET_MIB = 256;
const GRANTS_PER_STREAM = 5;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function runChild<T>(script: string, args: string[], o: { tsx?: boolean } = {}): T {
  const loader = o.tsx === false ? [] : ['--import', 'tsx'];
  const r = spawnSync(process.execPath, [...loader, join(BENCH_DIR, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}

interface SizeRow {
  /** `single`: one mesh.yaml; `per-domain`: mesh.yaml including one file per domain. */
  layout: 'single' | 'per-domain';
  files: number;
  streams: number;
  grants: number;
  accounts: number;
  domains: number;
  bytes: number;
  runs: number;
  diagnostics: number;
  parseMs: number;
  fastParseMs: number;
  validateMs: number;
  renderMs: number;
  totalMs: number;
  validateCpuMs: number;
  renderCpuMs: number;
  parseCpuMs: number;
  /** validate / parse (yaml parseDocument). */
  validateOverParse: number;
  /** validate / fastParse (js-yaml, what meshgov parses valid files with): the cost on top of parsing (1.5 = half again). */
  validateOverFastParse: number;
  usPerStream: number;
  cpuUsPerStream: number;
  /** Peak RSS of one validate + render under tsx (the TypeScript worker), and of the runtime before reading. */
  peakRssMiB: number;
  baselineRssMiB: number;
  /** The same by the built code (dist/) in plain node (bench/sizes-rss.mjs). Absent in older results. */
  builtPeakRssMiB?: number;
  builtBaselineRssMiB?: number;
  raw: { time: TimeResult; rss: RssResult; builtRss?: RssResult };
}

const wall = (ts: readonly Timing[]) => median(ts.map((t) => t.wallMs));

/**
 * Where plan's read calls at the quota floor went: per stream, per consumer, and the list pages per account (which
 * no reader that lists an account avoids: ListStreams and GetResources answer at most 100 items a page).
 */
function planReadParts(q: QuotaFloorResult): string {
  const c = q.plan.calls;
  const n = (api: string) => c[api] ?? 0;
  const pages = n('ListStreams') + n('GetResources');
  // Per account: ListStreams and the stream tags' GetResources each page its streams, the consumer tags' its consumers.
  const perAccount = (total: number) => Math.ceil(total / q.accounts / 100);
  const least = q.accounts * (2 * perAccount(q.streams) + perAccount(q.consumers));
  return (
    `: per stream ${f2(n('DescribeStreamSummary') / q.streams)} DescribeStreamSummary, ` +
    `${f2(n('ListStreamConsumers') / q.streams)} ListStreamConsumers and, with one per consumer, ` +
    `${f2(n('GetResourcePolicy') / q.streams)} GetResourcePolicy (${q.consumers} consumers); ` +
    `${pages} list pages (${n('ListStreams')} ListStreams, ${n('GetResources')} GetResources) for ${q.accounts} accounts, ` +
    `${f2(pages / q.streams)} per stream; the least a reader that lists the accounts makes, at 100 items a page: ${least}`
  );
}

/** A peak RSS target's measurement: the built code's (what the goal is judged by) and the tsx worker's. */
function rssMeasured(r: SizeRow): string {
  if (r.builtPeakRssMiB === undefined) return `${f0(r.peakRssMiB)} MiB`;
  return `${f0(r.builtPeakRssMiB)} MiB by the built code (dist/) in plain node (${f0(r.peakRssMiB)} MiB under the tsx loader)`;
}
const cpu = (ts: readonly Timing[]) => median(ts.map((t) => t.cpuMs));

function sizeBench(streams: number, dir: string, layout: SizeRow['layout']): SizeRow {
  const domains = Math.max(1, Math.round(streams / STREAMS_PER_DOMAIN));
  const meshDir = join(dir, `${layout}-${streams}`);
  mkdirSync(join(meshDir, 'domains'), { recursive: true });
  const files = generateMeshFiles(
    {
      domains,
      streamsPerDomain: STREAMS_PER_DOMAIN,
      grantsPerStream: GRANTS_PER_STREAM,
      domainsPerAccount: 1,
      clean: true,
    },
    layout === 'per-domain',
  );
  for (const [name, text] of files) writeFileSync(join(meshDir, name), text);
  const file = join(meshDir, 'mesh.yaml');
  const runs = layout === 'per-domain' ? 2 : streams >= 5000 ? 3 : 5;
  log(`size ${streams} streams (${layout}): ${runs} timed runs`);
  const time = runChild<TimeResult>('sizes.ts', [file, 'time', String(runs)]);
  log(`size ${streams} streams (${layout}): peak RSS`);
  const rss = runChild<RssResult>('sizes.ts', [file, 'rss']);
  log(`size ${streams} streams (${layout}): peak RSS of the built code`);
  const builtRss = runChild<RssResult>('sizes-rss.mjs', [file], { tsx: false });
  const parseMs = wall(time.parse);
  const fastParseMs = wall(time.fastParse);
  const validateMs = wall(time.validate);
  const renderMs = wall(time.render);
  const totalMs = median(time.validate.map((v, i) => v.wallMs + (time.render[i] as Timing).wallMs));
  const totalCpu = median(time.validate.map((v, i) => v.cpuMs + (time.render[i] as Timing).cpuMs));
  return {
    layout,
    files: files.size,
    streams: time.streams,
    grants: time.grants,
    accounts: time.accounts,
    domains,
    bytes: time.bytes,
    runs,
    diagnostics: time.diagnostics,
    parseMs,
    fastParseMs,
    validateMs,
    renderMs,
    totalMs,
    parseCpuMs: cpu(time.parse),
    validateCpuMs: cpu(time.validate),
    renderCpuMs: cpu(time.render),
    validateOverParse: validateMs / parseMs,
    validateOverFastParse: validateMs / fastParseMs,
    usPerStream: (totalMs * 1000) / time.streams,
    cpuUsPerStream: (totalCpu * 1000) / time.streams,
    peakRssMiB: rss.peakRssMiB,
    baselineRssMiB: rss.baselineRssMiB,
    builtPeakRssMiB: builtRss.peakRssMiB,
    builtBaselineRssMiB: builtRss.baselineRssMiB,
    raw: { time, rss, builtRss },
  };
}

interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

function machine() {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const load = (() => {
    try {
      return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    } catch {
      return 'unknown';
    }
  })();
  return {
    nproc: cpus().length,
    memoryMiB: Math.round(totalmem() / 1024 / 1024),
    freeMiB: Math.round(freemem() / 1024 / 1024),
    cpuModel: model,
    node: process.version,
    loadAverage: load,
  };
}

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mark = (met: boolean) => (met ? 'met' : '**not met**');

interface Measured {
  date: string;
  command: string;
  elapsedSeconds: number;
  machine: ReturnType<typeof machine> & { loadAverageAfter: string };
  sizes: SizeRow[];
  plan?: PlanBenchResult;
  audit: AuditRow[];
  quotaFloor?: QuotaFloorResult & { date: string; command: string };
}

function quotaFloorBench(command: string): Measured['quotaFloor'] {
  log('speed at the quota floor (apply from empty, then plan, through the quota proxy)');
  const r = runChild<QuotaFloorResult>('quota-floor.ts', [
    '--accounts',
    argValue('quota-floor-accounts') ?? '3',
    '--streams-per-account',
    argValue('quota-floor-streams-per-account') ?? '100',
  ]);
  return { ...r, date: new Date().toISOString(), command };
}

/** Validate and render per mesh size (section 1), each size in its own child processes. */
function measureSizes(): SizeRow[] {
  const sizes = (argValue('sizes') ?? '100,1000,5000,10000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  buildDist(log);
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-bench-'));
  const rows: SizeRow[] = [];
  try {
    for (const s of sizes) rows.push(sizeBench(s, dir, 'single'));
    const largest = Math.max(...sizes);
    if (!process.argv.includes('--no-split')) rows.push(sizeBench(largest, dir, 'per-domain'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** `--sizes-only`: measure validate + render again and keep the other sections of the last results.json. */
function measureSizesOnly(previous: Measured): Measured {
  const started = Date.now();
  const m = machine();
  log(`machine: ${m.nproc} cores, ${m.memoryMiB} MiB, ${m.cpuModel}, node ${m.node}, load ${m.loadAverage}`);
  const sizes = measureSizes();
  return {
    ...previous,
    date: new Date().toISOString(),
    command: commandLine(),
    elapsedSeconds: (Date.now() - started) / 1000,
    machine: { ...m, loadAverageAfter: machine().loadAverage },
    sizes,
  };
}

async function measureAll(): Promise<Measured> {
  const started = Date.now();
  const skipPlan = process.argv.includes('--skip-plan');
  const m = machine();
  log(`machine: ${m.nproc} cores, ${m.memoryMiB} MiB, ${m.cpuModel}, node ${m.node}, load ${m.loadAverage}`);
  const rows = measureSizes();

  let plan: PlanBenchResult | undefined;
  if (!skipPlan) {
    log('plan on the local target (kinesis-local)');
    plan = runChild<PlanBenchResult>('plan.ts', [
      '--domains',
      argValue('plan-domains') ?? '10',
      '--streams-per-domain',
      argValue('plan-streams-per-domain') ?? '100',
      '--runs',
      argValue('plan-runs') ?? '2',
    ]);
  }
  log('audit: GetMetricData calls');
  const audit: AuditRow[] = await auditBench([1, 100, 1000, 10_000, 40_000]);
  const command = commandLine();
  const quotaFloor = process.argv.includes('--skip-quota-floor') ? undefined : quotaFloorBench(command);
  return {
    date: new Date().toISOString(),
    command,
    elapsedSeconds: (Date.now() - started) / 1000,
    machine: { ...m, loadAverageAfter: machine().loadAverage },
    sizes: rows,
    ...(plan ? { plan } : {}),
    audit,
    ...(quotaFloor ? { quotaFloor } : {}),
  };
}

function commandLine(): string {
  return `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
}

/** The quota-floor targets: each run's ratio to its floor, status polls and read calls per stream. */
function quotaFloorTargets(q: QuotaFloorResult): Target[] {
  const a = q.apply;
  const p = q.plan;
  const applyRatio = a.wallMs / 1000 / a.floor.seconds;
  const planRatio = p.wallMs / 1000 / p.floor.seconds;
  const size = `${q.streams} streams / ${q.consumers} EFO consumers / ${q.accounts} accounts`;
  return [
    {
      name: `apply from empty at the quota floor, ${size}: time`,
      target: `<= 2x the floor of its mutating calls (${f1(a.floor.seconds)} s: ${a.floor.binding})`,
      measured: `${f1(a.wallMs / 1000)} s = ${f2(applyRatio)}x (CreateStream alone: ${f1(a.createFloor.seconds)} s floor, ${f2(a.wallMs / 1000 / a.createFloor.seconds)}x); exit ${a.exitCode}, ${a.throttled} throttled`,
      met: applyRatio <= 2 && a.exitCode === 0,
    },
    {
      name: 'apply: status polls (DescribeStreamSummary) per stream',
      target: '<= 3',
      measured: `${f2(a.statusPollsPerStream)} (DescribeStreamConsumer per consumer: ${f2(a.consumerPollsPerConsumer)})`,
      met: a.statusPollsPerStream <= 3,
    },
    {
      name: `plan of the same mesh in sync: time`,
      target: `<= 1.25x the floor of its reads (${f1(p.floor.seconds)} s: ${p.floor.binding})`,
      measured: `${f1(p.wallMs / 1000)} s = ${f2(planRatio)}x; exit ${p.exitCode}, ${p.throttled} throttled`,
      met: planRatio <= 1.25 && p.exitCode === 0,
    },
    {
      name: 'plan: read calls per stream (stream and consumer tags from GetResources pages, as AWS answers them; per-account list pages included)',
      target: `<= 3 + 1 per EFO consumer = ${f1(p.allowedPerStream)}`,
      measured: f2(p.readCallsPerStream),
      met: p.readCallsPerStream <= p.allowedPerStream,
    },
  ];
}

function quotaFloorSection(q: NonNullable<Measured['quotaFloor']>): string[] {
  const md: string[] = [];
  md.push('## Speed at the quota floor', '');
  md.push(
    `\`meshgov apply\` from empty, then \`meshgov plan --detailed-exitcode\` of the same mesh in sync, each as users run the CLI (\`bin/meshgov.js\` from a fresh \`tsc -p tsconfig.build.json\`, \`--endpoint <proxy> --endpoint-accounts-as-keys\`, a child process, so the times include start-up), through bench/quota-proxy.ts: a loopback proxy in front of kinesis-local that answers LimitExceededException past each API's documented per-account TPS (table in the file) and past 5 streams in CREATING/DELETING per account. The mesh: bench/generate-mesh.ts, ${q.accounts} accounts x ${q.streams / q.accounts} streams, 5 grants per stream, one of them an enhanced fan-out consumer (${q.consumers} consumers). kinesis-local simulates every transition for ${q.transitionMs} ms. Floor = the (account, API) with the most calls the mesh needs, at its documented TPS: for apply, every mutating call from empty (tags sent with the creates); for plan, GetResourcePolicy, one per stream and per consumer, which no reader can skip. meshgov's own limiter runs at 80 % of each quota by design, so 1.25x the floor is where a run at that share with no other cost would land. Measured ${q.date.slice(0, 16).replace('T', ' ')} UTC by \`${q.command}\`; also \`node --import tsx bench/quota-floor.ts\`.`,
    '',
  );
  const runs = [
    ['apply from empty', q.apply],
    ['plan in sync', q.plan],
  ] as const;
  md.push(
    '| Run | Wall s | Floor s | Ratio | Exit | Throttled | Refused (5 in transition) | Calls by API |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const [name, r] of runs) {
    const calls = Object.entries(r.calls)
      .map(([api, n]) => `${api} ${n}`)
      .join(', ');
    md.push(
      `| ${name} | ${f1(r.wallMs / 1000)} | ${f1(r.floor.seconds)} | ${f2(r.wallMs / 1000 / r.floor.seconds)}x | ${r.exitCode} | ${r.throttled} | ${r.transitionRefused} | ${calls} |`,
    );
  }
  md.push('');
  md.push(
    "Where the time beyond the floor goes (ms after the CLI was started, from the proxy's clock): the first call of any API (start-up: node, modules, validation, render), the binding API's first and last call, the last call of any API, and the exit.",
    '',
    '| Run | First call | Binding API | Its first call | Its last call | Last call | Exit |',
    '|---|---:|---|---:|---:|---:|---:|',
  );
  for (const [name, r] of runs) {
    const t = r.timeline;
    if (t === undefined) continue; // results.json from before the timeline was measured
    md.push(
      `| ${name} | ${Math.round(t.firstCallMs)} | ${t.bindingApi} | ${Math.round(t.bindingFirstMs)} | ${Math.round(t.bindingLastMs)} | ${Math.round(t.lastCallMs)} | ${Math.round(t.exitMs)} |`,
    );
  }
  md.push('');
  md.push(
    `Apply: ${f2(q.apply.statusPollsPerStream)} DescribeStreamSummary per stream, ${f2(q.apply.consumerPollsPerConsumer)} DescribeStreamConsumer per consumer, ${f2(q.apply.readCallsPerStream)} read calls per stream in all; at most ${q.apply.peakInTransition} streams of one account were CREATING or DELETING at once. Plan: ${f2(q.plan.readCallsPerStream)} read calls per stream${planReadParts(q)}.`,
    '',
  );
  return md;
}

async function main(): Promise<void> {
  // --from-json: rewrite RESULTS.md from the last results.json (e.g. after editing NOTES.md) without measuring again.
  const previous = () => JSON.parse(readFileSync(join(BENCH_DIR, 'results.json'), 'utf8')) as Measured;
  let measured: Measured;
  if (process.argv.includes('--from-json')) measured = previous();
  else if (process.argv.includes('--quota-floor-only'))
    measured = { ...previous(), quotaFloor: quotaFloorBench(commandLine()) };
  else if (process.argv.includes('--sizes-only')) measured = measureSizesOnly(previous());
  else measured = await measureAll();
  const { command, machine: m, sizes: rows, plan, audit, quotaFloor } = measured;
  const elapsedS = measured.elapsedSeconds;
  const loadBefore = m.loadAverage;

  // Targets.
  const targets: Target[] = [];
  const single = rows.filter((r) => r.layout === 'single');
  const top = single[single.length - 1];
  const split = rows.find((r) => r.layout === 'per-domain');
  if (top) {
    targets.push({
      name: `validate + render, ${top.streams.toLocaleString('en')} streams: time`,
      target: `<= ${TARGET_MS.toLocaleString('en')} ms`,
      measured: `${f0(top.totalMs)} ms wall (${f0(top.validateCpuMs + top.renderCpuMs)} ms CPU)`,
      met: top.totalMs <= TARGET_MS,
    });
    targets.push({
      name: `validate + render, ${top.streams.toLocaleString('en')} streams: peak RSS`,
      target: `<= ${TARGET_MIB} MiB`,
      measured: rssMeasured(top),
      met: (top.builtPeakRssMiB ?? top.peakRssMiB) <= TARGET_MIB,
    });
    targets.push({
      name: `validation on top of YAML parsing, ${top.streams.toLocaleString('en')} streams`,
      target: 'validate <= 1.5x parsing the YAML (fastLoad, the parser validate uses)',
      measured: `${f2(top.validateOverFastParse)}x (${f0(top.validateMs)} / ${f0(top.fastParseMs)} ms); vs yaml parseDocument ${f2(top.validateOverParse)}x (${f0(top.parseMs)} ms)`,
      met: top.validateOverFastParse <= 1.5,
    });
  }
  if (split) {
    targets.push({
      name: `validate + render, ${split.streams.toLocaleString('en')} streams in ${split.files} files: time`,
      target: `<= ${TARGET_MS.toLocaleString('en')} ms`,
      measured: `${f0(split.totalMs)} ms wall (${f0(split.validateCpuMs + split.renderCpuMs)} ms CPU)`,
      met: split.totalMs <= TARGET_MS,
    });
    targets.push({
      name: `validate + render, ${split.streams.toLocaleString('en')} streams in ${split.files} files: peak RSS`,
      target: `<= ${TARGET_MIB} MiB`,
      measured: rssMeasured(split),
      met: (split.builtPeakRssMiB ?? split.peakRssMiB) <= TARGET_MIB,
    });
  }
  const linearBase = single.find((r) => r.streams >= 1000) ?? single[0];
  if (top && linearBase && linearBase !== top) {
    const ratio = top.cpuUsPerStream / linearBase.cpuUsPerStream;
    targets.push({
      name: `linear cost: CPU per stream at ${top.streams.toLocaleString('en')} vs ${linearBase.streams.toLocaleString('en')} streams`,
      target: '<= 1.25x (constant cost per stream)',
      measured: `${f2(ratio)}x (${f0(top.cpuUsPerStream)} vs ${f0(linearBase.cpuUsPerStream)} µs/stream)`,
      met: ratio <= 1.25,
    });
  }
  let planDerived: Record<string, number> | undefined;
  if (plan) {
    const mg = median(plan.meshgov.wallMs);
    const min = median(plan.minimal.wallMs);
    const readCalls = Object.values(plan.meshgov.calls).reduce((a, b) => a + b, 0);
    const perStream = readCalls / plan.meshgov.managedStreams;
    const efoPerStream = plan.meshgov.liveConsumers / plan.meshgov.managedStreams;
    const allowed = 3 + efoPerStream;
    // On AWS the tagging API answers for 100 streams a page: no ListTagsForResource per stream.
    const listTagsStreams = (plan.meshgov.calls['kinesis:ListTagsForResource'] ?? 0) - plan.meshgov.liveConsumers;
    const awsPerStream = (readCalls - listTagsStreams + Math.ceil(plan.streams / 100)) / plan.meshgov.managedStreams;
    const mgCpu = median(plan.meshgov.cpuMs);
    const minCpu = median(plan.minimal.cpuMs);
    planDerived = {
      meshgovMs: mg,
      minimalMs: min,
      ratio: mg / min,
      meshgovCpuMs: mgCpu,
      minimalCpuMs: minCpu,
      cpuRatio: mgCpu / minCpu,
      readCalls,
      perStream,
      allowed,
      awsPerStream,
    };
    targets.push({
      name: `plan overhead, ${plan.streams.toLocaleString('en')} streams / ${plan.accounts} accounts: wall time`,
      target: '<= 1.2x the minimal reader',
      measured: `${f2(mg / min)}x (${f0(mg)} vs ${f0(min)} ms)`,
      met: mg / min <= 1.2,
    });
    targets.push({
      name: 'plan overhead: client CPU time (the emulator excluded)',
      target: '<= 1.2x the minimal reader (information: the diff is extra work the reader does not do)',
      measured: `${f2(mgCpu / minCpu)}x (${f0(mgCpu)} vs ${f0(minCpu)} ms)`,
      met: mgCpu / minCpu <= 1.2,
    });
    targets.push({
      name: 'read calls per managed stream (local target)',
      target: `<= 3 + 1 per EFO consumer = ${f1(allowed)}`,
      measured: f2(perStream),
      met: perStream <= allowed,
    });
    targets.push({
      name: 'read calls per managed stream (AWS, tags via the tagging API; derived)',
      target: `<= ${f1(allowed)}`,
      measured: f2(awsPerStream),
      met: awsPerStream <= allowed,
    });
  }
  if (quotaFloor) targets.push(...quotaFloorTargets(quotaFloor));
  const auditOk = audit.every((a) => a.calls === a.minimum);
  targets.push({
    name: 'audit GetMetricData requests for N shards, 1 h window',
    target: '= ceil(N * 5 / 500)',
    measured: audit.map((a) => `${a.shards.toLocaleString('en')} shards: ${a.calls}`).join('; '),
    met: auditOk,
  });

  const json = { ...measured, planDerived, targets };
  writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);

  const md: string[] = [];
  md.push('# meshgov benchmarks', '');
  md.push(
    `Generated by \`${command}\` (bench/run.ts) on ${json.date.slice(0, 16).replace('T', ' ')} UTC in ${f0(elapsedS)} s. Raw numbers: [results.json](results.json).`,
    '',
  );
  md.push('## Machine', '');
  md.push(
    `- CPU: ${m.cpuModel}, ${m.nproc} cores (nproc)`,
    `- Memory: ${m.memoryMiB} MiB`,
    `- Node.js ${m.node}, ${process.platform}/${process.arch}`,
  );
  md.push(
    `- Load average (1/5/15 min) before: ${loadBefore}, after: ${json.machine.loadAverageAfter}. The machine is shared: wall times include waiting for a core; CPU times do not.`,
    '',
  );
  md.push('## Targets', '', '| Target | Goal | Measured | Status |', '|---|---|---|---|');
  for (const t of targets) md.push(`| ${t.name} | ${t.target} | ${t.measured} | ${mark(t.met)} |`);
  md.push('');
  md.push('## Validate and render by mesh size', '');
  md.push(
    `Generated meshes (bench/generate-mesh.ts, \`clean: true\`: the built-in guardrails report nothing): ${STREAMS_PER_DOMAIN} streams per domain, one account per domain, ${GRANTS_PER_STREAM} grants per stream (1 producer; replay, EFO, filtered and fan-out consumers). validate = runValidation (read + YAML + schema + semantic checks + 22 built-in guardrail rules); parseDocument = yaml's positioned parse alone, with meshgov's options (what validate used before the fast path, and still uses for files that need positions); fastLoad = the js-yaml fast path validate reads valid files with; render = renderMesh. Medians of the runs shown; peak RSS from separate processes doing one validate + render (\`process.resourceUsage().maxRSS\`; the runtime with meshgov's modules loaded, before reading, is the baseline): the built code in plain node (bench/sizes-rss.mjs, dist/ as \`meshgov\` runs it), and the TypeScript worker the times come from, under the tsx loader (~35 MiB of its own).`,
    '',
  );
  md.push(
    '| Streams | Files | Grants | Accounts | YAML MiB | Runs | parseDocument ms | fastLoad ms | validate ms | render ms | validate + render ms | CPU ms | validate / fastLoad | µs per stream (wall / CPU) | Peak RSS MiB, built (baseline) | Peak RSS MiB under tsx (baseline) |',
  );
  md.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    md.push(
      `| ${r.streams.toLocaleString('en')} | ${r.files} | ${r.grants.toLocaleString('en')} | ${r.accounts} | ${f1(r.bytes / 1024 / 1024)} | ${r.runs} | ${f0(r.parseMs)} | ${f0(r.fastParseMs)} | ${f0(r.validateMs)} | ${f0(r.renderMs)} | ${f0(r.totalMs)} | ${f0(r.validateCpuMs + r.renderCpuMs)} | ${f2(r.validateOverFastParse)} | ${f0(r.usPerStream)} / ${f0(r.cpuUsPerStream)} | ${r.builtPeakRssMiB === undefined ? '–' : `${f0(r.builtPeakRssMiB)} (${f0(r.builtBaselineRssMiB ?? 0)})`} | ${f0(r.peakRssMiB)} (${f0(r.baselineRssMiB)}) |`,
    );
  }
  md.push('');
  if (plan && planDerived) {
    md.push('## Plan on the local target', '');
    md.push(
      `${plan.streams.toLocaleString('en')} managed streams (${plan.meshgov.liveConsumers} EFO consumers registered: ${f2(efoPerStreamOf(plan))} per stream) across ${plan.accounts} accounts, plus ${plan.unmanagedPerAccount} unmanaged streams per account, in kinesis-local on this machine (SHARD_LIMIT and ON_DEMAND_STREAM_COUNT_LIMIT raised). meshgov = AwsLiveReader through the ClientPool (10 accounts and 8 streams per account at once) + computePlan; minimal reader = bench/minimal-reader.ts, the same calls with the same concurrency straight through the SDK. Client-side rate limits off for both (at the documented quotas a real account would bound both alike). ${plan.runs === 1 ? 'One run of each' : `Medians of ${plan.runs} runs, alternating which goes first`}, after a warm-up of both on one account (kinesis-local answers about 100 calls/s at this size, so a round takes minutes).`,
      '',
    );
    md.push('| | Wall ms (median) | Runs (ms) | Client CPU ms | API calls |', '|---|---:|---|---:|---:|');
    md.push(
      `| meshgov plan (read + diff) | ${f0(planDerived['meshgovMs'] ?? 0)} | ${plan.meshgov.wallMs.map(f0).join(', ')} (diff ${f0(median(plan.meshgov.diffMs))}) | ${f0(planDerived['meshgovCpuMs'] ?? 0)} | ${planDerived['readCalls']} |`,
    );
    md.push(
      `| minimal reader | ${f0(planDerived['minimalMs'] ?? 0)} | ${plan.minimal.wallMs.map(f0).join(', ')} | ${f0(planDerived['minimalCpuMs'] ?? 0)} | ${Object.values(plan.minimal.calls).reduce((a, b) => a + b, 0)} |`,
    );
    md.push(`| ratio | ${f2(planDerived['ratio'] ?? 0)}x | | ${f2(planDerived['cpuRatio'] ?? 0)}x | |`, '');
    md.push(
      'API calls by operation (meshgov; the minimal reader made the same):',
      '',
      '| API | Calls | Per managed stream |',
      '|---|---:|---:|',
    );
    for (const [op, n] of Object.entries(plan.meshgov.calls))
      md.push(`| ${op} | ${n} | ${f2(n / plan.meshgov.managedStreams)} |`);
    md.push(`| **total** | ${planDerived['readCalls']} | ${f2(planDerived['perStream'] ?? 0)} |`, '');
    md.push(
      'kinesis-local has no Resource Groups Tagging API, so GetResources fails once per account and meshgov falls back to one ListTagsForResource per listed stream; on AWS one GetResources page covers 100 streams (the derived AWS row in the targets).',
      '',
    );
  }
  md.push('## Audit: GetMetricData batching', '');
  md.push(
    'readShardMetrics (src/adapters/aws/cloudwatch.ts) against an aws-sdk-client-mock CloudWatch client, 1-hour window, 60 s periods, 5 metrics per shard, 4 shards per stream; the limiter runs on a fake clock.',
    '',
  );
  md.push(
    '| Shards | Streams | Queries | GetMetricData calls | Minimum ceil(N*5/500) | Max queries per call | ms |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const a of audit)
    md.push(
      `| ${a.shards.toLocaleString('en')} | ${a.streams.toLocaleString('en')} | ${a.queries.toLocaleString('en')} | ${a.calls} | ${a.minimum} | ${a.maxQueriesPerCall} | ${f0(a.wallMs)} |`,
    );
  md.push('');
  if (quotaFloor) md.push(...quotaFloorSection(quotaFloor));
  md.push(
    '## Reproduce',
    '',
    '```sh',
    command,
    '```',
    '',
    `Individual parts: \`node --import tsx bench/sizes.ts <mesh.yaml> time 3\`, \`node --import tsx bench/plan.ts --domains 10 --streams-per-domain 100\`, \`node --import tsx bench/audit.ts\`, \`node --import tsx bench/quota-floor.ts [--accounts 3] [--streams-per-account 100]\`, \`npm run bench -- --quota-floor-only\`. Paths are relative to ${relative(process.cwd(), ROOT) || 'the repository root'}.`,
    '',
  );
  const notes = readNotes();
  if (notes) md.push(notes);
  writeFileSync(join(BENCH_DIR, 'RESULTS.md'), `${md.join('\n')}\n`);
  log(`done in ${f0(elapsedS)} s: bench/RESULTS.md, bench/results.json`);
  for (const t of targets) log(`${t.met ? 'met    ' : 'NOT MET'} ${t.name}: ${t.measured} (goal ${t.target})`);
}

function efoPerStreamOf(plan: PlanBenchResult): number {
  return plan.meshgov.liveConsumers / Math.max(1, plan.meshgov.managedStreams);
}

/** Hand-written analysis appended to RESULTS.md (bench/NOTES.md), so a rerun keeps it. */
function readNotes(): string | undefined {
  try {
    return readFileSync(join(BENCH_DIR, 'NOTES.md'), 'utf8');
  } catch {
    return undefined;
  }
}

await main();

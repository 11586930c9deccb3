/**
 * Hostile and huge inputs (test/support/hostile-cases.ts, one per row of docs/limits.md) through the built CLI:
 * `meshgov validate --format json <case>`, one process per case under `/usr/bin/time -v`, reporting wall time and
 * peak RSS, and whether the run ended with the expected located error. Needs `npm run build` first.
 *
 *   npx tsx bench/hostile.ts [case-id ...]      prints a markdown table (paste into docs/limits.md)
 *
 * Target (issue 15): every case under 10 s and 512 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOSTILE_CASES } from '../test/support/hostile-cases.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'bin/meshgov.js');
const TARGET_S = 10;
const TARGET_MIB = 512;

interface Row {
  id: string;
  input: string;
  limit: string;
  wallS: number;
  /** User + system CPU seconds: on a shared machine wall time includes waiting for a core, CPU time does not. */
  cpuS: number;
  rssMiB: number;
  exit: number | null;
  first: string;
  diagnostics: number;
  ok: boolean;
}

function timed(
  args: string[],
  cwd: string,
): { wallS: number; cpuS: number; rssMiB: number; exit: number | null; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, BIN, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', GITHUB_WORKSPACE: '' },
  });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const wallS = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : Number.NaN;
  const exit = /Exit status: (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const cpuS = user && system ? Number(user[1]) + Number(system[1]) : Number.NaN;
  return {
    wallS,
    cpuS,
    rssMiB: rss ? Number(rss[1]) / 1024 : Number.NaN,
    exit: exit ? Number(exit[1]) : r.status,
    stdout: r.stdout,
  };
}

function main(): void {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('run `npm run build` first');
  const only = process.argv.slice(2);
  const rows: Row[] = [];
  for (const c of HOSTILE_CASES.filter((x) => only.length === 0 || only.includes(x.id))) {
    const dir = mkdtempSync(join(tmpdir(), `meshgov-hostile-${c.id}-`));
    try {
      const arg = c.write(dir);
      process.stderr.write(`[hostile] ${c.id} ...\n`);
      const r = timed(['validate', '--format', 'json', arg], dir);
      let first = '(no JSON output)';
      let count = 0;
      let ok = false;
      try {
        const diags = (
          JSON.parse(r.stdout) as { diagnostics: { code: string; file: string; line: number; column: number }[] }
        ).diagnostics;
        count = diags.length;
        const d = diags.find((x) => x.code === c.expected.code);
        first = d
          ? `${d.code} at ${d.file}:${d.line}:${d.column}`
          : `${diags[0]?.code ?? 'none'} (expected ${c.expected.code})`;
        ok =
          r.exit === 1 &&
          d !== undefined &&
          d.file === c.expected.file &&
          d.line === c.expected.line &&
          d.column === c.expected.column;
      } catch {
        // Not JSON: the run crashed or printed something else; reported as not ok.
      }
      rows.push({
        id: c.id,
        input: c.input,
        limit: c.limit,
        wallS: r.wallS,
        cpuS: r.cpuS,
        rssMiB: r.rssMiB,
        exit: r.exit,
        first,
        diagnostics: count,
        ok,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const lines = [
    `| case | input | limit | wall (s) | CPU (s) | peak RSS (MiB) | exit | located error | diagnostics | target (< ${TARGET_S} s, < ${TARGET_MIB} MiB) |`,
    '|---|---|---|---:|---:|---:|---:|---|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.id} | ${r.input} | ${r.limit} | ${r.wallS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${Math.round(r.rssMiB)} | ${r.exit} | ${r.ok ? '' : '**unexpected** '}${r.first} | ${r.diagnostics} | ${r.wallS < TARGET_S && r.rssMiB < TARGET_MIB ? 'met' : '**not met**'} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();

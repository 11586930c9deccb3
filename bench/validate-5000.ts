/**
 * Benchmark: validate a generated mesh of 5,000 streams (100 domains x 50 streams x 3 grants = 15,000 grants).
 * Run with `npx tsx bench/validate-5000.ts`. Prints the median of 5 runs of `validateMesh` and the share spent
 * parsing YAML (read + parse + alias resolution) within it. Wall time and process CPU time are both reported: on a
 * shared machine wall time includes waiting for the CPU.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSource } from '../src/core/source/source.js';
import { validateMesh } from '../src/core/validate.js';
import { generateMesh } from './generate-mesh.js';

const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'meshgov-bench-'));
try {
  const file = join(dir, 'mesh.yaml');
  const text = generateMesh({ domains: 100, streamsPerDomain: 50, grantsPerStream: 3, domainsPerAccount: 2 });
  writeFileSync(file, text);
  const reader = { read: (f: string) => readFileSync(f, 'utf8') };

  const totals: number[] = [];
  const cpus: number[] = [];
  const parses: number[] = [];
  let streams = 0;
  let grants = 0;
  let diagnostics = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = validateMesh(file, reader, { today: '2026-01-01' });
    const c1 = process.cpuUsage(c0);
    totals.push(performance.now() - t0);
    cpus.push((c1.user + c1.system) / 1000);
    streams = r.mesh?.streams.length ?? 0;
    grants = r.mesh?.grants.length ?? 0;
    diagnostics = r.diagnostics.length;
    const p0 = performance.now();
    parseSource(file, reader.read(file));
    parses.push(performance.now() - p0);
  }
  const total = median(totals);
  const parse = median(parses);
  console.log(
    `mesh: ${(text.length / 1024 / 1024).toFixed(1)} MiB, ${text.split('\n').length} lines, ${streams} streams, ${grants} grants, ${diagnostics} diagnostics`,
  );
  console.log(
    `validateMesh median of ${RUNS}: ${total.toFixed(0)} ms (runs: ${totals.map((t) => t.toFixed(0)).join(', ')})`,
  );
  // CPU time of the process (all threads, incl. GC helpers): less sensitive than wall time to other load on the machine.
  console.log(
    `validateMesh CPU time median: ${median(cpus).toFixed(0)} ms (runs: ${cpus.map((t) => t.toFixed(0)).join(', ')})`,
  );
  console.log(
    `parse (read + YAML + toJS) median: ${parse.toFixed(0)} ms = ${((parse / total) * 100).toFixed(0)}% of validateMesh`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * How fast can Node itself be on issue 15's validate + render goal? A floor, measured the same cold way as meshgov:
 * each reading is a fresh `node` process that reads a file and JSON.parse()s it, the fastest way V8 has to build
 * objects from text (native code, no JavaScript per value).
 *
 *   - "mesh": the mesh as JSON (js-yaml's reading of the YAML, compact): parsing only, no checks, no positions.
 *   - "desired state": what `meshgov render --format json` prints for the mesh, compact: the objects render builds.
 *   - "meshgov": one cold runValidation + renderMesh of dist/ (what bench/sizes-rss.mjs does), for comparison.
 *
 * dist/ must be built (`npx tsc -p tsconfig.build.json`). Prints the median and range of RUNS processes of each.
 *
 *   node bench/floor.mjs <mesh.yaml> [RUNS=5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

const here = dirname(fileURLToPath(import.meta.url));
const meshgov = join(here, '..', 'bin', 'meshgov.js');
const file = process.argv[2];
const runs = Number(process.argv[3] ?? 5);
if (!file || !(runs >= 1)) throw new Error('usage: node bench/floor.mjs <mesh.yaml> [RUNS]');

/** One cold JSON.parse of a file in a fresh process: wall ms of read + parse, and the process's CPU ms for it. */
const PARSE_ONE = `
const { readFileSync } = require('node:fs');
const c0 = process.cpuUsage(); const t0 = performance.now();
const value = JSON.parse(readFileSync(process.argv[1], 'utf8'));
const wall = performance.now() - t0; const c = process.cpuUsage(c0);
if (value === null || typeof value !== 'object') throw new Error('not a document');
process.stdout.write(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000 }));
`;

/** One cold runValidation + renderMesh of dist/, timed the same way. */
const MESHGOV_ONE = `
const { basename, dirname, resolve } = require('node:path');
const file = resolve(process.argv[1]);
(async () => {
  const { runValidation } = await import(resolve(process.argv[2], 'dist/cli/validation.js'));
  const { renderMesh } = await import(resolve(process.argv[2], 'dist/core/render/index.js'));
  const quiet = { write: () => undefined };
  const io = { stdout: quiet, stderr: quiet, env: {}, cwd: dirname(file), now: () => new Date('2026-01-01T12:00:00Z') };
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const validated = runValidation(basename(file), io);
  if (!validated.mesh) throw new Error('the mesh did not load');
  renderMesh(validated.mesh, { today: '2026-01-01', locator: validated.locator });
  const wall = performance.now() - t0; const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000 }));
})();
`;

const work = mkdtempSync(join(tmpdir(), 'meshgov-floor-'));
try {
  const meshJson = join(work, 'mesh.json');
  writeFileSync(meshJson, JSON.stringify(load(readFileSync(file, 'utf8'))));
  const pretty = execFileSync(process.execPath, [meshgov, 'render', '--format', 'json', basename(file)], {
    cwd: dirname(resolve(file)),
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const desiredJson = join(work, 'desired.json');
  writeFileSync(desiredJson, JSON.stringify(JSON.parse(pretty.toString('utf8'))));

  const time = (args) => JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
  const rows = [
    ['JSON.parse of the mesh', () => time(['-e', PARSE_ONE, meshJson])],
    ['JSON.parse of the desired state', () => time(['-e', PARSE_ONE, desiredJson])],
    ['meshgov validate + render', () => time(['-e', MESHGOV_ONE, file, join(here, '..')])],
  ];
  const sizes = { mesh: readFileSync(meshJson).length, desired: readFileSync(desiredJson).length };
  const samples = rows.map(() => []);
  // Alternated, so a slower minute of the machine falls on every row alike.
  for (let i = 0; i < runs; i++) rows.forEach(([, one], r) => samples[r].push(one()));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const range = (xs) => `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}`;
  process.stdout.write(
    `mesh JSON ${(sizes.mesh / 2 ** 20).toFixed(1)} MiB, desired state JSON ${(sizes.desired / 2 ** 20).toFixed(1)} MiB, ${runs} cold processes each\n`,
  );
  process.stdout.write('| | wall ms, median (range) | CPU ms, median (range) |\n|---|---:|---:|\n');
  rows.forEach(([name], r) => {
    const wall = samples[r].map((s) => s.wall);
    const cpu = samples[r].map((s) => s.cpu);
    process.stdout.write(
      `| ${name} | ${Math.round(median(wall))} (${range(wall)}) | ${Math.round(median(cpu))} (${range(cpu)}) |\n`,
    );
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

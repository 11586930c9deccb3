/**
 * CPU time per phase of validate + render of one mesh file, warm: each phase called on its own, `runs` times in one
 * process, the median reported (user + system CPU of the process, so waiting for a core on a shared machine does not
 * count; garbage collection on helper threads does).
 *
 *   node --import tsx bench/phases.ts <mesh.yaml> [runs]
 *
 * Phases: parse = parseSource of the root file alone (guards + js-yaml); load = loadMesh (parse of every file,
 * schema, normalise); semantic = the semantic checks; rules-load = reading and compiling the built-in rule pack;
 * rules = runRules; render = renderMesh.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CliIO } from '../src/cli/io.js';
import { loadPolicies } from '../src/cli/validation.js';
import { runSemanticChecks } from '../src/core/model/checks/index.js';
import { loadMesh } from '../src/core/model/load.js';
import { renderMesh } from '../src/core/render/index.js';
import { runRules } from '../src/core/rules/index.js';
import { parseSource } from '../src/core/source/source.js';

const TODAY = '2026-01-01';

function main(): void {
  const [file, runsArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: phases.ts <mesh.yaml> [runs]');
  const runs = Number(runsArg ?? 5);
  const text = readFileSync(file, 'utf8');
  const io: CliIO = {
    stdout: { write: () => undefined },
    stderr: { write: () => undefined },
    env: {},
    cwd: dirname(file),
    now: () => new Date(`${TODAY}T12:00:00Z`),
  } as CliIO;
  const reader = { read: (f: string) => readFileSync(`${dirname(file)}/${f}`, 'utf8') };
  const times = new Map<string, number[]>();
  const cpu = <T>(name: string, f: () => T): T => {
    const c0 = process.cpuUsage();
    const value = f();
    const c = process.cpuUsage(c0);
    times.set(name, [...(times.get(name) ?? []), (c.user + c.system) / 1000]);
    return value;
  };
  for (let i = 0; i < runs; i++) {
    cpu('parse', () => parseSource(basename(file), text));
    const loaded = cpu('load', () => loadMesh(basename(file), reader));
    const mesh = loaded.mesh;
    if (!mesh) throw new Error('the mesh did not load');
    cpu('semantic', () => runSemanticChecks({ mesh, locator: loaded.locator, today: TODAY }));
    const policies = cpu('rules-load', () => loadPolicies(io));
    cpu('rules', () => runRules({ mesh, locator: loaded.locator, today: TODAY, rules: policies.rules }));
    cpu('render', () => renderMesh(mesh, { today: TODAY, locator: loaded.locator }));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  for (const [name, xs] of times)
    process.stdout.write(
      `${name.padEnd(12)} ${String(Math.round(median(xs))).padStart(6)} ms CPU  (runs: ${xs.map(Math.round).join(', ')})\n`,
    );
}

main();

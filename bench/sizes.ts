/**
 * Size benchmark worker: validate (runValidation: read + YAML + schema + semantic checks + guardrail rules) and
 * render (renderMesh) of one mesh file, run in its own process so peak RSS belongs to this size alone.
 *
 *   node --import tsx bench/sizes.ts <mesh.yaml> time <runs>   median wall/CPU time of parse, validate, render
 *   node --import tsx bench/sizes.ts <mesh.yaml> rss           one validate + render, then peak RSS
 *
 * Prints one JSON object on stdout. `parse` is yaml's parseDocument alone (of every file of the mesh), with the options meshgov uses
 * (positions, unique keys, strict, YAML 1.2): the floor any YAML-based validation pays.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LineCounter, parseDocument } from 'yaml';
import type { CliIO } from '../src/cli/io.js';
import { runValidation } from '../src/cli/validation.js';
import { renderMesh } from '../src/core/render/index.js';
import { fastLoad } from '../src/core/source/source.js';

export const TODAY = '2026-01-01';

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

export interface TimeResult {
  mode: 'time';
  runs: number;
  bytes: number;
  streams: number;
  grants: number;
  accounts: number;
  diagnostics: number;
  errors: number;
  parse: Timing[];
  /** fastLoad (js-yaml, no positions): the parser meshgov reads valid files with. */
  fastParse: Timing[];
  validate: Timing[];
  render: Timing[];
}

export interface RssResult {
  mode: 'rss';
  /** RSS after imports, before reading the mesh (the runtime's own share), MiB. */
  baselineRssMiB: number;
  /** Peak RSS of the process over one validate + render, MiB. */
  peakRssMiB: number;
  heapUsedAfterMiB: number;
}

function measure<T>(fn: () => T): { value: T; t: Timing } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, t: { wallMs, cpuMs: (c.user + c.system) / 1000 } };
}

function quietIO(cwd: string): CliIO {
  return {
    stdout: { write: () => undefined },
    stderr: { write: () => undefined },
    env: {},
    cwd,
    now: () => new Date(`${TODAY}T12:00:00Z`),
  };
}

function validateAndRender(file: string) {
  const io = quietIO(dirname(file));
  const v = measure(() => runValidation(basename(file), io));
  const mesh = v.value.mesh;
  if (!mesh)
    throw new Error(
      `the mesh did not load: ${v.value.diagnostics
        .slice(0, 3)
        .map((d) => d.message)
        .join('; ')}`,
    );
  const r = measure(() => renderMesh(mesh, { today: TODAY, locator: v.value.locator }));
  return { v, r, mesh };
}

function main(): void {
  const [file, mode, runsArg] = process.argv.slice(2);
  if (!file || (mode !== 'time' && mode !== 'rss')) throw new Error('usage: sizes.ts <mesh.yaml> time <runs> | rss');
  if (mode === 'rss') {
    const baseline = process.memoryUsage().rss;
    validateAndRender(file);
    const out: RssResult = {
      mode,
      baselineRssMiB: baseline / 1024 / 1024,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      heapUsedAfterMiB: process.memoryUsage().heapUsed / 1024 / 1024,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const runs = Number(runsArg ?? 3);
  // The mesh file and, in the per-domain layout, the domain files it includes (bench/generate-mesh.ts).
  const domainsDir = join(dirname(file), 'domains');
  const texts = [
    file,
    ...(existsSync(domainsDir)
      ? readdirSync(domainsDir)
          .sort()
          .map((f) => join(domainsDir, f))
      : []),
  ].map((f) => readFileSync(f, 'utf8'));
  const out: TimeResult = {
    mode,
    runs,
    bytes: texts.reduce((n, t) => n + Buffer.byteLength(t), 0),
    streams: 0,
    grants: 0,
    accounts: 0,
    diagnostics: 0,
    errors: 0,
    parse: [],
    fastParse: [],
    validate: [],
    render: [],
  };
  for (let i = 0; i < runs; i++) {
    out.parse.push(
      measure(() =>
        texts.map((text) =>
          parseDocument(text, {
            lineCounter: new LineCounter(),
            uniqueKeys: true,
            strict: true,
            version: '1.2',
            logLevel: 'error',
          }),
        ),
      ).t,
    );
    out.fastParse.push(
      measure(() =>
        texts.map((text) => {
          if (!fastLoad(text).ok) throw new Error('a generated file did not take the fast path');
        }),
      ).t,
    );
    const { v, r, mesh } = validateAndRender(file);
    out.validate.push(v.t);
    out.render.push(r.t);
    out.streams = mesh.streams.length;
    out.grants = mesh.grants.length;
    out.accounts = mesh.accounts.length;
    out.diagnostics = v.value.diagnostics.length + r.value.diagnostics.length;
    out.errors = [...v.value.diagnostics, ...r.value.diagnostics].filter((d) => d.severity === 'error').length;
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();

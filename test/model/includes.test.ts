import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fsReader } from '../../src/adapters/fs/reader.js';
import type { SourceReader } from '../../src/core/model/load.js';
import { validateMesh } from '../../src/core/validate.js';

const ROOT = 'test/fixtures/valid/split/mesh.yaml';
const PAYMENTS = 'test/fixtures/valid/split/domains/payments.yaml';
const RISK = 'test/fixtures/valid/split/domains/risk.yaml';
const TODAY = '2026-06-01';

/** The split fixture with some files replaced in memory. */
function overlay(changes: Record<string, string>): SourceReader {
  return { read: (f) => changes[f] ?? fsReader.read(f) };
}

describe('include: a mesh split into per-domain files', () => {
  it('validates clean and merges domains, streams and grants from every file', () => {
    const r = validateMesh(ROOT, fsReader, { today: TODAY });
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    const mesh = r.mesh;
    expect(mesh?.files).toEqual([ROOT, PAYMENTS, RISK]);
    expect(mesh?.domains.map((d) => [d.name, d.file])).toEqual([
      ['payments', PAYMENTS],
      ['risk', RISK],
    ]);
    expect(mesh?.streams.map((s) => [s.name, s.at.file])).toEqual([
      ['payments.orders.v1', PAYMENTS],
      ['risk.scores.v1', RISK],
    ]);
    expect(mesh?.grants.map((g) => [g.id, g.at.file, g.domain])).toEqual([
      ['risk-replays-orders', ROOT, undefined],
      ['orders-api-produces-orders', PAYMENTS, 'payments'],
      ['scorer-reads-orders', RISK, 'risk'],
      ['scorer-produces-scores', RISK, 'risk'],
    ]);
  });

  it('names the included file and its line for a semantic error in it', () => {
    const risk = readFileSync(RISK, 'utf8').replace('retentionHours: 48', 'retentionHours: 900');
    const r = validateMesh(ROOT, overlay({ [RISK]: risk }), { today: TODAY });
    expect(r.diagnostics.map((d) => [d.file, d.code, d.line, d.column])).toEqual([
      [RISK, 'retention-outside-classification', 11, 25],
    ]);
  });

  it('keeps no plain data once the mesh is built, and still locates what the checks after loading find', () => {
    const risk = readFileSync(RISK, 'utf8').replace('retentionHours: 48', 'retentionHours: 900');
    const r = validateMesh(ROOT, overlay({ [RISK]: risk }), { today: TODAY });
    expect([...r.sources.keys()]).toEqual([ROOT, PAYMENTS, RISK]);
    for (const src of r.sources.values()) expect(src.data).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.file, d.line, d.column])).toEqual([[RISK, 11, 25]]);
  });

  it('names the included file for a duplicate across files, pointing back at the first declaration', () => {
    const risk = readFileSync(RISK, 'utf8')
      .replace('- name: risk.scores.v1', '- name: payments.orders.v1')
      .replace('stream: risk.scores.v1', 'stream: payments.orders.v1');
    const r = validateMesh(ROOT, overlay({ [RISK]: risk }), { today: TODAY });
    const dup = r.diagnostics.filter((d) => d.code === 'duplicate-stream');
    expect(dup.map((d) => [d.file, d.line, d.column])).toEqual([[RISK, 9, 15]]);
    expect(dup[0]?.message).toContain(`${PAYMENTS}:9`);
  });

  it('reports an include listed twice at the second entry', () => {
    const root = readFileSync(ROOT, 'utf8').replace(
      '  - domains/risk.yaml\n',
      '  - domains/risk.yaml\n  - ./domains/risk.yaml\n',
    );
    const r = validateMesh(ROOT, overlay({ [ROOT]: root }), { today: TODAY });
    expect(r.diagnostics.map((d) => [d.file, d.code, d.line, d.column])).toEqual([[ROOT, 'include-duplicate', 15, 5]]);
  });

  it('reports an unreadable included file at its include entry in the root file', () => {
    const reader: SourceReader = { read: (f) => (f === RISK ? new Error('permission denied') : fsReader.read(f)) };
    const r = validateMesh(ROOT, reader, { today: TODAY });
    expect(r.diagnostics.map((d) => [d.file, d.code, d.line, d.column, d.message])).toEqual([
      [ROOT, 'include-unreadable', 14, 5, `Cannot read ${RISK}: permission denied`],
    ]);
  });

  it('does not let a domain file include further files', () => {
    const payments = `include:\n  - risk.yaml\n${readFileSync(PAYMENTS, 'utf8')}`;
    const r = validateMesh(ROOT, overlay({ [PAYMENTS]: payments }), { today: TODAY });
    expect(r.diagnostics.map((d) => [d.file, d.code, d.line, d.column])).toEqual([
      [PAYMENTS, 'schema-unknown-key', 1, 1],
    ]);
  });
});

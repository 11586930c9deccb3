import { expect } from 'vitest';
import { validate } from '../../src/app/validate.js';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic.js';
import type { Mesh } from '../../src/core/model/types.js';
import type { Locator } from '../../src/core/source/locator.js';
import type { Rule } from '../../src/core/rules/index.js';
import { builtinRules } from '../../src/index.js';
import { memorySources } from '../support/app-ports.js';

/** The fixed day every rule test runs on. */
export const TODAY = '2026-06-01';

let pack: Rule[] | undefined;
/** The default pack, loaded once the way `meshgov validate` loads it (`builtinRules`), asserting it loads cleanly. */
export function defaultPack(): Rule[] {
  if (!pack) {
    const loaded = builtinRules();
    expect(loaded.diagnostics).toEqual([]);
    pack = loaded.value;
  }
  return pack;
}

export interface MeshParts {
  /** Extra stream items of the payments domain (6-space indented `- name: ...` blocks). */
  streams?: string;
  /** Top-level grant items (2-space indented `- id: ...` blocks). */
  grants?: string;
  /** A top-level `rules:` block, verbatim. */
  rules?: string;
  /** A top-level `waivers:` block, verbatim. */
  waivers?: string;
  /** Extra lines inside the payments domain (4-space indented), e.g. its `rules:`. */
  paymentsExtra?: string;
  organizationId?: boolean;
  paymentsDescription?: boolean;
  paymentsContact?: string;
}

/**
 * A small valid mesh that passes the default pack: domain payments (prod account 111111111111) with one stream,
 * domain risk (prod account 222222222222) with one stream; fragments are spliced in.
 */
export function meshYaml(p: MeshParts = {}): string {
  return [
    'apiVersion: meshgov/v1',
    'mesh:',
    '  name: test',
    '  region: eu-west-1',
    ...(p.organizationId === false ? [] : ['  organizationId: o-test123456']),
    '  governanceRole: { name: meshgov-governance }',
    'accounts:',
    '  - { id: "111111111111", alias: pay-prod, environment: prod }',
    '  - { id: "222222222222", alias: risk-prod, environment: prod }',
    '  - { id: "333333333333", alias: lab, environment: dev }',
    'classifications:',
    '  - { name: public, level: 0, retention: { minHours: 24, maxHours: 168 }, encryption: none }',
    '  - { name: internal, level: 1, retention: { minHours: 24, maxHours: 720 }, encryption: aws-managed }',
    '  - { name: confidential, level: 2, retention: { minHours: 24, maxHours: 720 }, encryption: customer-managed }',
    '  - { name: restricted, level: 3, retention: { minHours: 24, maxHours: 720 }, encryption: customer-managed }',
    'domains:',
    '  - name: payments',
    ...(p.paymentsDescription === false ? [] : ['    description: Payments.']),
    `    owner: { team: pay, contact: ${p.paymentsContact ?? 'pay@acme.example'} }`,
    '    accounts: ["111111111111"]',
    ...(p.paymentsExtra ? [p.paymentsExtra.replace(/\n$/, '')] : []),
    '    streams:',
    '      - name: payments.orders.v1',
    '        classification: internal',
    '        retentionHours: 48',
    '        capacity: { mode: on-demand }',
    '        schema: https://schemas.acme.example/orders.json',
    ...(p.streams ? [p.streams.replace(/\n$/, '')] : []),
    '  - name: risk',
    '    description: Risk.',
    '    owner: { team: risk, contact: "#risk-oncall" }',
    '    accounts: ["222222222222"]',
    '    streams:',
    '      - name: risk.scores.v1',
    '        classification: internal',
    '        retentionHours: 48',
    '        capacity: { mode: on-demand }',
    '        schema: https://schemas.acme.example/scores.json',
    ...(p.grants ? ['grants:', p.grants.replace(/\n$/, '')] : []),
    ...(p.rules ? [p.rules.replace(/\n$/, '')] : []),
    ...(p.waivers ? [p.waivers.replace(/\n$/, '')] : []),
    '',
  ].join('\n');
}

/** What `check` found: the diagnostics, the mesh when it loaded (and its locator), whether the verdict is valid. */
export interface Checked {
  diagnostics: Diagnostic[];
  mesh: Mesh | undefined;
  locator: Locator;
  ok: boolean;
}

/**
 * Validate a mesh text (as `mesh.yaml`) with the given rules (default pack) through the use case the CLI runs
 * (src/app/validate.ts `validate`), with in-memory sources, so the tests check what users get.
 */
export function check(text: string, rules: readonly Rule[] = defaultPack(), today = TODAY): Checked {
  const v = validate('mesh.yaml', { today }, memorySources({ 'mesh.yaml': text }, [...rules]));
  if (v.kind === 'usage') throw new Error(`validate refused the ask: ${v.message}`);
  return { diagnostics: v.diagnostics, mesh: v.mesh, locator: v.locator, ok: v.kind === 'valid' };
}

/**
 * The 1-based line:column of `token` on the first line of `text` containing `lineNeedle` (searched from the
 * first line containing `after`, when given). Computed from the fixture text, independently of the engine.
 */
export function position(text: string, lineNeedle: string, token: string = lineNeedle, after?: string): string {
  const lines = text.split('\n');
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
  if (start < 0) throw new Error(`fixture has no line containing ${JSON.stringify(after)}`);
  const i = lines.findIndex((l, n) => n >= start && l.includes(lineNeedle));
  if (i < 0) throw new Error(`fixture has no line containing ${JSON.stringify(lineNeedle)}`);
  const line = lines[i] as string;
  const col = line.indexOf(token, line.indexOf(lineNeedle));
  if (col < 0) throw new Error(`line ${i + 1} has no ${JSON.stringify(token)}`);
  return `${i + 1}:${col + 1}`;
}

export function where(d: Diagnostic): string {
  return `${d.line}:${d.column}`;
}

export function withCode(ds: readonly Diagnostic[], code: string): Diagnostic[] {
  return ds.filter((d) => d.code === code);
}

/**
 * `meshgov rules list` as text and JSON: the active guardrail rules (by id), then the audit checks (by id), each with
 * its kind. Pure renderers for the formatter registry (src/output/formats.ts).
 */
import { AUDIT_CHECKS } from '../core/audit/checks.js';
import type { AuditCheck } from '../core/audit/checks.js';
import type { Rule } from '../core/rules/index.js';
import { terminalInline } from './terminal.js';

/** A guardrail rule (validate, from a policy file) or an audit check (built in, reads the live mesh). */
export type Listed = { kind: 'rule'; rule: Rule } | { kind: 'audit'; check: AuditCheck };

/** The rules (by id), then the audit checks (by id): both kinds one `rules:` key and one waiver list configure. */
export function listed(rules: readonly Rule[]): Listed[] {
  return [
    ...rules.map((rule) => ({ kind: 'rule' as const, rule })),
    ...AUDIT_CHECKS.map((check) => ({ kind: 'audit' as const, check })),
  ];
}

export function listJson(rules: readonly Rule[]): string {
  const data = listed(rules).map((l) =>
    l.kind === 'audit'
      ? { id: l.check.id, kind: 'audit', title: l.check.title, severity: l.check.severity, helpUrl: l.check.helpUrl }
      : ruleJson(l.rule),
  );
  return `${JSON.stringify({ formatVersion: 1, rules: data }, null, 2)}\n`;
}

function ruleJson(r: Rule): Record<string, unknown> {
  return {
    id: r.id,
    kind: 'rule',
    title: r.title,
    description: r.description.trim(),
    severity: r.severity,
    appliesTo: r.appliesTo,
    ...(r.function !== undefined ? { function: r.function } : {}),
    params: Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, { ...p }])),
    ...(r.helpUrl !== undefined ? { helpUrl: r.helpUrl } : {}),
    file: r.file,
  };
}

/** Columns padded to the widest cell (header included), two spaces apart; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  );
}

export function listText(rules: readonly Rule[]): string {
  const rows = listed(rules).map((l) =>
    (l.kind === 'audit'
      ? [l.check.id, 'audit', l.check.severity, 'live', l.check.title]
      : [l.rule.id, 'rule', l.rule.severity, l.rule.appliesTo, l.rule.title]
    ).map(terminalInline),
  );
  const table = columns([['ID', 'KIND', 'SEVERITY', 'APPLIES', 'TITLE'], ...rows]);
  return `${table.join('\n')}\n${rules.length} rules and ${AUDIT_CHECKS.length} audit checks. \`meshgov rules explain ID\` for details.\n`;
}

import type { Command } from 'commander';
import { Option } from 'commander';
import { hasErrors } from '../../core/diagnostics/diagnostic.js';
import { didYouMeanSuffix } from '../../core/model/did-you-mean.js';
import { RULE_FUNCTIONS } from '../../core/rules/index.js';
import type { Rule } from '../../core/rules/index.js';
import { formatStylish } from '../../output/diagnostics/stylish.js';
import { terminalInline, terminalSafe } from '../../output/terminal.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { styleFor } from '../style.js';
import { loadPolicies } from '../validation.js';

const PLAIN = { ansi: false } as const;

interface RulesOptions {
  policies?: string;
}

function load(io: CliIO, opts: RulesOptions, setExit: (code: number) => void): Rule[] {
  const { rules, diagnostics } = loadPolicies(io, opts.policies === undefined ? {} : { policies: opts.policies });
  if (diagnostics.length > 0) io.stderr.write(formatStylish(diagnostics, styleFor(io, 'stderr')));
  setExit(hasErrors(diagnostics) ? EXIT_ERROR : EXIT_OK);
  return [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function listJson(rules: readonly Rule[]): string {
  const data = rules.map((r) => ({
    id: r.id, title: r.title, description: r.description.trim(), severity: r.severity, appliesTo: r.appliesTo,
    ...(r.function !== undefined ? { function: r.function } : {}),
    params: Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, { ...p }])),
    ...(r.helpUrl !== undefined ? { helpUrl: r.helpUrl } : {}),
    file: r.file,
  }));
  return `${JSON.stringify({ formatVersion: 1, rules: data }, null, 2)}\n`;
}

/** Columns padded to the widest cell (header included), two spaces apart; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}

function listText(rules: readonly Rule[]): string {
  const table = columns([['ID', 'SEVERITY', 'APPLIES', 'TITLE'], ...rules.map((r) => [r.id, r.severity, r.appliesTo, r.title].map(terminalInline))]);
  return `${table.join('\n')}\n${rules.length} rules. \`meshgov rules explain ID\` for details.\n`;
}

function explain(r: Rule): string {
  const out = [`${r.id}: ${r.title}`, '', r.description.trim(), '', `Severity:   ${r.severity} (the governance file may change it; domains may only raise it)`, `Applies to: ${r.appliesTo}`, `Defined in: ${r.file}`];
  if (r.selector) out.push('', 'Selector (JSON Schema the entity must match for the rule to apply):', JSON.stringify(r.selector, null, 2));
  if (r.requirement) out.push('', 'Requirement (JSON Schema the entity must satisfy):', JSON.stringify(r.requirement, null, 2));
  if (r.function) out.push('', `Function: ${r.function} — ${RULE_FUNCTIONS.get(r.function)?.description ?? ''}`);
  const params = Object.entries(r.params);
  if (params.length > 0) {
    out.push('', 'Parameters:');
    for (const [k, p] of params) {
      const dir = p.tighten === 'lower' ? 'lower is stricter' : p.tighten === 'higher' ? 'higher is stricter' : 'only the governance file may change it';
      out.push(`  ${k} (${p.type}, default ${JSON.stringify(p.default)}; ${dir})${p.description ? `: ${p.description}` : ''}`);
    }
  }
  out.push('', `Message: ${r.message}`);
  if (r.remediation) out.push(`Remediation: ${r.remediation}`);
  if (r.helpUrl) out.push(`Help: ${r.helpUrl}`);
  out.push('', `Configure it in mesh.yaml:\n  rules:\n    ${r.id}: { severity: warning${params.length > 0 ? `, params: { ${params[0]?.[0]}: ${JSON.stringify(params[0]?.[1].default)} }` : ''} }`);
  out.push(`Waive it for one entity:\n  waivers:\n    - { rule: ${r.id}, target: ${r.appliesTo === 'mesh' ? 'mesh' : `${r.appliesTo}/NAME`}, justification: "...", expires: YYYY-MM-DD }`);
  return `${out.join('\n')}\n`;
}

export function registerRules(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const rules = program.command('rules').description('Document the active guardrail rules (built-in policies/ plus your own).');
  rules
    .command('list')
    .description('List the active guardrail rules.')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--policies <dir>', 'additional directory of guardrail rule files')
    .action((opts: RulesOptions & { format: 'text' | 'json' }) => {
      const list = load(io, opts, setExit);
      io.stdout.write(opts.format === 'json' ? listJson(list) : listText(list));
    });
  rules
    .command('explain')
    .description('Explain one rule: what it checks, its parameters, how to configure or waive it.')
    .argument('<id>', 'rule id')
    .option('--policies <dir>', 'additional directory of guardrail rule files')
    .action((id: string, opts: RulesOptions) => {
      const list = load(io, opts, setExit);
      const rule = list.find((r) => r.id === id);
      if (!rule) throw new ExitError(`Unknown rule \`${id}\`.${didYouMeanSuffix(id, list.map((r) => r.id))} Run \`meshgov rules list\` for the active rules.`, EXIT_USAGE);
      // Rule files are input like the mesh: their texts reach the terminal only terminal-safe.
      io.stdout.write(terminalSafe(explain(rule), PLAIN));
    });
}

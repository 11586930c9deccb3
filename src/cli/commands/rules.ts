import type { Command } from 'commander';
import { hasErrors } from '../../core/diagnostics/diagnostic.js';
import { AUDIT_CHECKS } from '../../core/audit/checks.js';
import type { AuditCheck } from '../../core/audit/checks.js';
import { didYouMeanSuffix } from '../../core/model/did-you-mean.js';
import { RULE_FUNCTIONS } from '../../core/rules/index.js';
import type { Rule } from '../../core/rules/index.js';
import { formatStylish } from '../../output/diagnostics/stylish.js';
import { listed } from '../../output/rules.js';
import { terminalSafe } from '../../output/terminal.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { styleFor } from '../style.js';
import { formatContext, formatFor, formatOption, loadPolicies } from '../validation.js';

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

function explainCheck(c: AuditCheck): string {
  return `${[
    `${c.id}: ${c.title}`,
    '',
    'Kind:       audit (`meshgov audit` reports it from the live mesh)',
    `Severity:   ${c.severity} (the default; the governance file may change it, domains may only raise it)`,
    `Help:       ${c.helpUrl}`,
    '',
    `Configure it in mesh.yaml (the governance file, or a domain for its own streams):\n  rules:\n    ${c.id}: { severity: error }`,
    `Waive it for one entity:\n  waivers:\n    - { rule: ${c.id}, target: stream/NAME, justification: "...", expires: YYYY-MM-DD }`,
    'Targets: stream/NAME (the stream, its shards and consumers), consumer/STREAM/NAME, grant/ID, or mesh (findings',
    'about principals and undeclared streams). A waived finding stays in the JSON report under `waived`.',
  ].join('\n')}\n`;
}

function explain(r: Rule): string {
  const out = [
    `${r.id}: ${r.title}`,
    '',
    r.description.trim(),
    '',
    'Kind:       rule (`meshgov validate` checks it on the mesh files)',
    `Severity:   ${r.severity} (the governance file may change it; domains may only raise it)`,
    `Applies to: ${r.appliesTo}`,
    `Defined in: ${r.file}`,
  ];
  if (r.selector)
    out.push(
      '',
      'Selector (JSON Schema the entity must match for the rule to apply):',
      JSON.stringify(r.selector, null, 2),
    );
  if (r.requirement)
    out.push('', 'Requirement (JSON Schema the entity must satisfy):', JSON.stringify(r.requirement, null, 2));
  if (r.function) out.push('', `Function: ${r.function} — ${RULE_FUNCTIONS.get(r.function)?.description ?? ''}`);
  const params = Object.entries(r.params);
  if (params.length > 0) {
    out.push('', 'Parameters:');
    for (const [k, p] of params) {
      const dir =
        p.tighten === 'lower'
          ? 'lower is stricter'
          : p.tighten === 'higher'
            ? 'higher is stricter'
            : 'only the governance file may change it';
      out.push(
        `  ${k} (${p.type}, default ${JSON.stringify(p.default)}; ${dir})${p.description ? `: ${p.description}` : ''}`,
      );
    }
  }
  out.push('', `Message: ${r.message}`);
  if (r.remediation) out.push(`Remediation: ${r.remediation}`);
  if (r.helpUrl) out.push(`Help: ${r.helpUrl}`);
  out.push(
    '',
    `Configure it in mesh.yaml:\n  rules:\n    ${r.id}: { severity: warning${params.length > 0 ? `, params: { ${params[0]?.[0]}: ${JSON.stringify(params[0]?.[1].default)} }` : ''} }`,
  );
  out.push(
    `Waive it for one entity:\n  waivers:\n    - { rule: ${r.id}, target: ${r.appliesTo === 'mesh' ? 'mesh' : `${r.appliesTo}/NAME`}, justification: "...", expires: YYYY-MM-DD }`,
  );
  return `${out.join('\n')}\n`;
}

export function registerRules(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const rules = program
    .command('rules')
    .description('Document the active guardrail rules (built-in policies/ plus your own) and the audit checks.');
  rules
    .command('list')
    .description('List the active guardrail rules and the audit checks, with their kind.')
    .addOption(formatOption('rules'))
    .option('--policies <dir>', 'additional directory of guardrail rule files')
    .action((opts: RulesOptions & { format: string }) => {
      const list = load(io, opts, setExit);
      io.stdout.write(formatFor('rules', opts.format, list, formatContext(io)));
    });
  rules
    .command('explain')
    .description('Explain one rule or audit check: what it checks, its parameters, how to configure or waive it.')
    .argument('<id>', 'rule or audit check id')
    .option('--policies <dir>', 'additional directory of guardrail rule files')
    .action((id: string, opts: RulesOptions) => {
      const list = load(io, opts, setExit);
      const found = listed(list).find((l) => (l.kind === 'rule' ? l.rule.id : l.check.id) === id);
      if (!found) {
        const ids = [...list.map((r) => r.id), ...AUDIT_CHECKS.map((c) => c.id)];
        throw new ExitError(
          `Unknown rule or audit check \`${id}\`.${didYouMeanSuffix(id, ids)} Run \`meshgov rules list\` for the active rules and checks.`,
          EXIT_USAGE,
        );
      }
      // Rule files are input like the mesh: their texts reach the terminal only terminal-safe.
      io.stdout.write(terminalSafe(found.kind === 'rule' ? explain(found.rule) : explainCheck(found.check), PLAIN));
    });
}

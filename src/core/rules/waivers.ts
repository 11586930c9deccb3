/**
 * Waivers: an active waiver whose rule id and target address match a finding turns it into an info line that
 * carries the justification (`waivedBy`). Expired waivers are reported by the semantic check `waiver-expired`
 * and waive nothing; a waiver naming an unknown rule is an error at its `rule` key.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMeanSuffix } from '../model/did-you-mean.js';
import type { Mesh } from '../model/types.js';
import type { Locator } from '../source/locator.js';
import type { Rule } from './types.js';

export function applyWaivers(
  findings: readonly { diagnostic: Diagnostic; address: string }[],
  mesh: Mesh,
  rules: ReadonlyMap<string, Rule>,
  locator: Locator,
  today: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const active = new Map<string, string>();
  for (const w of mesh.waivers) {
    if (!rules.has(w.rule)) {
      out.push(locator.at(w.at, ['rule'], 'waiver-unknown-rule', 'error',
        `Waiver names rule \`${w.rule}\`, which is not a loaded guardrail rule.${didYouMeanSuffix(w.rule, rules.keys())} Run \`meshgov rules list\` for the active rules.`));
      continue;
    }
    if (w.expires >= today) active.set(`${w.rule}\u0000${w.target}`, w.justification);
  }
  for (const { diagnostic, address } of findings) {
    const justification = diagnostic.ruleId !== undefined ? active.get(`${diagnostic.ruleId}\u0000${address}`) : undefined;
    out.push(justification === undefined ? diagnostic : { ...diagnostic, severity: 'info', waivedBy: justification });
  }
  return out;
}

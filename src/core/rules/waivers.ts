/**
 * Waivers: an active waiver whose rule id and target address match a finding turns it into an info line that
 * carries the justification (`waivedBy`). Expired waivers are reported by the semantic check `waiver-expired`
 * and waive nothing; a waiver naming an id that is neither a loaded rule nor an audit check is an error at its
 * `rule` key. The audit applies the same waivers to its findings (activeWaivers).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { didYouMeanSuffix } from '../model/did-you-mean.js';
import type { Mesh, Waiver } from '../model/types.js';
import type { Locator } from '../source/locator.js';

/** Key of a waiver or finding: rule id and entity address. */
export function waiverKey(rule: string, target: string): string {
  return `${rule}\u0000${target}`;
}

/** The waivers in force on `today` (YYYY-MM-DD: a waiver expiring today still holds) whose rule is `known`, by key. */
export function activeWaivers(mesh: Mesh, today: string, known: (id: string) => boolean): Map<string, Waiver> {
  const active = new Map<string, Waiver>();
  for (const w of mesh.waivers) if (known(w.rule) && w.expires >= today) active.set(waiverKey(w.rule, w.target), w);
  return active;
}

/** `rules`: every id a waiver may name (guardrail rules and audit checks). */
export function applyWaivers(
  findings: readonly { diagnostic: Diagnostic; address: string }[],
  mesh: Mesh,
  rules: ReadonlyMap<string, unknown>,
  locator: Locator,
  today: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const w of mesh.waivers) {
    if (!rules.has(w.rule)) {
      out.push(
        locator.at(
          w.at,
          ['rule'],
          'waiver-unknown-rule',
          'error',
          `Waiver names rule \`${w.rule}\`, which is not a loaded guardrail rule or audit check.${didYouMeanSuffix(w.rule, rules.keys())} Run \`meshgov rules list\` for the active rules.`,
        ),
      );
    }
  }
  const active = activeWaivers(mesh, today, (id) => rules.has(id));
  for (const { diagnostic, address } of findings) {
    const justification =
      diagnostic.ruleId !== undefined ? active.get(waiverKey(diagnostic.ruleId, address))?.justification : undefined;
    out.push(justification === undefined ? diagnostic : { ...diagnostic, severity: 'info', waivedBy: justification });
  }
  return out;
}

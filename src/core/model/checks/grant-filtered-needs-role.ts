import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { CheckContext } from './context.js';

/**
 * A `filtered` grant's consumer is one Lambda function's event source mapping, and the function runs as its
 * execution role: render writes that role's identity policy and plan and audit check the mapping of that role's
 * function. A grant to a whole account (no `role`) would give every role there the stream with no mapping ever
 * checked, so the filters would guard nothing.
 */
export function checkGrantFilteredNeedsRole(ctx: CheckContext): Diagnostic[] {
  const { mesh, locator } = ctx;
  const out: Diagnostic[] = [];
  for (const g of mesh.grants) {
    if (g.pattern !== 'filtered' || g.principal.role !== undefined) continue;
    out.push(
      locator.at(
        g.at,
        ['principal'],
        'grant-filtered-needs-role',
        'error',
        `Grant \`${g.id}\` is \`filtered\` but names no \`role\`: it would give the whole account ` +
          `${g.principal.account} the stream and its event source mapping would never be checked. The mapping belongs ` +
          `to function \`${g.filter?.functionName ?? '(none)'}\`; name that function's execution role in ` +
          '`principal.role`.',
      ),
    );
  }
  return out;
}

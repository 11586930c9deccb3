/**
 * Grant principals that would break or blur the ABAC tag encoding `meshgov:<access>:<account>:<role>`:
 * - `root` is the encoding of a whole-account grant; IAM lets a role be called `root`, and such a role would inherit
 *   every whole-account grant of its account. IAM role names (and, in `aws:ResourceTag/<key>`, tag keys) compare
 *   case-insensitively, so `Root` and `ROOT` collide too.
 * - A role name becomes part of a tag key, so it must use only characters Kinesis accepts in tag keys; IAM role names
 *   may contain `,`, which Kinesis tag keys may not (docs/render.md, "Tag characters").
 * - Two spellings of one role in one account are one IAM role (names are case-insensitive) but two tag keys.
 * It also explains two grants that are valid but rarely mean what the author thinks (warnings).
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { WHOLE_ACCOUNT_ROLE, caseFold } from '../governance-tags.js';
import type { CheckContext } from './context.js';

/** Kinesis tag-key characters (letters, digits, whitespace, `_ . / = + - % @`, and `:`). IAM role names also allow `,`. */
const TAG_KEY_CHARS = /^[\p{L}\p{N}\s_.:/=+\-%@]*$/u;

export function checkGrantPrincipals(ctx: CheckContext): Diagnostic[] {
  const { mesh, locator } = ctx;
  const out: Diagnostic[] = [];
  const meshAccounts = new Set(mesh.accounts.map((a) => a.id));
  const streamAccount = new Map(mesh.streams.map((s) => [s.name, s.account]));
  const governance = caseFold(mesh.governanceRole.name);
  const readOnly =
    mesh.governanceRole.readOnlyName === undefined ? undefined : caseFold(mesh.governanceRole.readOnlyName);
  /** First spelling of each role per account (by folded name), to find case collisions. */
  const spellings = new Map<string, Map<string, string>>();
  // Roles repeat across grants: fold each spelling once (two new strings per grant of a large mesh otherwise).
  const foldedRoles = new Map<string, string>();
  for (const g of mesh.grants) {
    const role = g.principal.role;
    if (role === undefined) {
      if (streamAccount.get(g.stream) === g.principal.account) {
        out.push(
          locator.at(
            g.at,
            ['principal', 'account'],
            'grant-account-own-stream',
            'warning',
            `Grant \`${g.id}\` gives the whole account ${g.principal.account} access to \`${g.stream}\`, which lives in that same account. ` +
              'It adds no resource policy (same-account access is decided by identity policies) and meshgov writes no identity policy for a whole ' +
              'account, so it grants nothing by itself: any role there whose own policies allow Kinesis reads already has that access. Name the roles instead.',
          ),
        );
      }
      continue;
    }
    let folded = foldedRoles.get(role);
    if (folded === undefined) {
      folded = caseFold(role);
      foldedRoles.set(role, folded);
    }
    if (folded === WHOLE_ACCOUNT_ROLE) {
      out.push(
        locator.at(
          g.at,
          ['principal', 'role'],
          'grant-role-reserved-name',
          'error',
          `Grant \`${g.id}\` names a role called \`${role}\`. meshgov encodes a whole-account grant as the role \`root\` in its tag ` +
            `\`meshgov:${g.access}:${g.principal.account}:root\`, and IAM compares role names and tag keys without regard to case, so this role ` +
            'would receive every whole-account grant of its account. Rename the role, or grant the whole account by omitting `role`.',
        ),
      );
    }
    if (!TAG_KEY_CHARS.test(role)) {
      const bad = [...new Set([...role].filter((c) => !TAG_KEY_CHARS.test(c)))].map((c) => `\`${c}\``).join(', ');
      out.push(
        locator.at(
          g.at,
          ['principal', 'role'],
          'grant-role-tag-characters',
          'error',
          `Grant \`${g.id}\`: role name \`${role}\` contains ${bad}, which IAM allows in role names but Kinesis does not allow in tag keys; ` +
            `the grant tag \`meshgov:${g.access}:${g.principal.account}:${role}\` could not be set. Rename the role.`,
        ),
      );
    }
    let inAccount = spellings.get(g.principal.account);
    if (inAccount === undefined) {
      inAccount = new Map();
      spellings.set(g.principal.account, inAccount);
    }
    const first = inAccount.get(folded);
    if (first === undefined) inAccount.set(folded, role);
    else if (first !== role) {
      out.push(
        locator.at(
          g.at,
          ['principal', 'role'],
          'grant-role-case-conflict',
          'error',
          `Grant \`${g.id}\` spells role \`${role}\` in account ${g.principal.account}, another grant spells it \`${first}\`. IAM role names are ` +
            'case-insensitive, so both name one role, but they would become two different tags. Spell the role the same way everywhere.',
        ),
      );
    }
    if (meshAccounts.has(g.principal.account) && (folded === governance || folded === readOnly)) {
      const which = folded === governance ? 'governance role' : 'read-only governance role';
      out.push(
        locator.at(
          g.at,
          ['principal', 'role'],
          'grant-to-governance-role',
          'warning',
          `Grant \`${g.id}\` gives the ${which} \`${role}\` ${g.access} access to \`${g.stream}\`. That role administers the mesh and is exempt ` +
            'from the tag guard; giving it data access means whoever can assume it (CI pipelines) reads or writes data products. ' +
            'Grant a dedicated role instead, or waive this warning with a justification.',
        ),
      );
    }
  }
  return out;
}

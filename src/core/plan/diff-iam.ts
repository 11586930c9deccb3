/**
 * IAM role policies meshgov manages, desired vs live. Only role policies (artefacts with a role) are read back;
 * the guard SCP, event source mappings and trust policies are listed as not checked.
 */
import type { AccountId } from '../model/types.js';
import type { IamArtefact, PolicyDocument } from '../render/types.js';
import type { DraftChange } from './diff-stream.js';
import type { LiveRolePolicy } from './live.js';
import { foreignStatements, policiesEqual } from './policy-diff.js';

const ROLE_POLICY_KINDS = new Set<IamArtefact['kind']>(['identity-policy', 'governance-policy', 'fanout-policy']);

export function iamAddress(account: AccountId, role: string, policy: string): string {
  return `${account}/iam/role/${role}/policy/${policy}`;
}

function isPolicyDocument(d: IamArtefact['document']): d is PolicyDocument {
  return typeof d === 'object' && d !== null && 'Statement' in d && Array.isArray((d as PolicyDocument).Statement);
}

export function diffIam(account: AccountId, desired: readonly IamArtefact[], live: readonly LiveRolePolicy[] | undefined): { changes: DraftChange[]; notChecked: string[] } {
  const changes: DraftChange[] = [];
  const notChecked: string[] = [];
  const rolePolicies = desired.filter((a) => ROLE_POLICY_KINDS.has(a.kind) && a.roleName !== undefined && isPolicyDocument(a.document));
  const others = desired.filter((a) => !rolePolicies.includes(a));
  if (others.length) {
    const kinds = [...new Set(others.map((a) => a.kind))].sort();
    notChecked.push(`account ${account}: ${others.length} artefact(s) of kind ${kinds.join(', ')} are not read back by the plan`);
  }
  if (live === undefined) {
    if (rolePolicies.length) notChecked.push(`account ${account}: IAM was not read; ${rolePolicies.length} role polic${rolePolicies.length === 1 ? 'y was' : 'ies were'} not checked against a live service`);
    return { changes, notChecked };
  }
  const liveByKey = new Map(live.map((p) => [`${p.role}/${p.policyName}`, p]));
  const seen = new Set<string>();
  for (const a of rolePolicies) {
    const role = a.roleName as string;
    const key = `${role}/${a.name}`;
    seen.add(key);
    const doc = a.document as PolicyDocument;
    const lp = liveByKey.get(key);
    const base = { address: iamAddress(account, role, a.name), account, resourceType: 'iam-policy' as const };
    if (!lp) {
      changes.push({ ...base, action: 'create', risk: 'safe', before: null, after: { role, policyName: a.name, kind: a.kind, grantIds: a.grantIds, document: doc }, reasons: [`policy ${a.name} for role ${role} is rendered from grants ${a.grantIds.join(', ') || '(none)'} but not attached`] });
    } else if (!policiesEqual(lp.document, doc)) {
      const foreign = foreignStatements(lp.document, doc);
      changes.push({
        ...base, action: 'update', risk: foreign.length ? 'destructive' : 'safe', before: { document: lp.document }, after: { document: doc },
        reasons: ['the live policy differs from the rendered one', ...(foreign.length ? [`statements removed (may revoke access): ${foreign.join(', ')}`] : [])],
      });
    }
  }
  for (const lp of live) {
    const key = `${lp.role}/${lp.policyName}`;
    if (seen.has(key)) continue;
    changes.push({
      address: iamAddress(account, lp.role, lp.policyName), account, resourceType: 'iam-policy', action: 'delete', risk: 'destructive',
      before: { role: lp.role, policyName: lp.policyName, kind: lp.kind, document: lp.document }, after: null,
      reasons: ['a policy meshgov manages that no grant needs any more', 'removing it revokes the access it grants'],
    });
  }
  return { changes, notChecked };
}

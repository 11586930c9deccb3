/**
 * Which policies Access Analyzer checks: every rendered policy document of the plan's scope (identity, fanout,
 * governance, boundary and trust policies, the guard SCP, stream and consumer resource policies) with ValidatePolicy;
 * stream and consumer resource policies also with CheckNoPublicAccess; and each identity policy the plan updates
 * with CheckNoNewAccess against the live one. Event source mappings are no policies; the KMS key-policy statements
 * are advisory fragments for the key owner, not a policy meshgov renders whole, so neither is sent.
 */
import type { Change } from '../plan/types.js';
import { boundaryPolicyAddress, iamAddress } from '../plan/diff-iam.js';
import { streamAddressOf } from '../plan/diff-stream.js';
import type { DesiredState, IamArtefact, PolicyDocument } from '../render/types.js';
import type {
  AnalyzerPolicyType,
  AnalyzerRequest,
  CheckedPolicyKind,
  PolicyRef,
  ValidateResourceType,
} from './types.js';

const IDENTITY_KINDS = new Set<IamArtefact['kind']>([
  'identity-policy',
  'fanout-policy',
  'governance-policy',
  'permissions-boundary',
]);
/** Role policies: the plan addresses them by role. */
const ROLE_KINDS = new Set<IamArtefact['kind']>(['identity-policy', 'fanout-policy', 'governance-policy']);

function isPolicyDocument(d: unknown): d is PolicyDocument {
  return typeof d === 'object' && d !== null && Array.isArray((d as { Statement?: unknown }).Statement);
}

/** The text sent: compact JSON, so a finding's offset maps back to a statement (findings.ts). */
export function policyText(doc: unknown): string {
  return JSON.stringify(doc);
}

function artefactRef(a: IamArtefact): PolicyRef {
  const kind = a.kind as CheckedPolicyKind;
  if (ROLE_KINDS.has(a.kind) && a.roleName !== undefined) {
    return { kind, account: a.account, address: iamAddress(a.account, a.roleName, a.name) };
  }
  if (a.kind === 'permissions-boundary') {
    return { kind, account: a.account, address: boundaryPolicyAddress(a.account, a.name) };
  }
  if (a.kind === 'guard-scp') return { kind, account: a.account, address: `organization/${a.name}` };
  return { kind, account: a.account, address: `${a.account}/iam/${a.kind}/${a.name}` };
}

function artefactRequest(a: IamArtefact): AnalyzerRequest | undefined {
  if (!isPolicyDocument(a.document)) return undefined;
  let policyType: AnalyzerPolicyType;
  let resourceType: ValidateResourceType | undefined;
  if (IDENTITY_KINDS.has(a.kind)) policyType = 'IDENTITY_POLICY';
  else if (a.kind === 'guard-scp') policyType = 'SERVICE_CONTROL_POLICY';
  else if (a.kind === 'trust-policy') {
    policyType = 'RESOURCE_POLICY';
    resourceType = 'AWS::IAM::AssumeRolePolicyDocument';
  } else return undefined;
  return {
    check: 'validate-policy',
    policy: artefactRef(a),
    document: policyText(a.document),
    policyType,
    ...(resourceType !== undefined ? { resourceType } : {}),
  };
}

/** The requests for a (scoped) desired state and the plan's changes, in a stable order. */
export function analyzerRequests(desired: DesiredState, changes: readonly Change[]): AnalyzerRequest[] {
  const out: AnalyzerRequest[] = [];
  for (const acct of desired.accounts) {
    for (const s of acct.streams) {
      if (!s.resourcePolicy) continue;
      const address = `${streamAddressOf(acct.account, s.name)}/policy`;
      const policy: PolicyRef = { kind: 'stream-policy', account: acct.account, address };
      const document = policyText(s.resourcePolicy);
      out.push({ check: 'validate-policy', policy, document, policyType: 'RESOURCE_POLICY' });
      out.push({ check: 'no-public-access', policy, document, resourceType: 'AWS::Kinesis::Stream' });
    }
    for (const c of acct.consumers) {
      if (!c.resourcePolicy) continue;
      const address = `${streamAddressOf(acct.account, c.stream)}/consumer/${c.name}/policy`;
      const policy: PolicyRef = { kind: 'consumer-policy', account: acct.account, address };
      const document = policyText(c.resourcePolicy);
      out.push({ check: 'validate-policy', policy, document, policyType: 'RESOURCE_POLICY' });
      out.push({ check: 'no-public-access', policy, document, resourceType: 'AWS::Kinesis::StreamConsumer' });
    }
    for (const a of acct.iam) {
      const r = artefactRequest(a);
      if (r) out.push(r);
    }
  }
  const refs = new Map(
    desired.accounts
      .flatMap((a) => a.iam)
      .map(artefactRef)
      .map((r) => [r.address, r]),
  );
  for (const c of changes) {
    if (c.resourceType !== 'iam-policy' || c.action !== 'update' || !isPolicyDocument(c.before.document)) continue;
    const policy = refs.get(c.address) ?? { kind: 'identity-policy', account: c.account, address: c.address };
    out.push({
      check: 'no-new-access',
      policyType: 'IDENTITY_POLICY',
      document: policyText(c.after.document),
      existing: policyText(c.before.document),
      policy,
    });
  }
  return out;
}

/**
 * Drift as findings (pure): what the plan would change, phrased for an auditor. Deliberately independent of the
 * plan's diff module: a small comparison of DesiredState and LiveState per stream and consumer.
 */
import {
  FIXED_GOVERNANCE_KEYS,
  TAG_MESH,
  TAG_PREFIX,
  caseFold,
  isCaseVariantGovernanceKey,
} from '../model/governance-tags.js';
import { ALL_SHARD_METRICS } from '../plan/diff-stream.js';
import type { LiveConsumer, LiveStream } from '../plan/live.js';
import type { DesiredConsumer, DesiredStream, PolicyDocument } from '../render/types.js';
import type { AuditContext, CheckResult } from './context.js';
import { emptyResult, indexAudit, locationOf } from './context.js';
import type { AuditIndex } from './context.js';
import type { Finding } from './findings.js';
import { consumerResource, streamResource } from './findings.js';
import { policiesEquivalent } from '../policy/index.js';

export const DRIFT_CHECKS = [
  'stream-missing',
  'stream-undeclared',
  'retention-drift',
  'retention-out-of-policy',
  'encryption-drift',
  'capacity-drift',
  'enhanced-monitoring-drift',
  'governance-tag-drift',
  'tag-drift',
  'resource-policy-drift',
  'consumer-missing',
] as const;

const PLAN_FIX =
  'Run `meshgov plan` to review the repair and `meshgov apply` to converge; or change mesh.yaml if the live value is intended.';

/** KMS key ids compare equal when one is the other's suffix (`alias/x` vs `arn:...:alias/x`, key id vs key ARN). */
function sameKey(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.endsWith(`/${b}`) || b.endsWith(`/${a}`) || a.endsWith(`:${b}`) || b.endsWith(`:${a}`);
}

/** `ALL` and the full list of seven are the same setting. */
function normaliseMetrics(metrics: readonly string[]): string[] {
  const set = new Set(metrics.includes('ALL') ? ALL_SHARD_METRICS : metrics);
  return ALL_SHARD_METRICS.every((m) => set.has(m)) ? ['ALL'] : [...set].sort();
}

function isGrantTag(key: string): boolean {
  return key.startsWith(`${TAG_PREFIX}produce:`) || key.startsWith(`${TAG_PREFIX}consume:`);
}

/**
 * Tags whose key IAM takes for a `meshgov:` key (condition-key names, and with them the tag key in
 * `aws:ResourceTag/<key>`, are matched case-insensitively) but that are not spelled exactly so: nobody but a
 * tamperer sets them, and a grant-shaped one gives its principal the access of a grant.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 */
function tamperedKeysFinding(
  resource: string,
  account: string,
  what: string,
  keys: readonly string[],
  live: Record<string, string>,
): Finding {
  return {
    code: 'tag-tampering',
    severity: 'error',
    resource,
    account,
    subject: 'tag keys',
    message: `${what} carries ${keys.length} tag(s) that IAM reads as meshgov governance tags but that are not meshgov's spelling: ${keys.join(', ')}`,
    evidence: { tags: keys.map((k) => ({ key: k, value: live[k] ?? '', readByIamAs: caseFold(k) })) },
    remediation:
      'A case variant of a meshgov key (e.g. MESHGOV:CONSUME:<account>:<role>) acts as that key in ABAC conditions: it can ' +
      'give a role access no grant declares. Find who set it (CloudTrail TagResource/AddTagsToStream), attach the tag-tampering guard, ' +
      'then run `meshgov plan` (it removes the tag, marked destructive because it may revoke access) and `meshgov apply --allow-destructive`.',
  };
}

function tagFindings(
  ctx: AuditContext,
  resource: string,
  account: string,
  desired: Record<string, string>,
  live: Record<string, string>,
  what: string,
): Finding[] {
  const fixed = new Set<string>(FIXED_GOVERNANCE_KEYS);
  const govMissing: string[] = [];
  const govChanged: { key: string; declared: string; live: string }[] = [];
  const grantMissing: string[] = [];
  const userDiff: { key: string; declared: string; live: string | null }[] = [];
  for (const [k, v] of Object.entries(desired)) {
    const lv = live[k];
    if (lv === v) continue;
    if (fixed.has(k)) {
      if (lv === undefined) govMissing.push(k);
      else govChanged.push({ key: k, declared: v, live: lv });
    } else if (isGrantTag(k)) {
      if (lv === undefined) grantMissing.push(k);
      else govChanged.push({ key: k, declared: v, live: lv });
    } else {
      userDiff.push({ key: k, declared: v, live: lv ?? null });
    }
  }
  const tampered = Object.keys(live).filter(isCaseVariantGovernanceKey).sort();
  const extraGrant = Object.keys(live)
    .filter((k) => isGrantTag(k) && !(k in desired))
    .sort();
  const extraGov = Object.keys(live)
    .filter((k) => k.startsWith(TAG_PREFIX) && !isGrantTag(k) && !(k in desired))
    .sort();
  const findings: Finding[] = [];
  if (tampered.length > 0) findings.push(tamperedKeysFinding(resource, account, what, tampered, live));
  if (govMissing.length + govChanged.length + extraGrant.length + extraGov.length > 0) {
    findings.push({
      code: 'governance-tag-drift',
      severity: 'error',
      resource,
      account,
      subject: 'governance tags',
      message: `Governance tags of ${what} differ from the mesh`,
      evidence: {
        missing: govMissing.sort(),
        changed: govChanged,
        undeclaredGrantTags: extraGrant,
        undeclaredGovernanceTags: extraGov,
      },
      remediation:
        'With ABAC the tags are the access control: an undeclared grant tag gives access nobody approved, a changed ' +
        'governance tag moves the stream out of its policies. Find who changed them (CloudTrail TagResource/AddTagsToStream), ' +
        `make sure the tag-tampering guard is attached, then apply. ${PLAN_FIX}`,
    });
  }
  if (grantMissing.length > 0) {
    findings.push({
      code: 'governance-tag-drift',
      severity: 'warning',
      resource,
      account,
      subject: 'missing grant tags',
      message: `Grant tags of ${what} are missing: granted principals cannot use their access`,
      evidence: { missingGrantTags: grantMissing.sort() },
      remediation: PLAN_FIX,
    });
  }
  if (userDiff.length > 0) {
    findings.push({
      code: 'tag-drift',
      severity: 'info',
      resource,
      account,
      message: `Tags of ${what} differ from the mesh`,
      evidence: { differences: userDiff.sort((a, b) => (a.key < b.key ? -1 : 1)) },
      remediation: PLAN_FIX,
    });
  }
  return findings;
}

function policyFinding(
  resource: string,
  account: string,
  what: string,
  desired: PolicyDocument | undefined,
  live: unknown,
  partition: string,
): Finding[] {
  // The one policy equivalence, which the plan uses too: audit reports drift exactly when the plan has a change.
  if (policiesEquivalent(desired, live, { partition })) return [];
  return [
    {
      code: 'resource-policy-drift',
      severity: 'warning',
      resource,
      account,
      message: `The resource policy of ${what} is not the one the mesh renders`,
      evidence: { declared: desired ?? null, live: live ?? null },
      remediation:
        'meshgov owns the whole resource policy of a managed stream or consumer (PutResourcePolicy replaces it whole). ' +
        `Statements added by hand are lost on the next apply: declare them as grants. ${PLAN_FIX}`,
      help: 'https://docs.aws.amazon.com/streams/latest/dev/resource-based-policies.html',
    },
  ];
}

function streamDrift(ctx: AuditContext, ix: AuditIndex, d: DesiredStream, live: LiveStream): Finding[] {
  const declared = ix.meshStream(d.account, d.name);
  const at = (sub: (string | number)[]) => locationOf(ctx, declared?.at, sub);
  const resource = streamResource(d.account, d.name);
  const findings: Finding[] = [];
  const cls = declared ? ctx.mesh.classifications.find((c) => c.name === declared.classification) : undefined;
  if (cls && (live.retentionHours < cls.minRetentionHours || live.retentionHours > cls.maxRetentionHours)) {
    findings.push({
      code: 'retention-out-of-policy',
      severity: 'error',
      resource,
      account: d.account,
      message: `${d.name} keeps data ${live.retentionHours} h, outside the ${cls.name} classification's ${cls.minRetentionHours}–${cls.maxRetentionHours} h`,
      evidence: {
        liveHours: live.retentionHours,
        declaredHours: d.retentionHours,
        classification: cls.name,
        minHours: cls.minRetentionHours,
        maxHours: cls.maxRetentionHours,
      },
      remediation: `Restore the declared retention (${d.retentionHours} h). ${PLAN_FIX}`,
      help: 'https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html',
      ...at(['retentionHours']),
    });
  } else if (live.retentionHours !== d.retentionHours) {
    findings.push({
      code: 'retention-drift',
      severity: 'warning',
      resource,
      account: d.account,
      message: `${d.name} keeps data ${live.retentionHours} h; the mesh declares ${d.retentionHours} h`,
      evidence: {
        liveHours: live.retentionHours,
        declaredHours: d.retentionHours,
        ...(cls ? { classification: cls.name, minHours: cls.minRetentionHours, maxHours: cls.maxRetentionHours } : {}),
      },
      remediation: PLAN_FIX,
      ...at(['retentionHours']),
    });
  }
  if (d.encryption.type === 'KMS' && live.encryption.type !== 'KMS') {
    findings.push({
      code: 'encryption-drift',
      severity: 'error',
      resource,
      account: d.account,
      message: `${d.name} is not encrypted; the mesh requires KMS encryption`,
      evidence: { live: live.encryption, declared: d.encryption },
      remediation: `Start server-side encryption (StartStreamEncryption) with the declared key. ${PLAN_FIX}`,
      help: 'https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html',
      ...at(['encryption']),
    });
  } else if (
    d.encryption.type === 'KMS' &&
    !sameKey(d.encryption.keyId ?? 'alias/aws/kinesis', live.encryption.keyId)
  ) {
    findings.push({
      code: 'encryption-drift',
      severity: 'warning',
      resource,
      account: d.account,
      message: `${d.name} is encrypted with a different KMS key than declared`,
      evidence: { live: live.encryption, declared: d.encryption },
      remediation: PLAN_FIX,
      ...at(['encryption']),
    });
  } else if (d.encryption.type === 'NONE' && live.encryption.type === 'KMS') {
    findings.push({
      code: 'encryption-drift',
      severity: 'info',
      resource,
      account: d.account,
      message: `${d.name} is encrypted although the mesh declares no encryption`,
      evidence: { live: live.encryption, declared: d.encryption },
      remediation: 'Declare the encryption in mesh.yaml so the next apply does not stop it.',
      ...at(['encryption']),
    });
  }
  const capacity = capacityDrift(d, live);
  if (capacity) findings.push({ ...capacity, ...at(['capacity']) });
  const liveMetrics = normaliseMetrics(live.enhancedMonitoring);
  const declaredMetrics = normaliseMetrics(d.enhancedMonitoring);
  if (liveMetrics.join(',') !== declaredMetrics.join(',')) {
    findings.push({
      code: 'enhanced-monitoring-drift',
      severity: 'info',
      resource,
      account: d.account,
      message: `Shard-level metrics of ${d.name} differ from the mesh`,
      evidence: { live: liveMetrics, declared: declaredMetrics },
      remediation: PLAN_FIX,
      ...at(['enhancedMonitoring']),
    });
  }
  findings.push(
    ...tagFindings(ctx, resource, d.account, d.tags, live.tags, d.name).map((f) => ({ ...f, ...at(['tags']) })),
  );
  findings.push(
    ...policyFinding(resource, d.account, d.name, d.resourcePolicy, live.resourcePolicy, ctx.desired.partition).map(
      (f) => ({ ...f, ...at([]) }),
    ),
  );
  return findings;
}

function capacityDrift(d: DesiredStream, live: LiveStream): Omit<Finding, 'location'> | undefined {
  const base = {
    code: 'capacity-drift',
    resource: streamResource(d.account, d.name),
    account: d.account,
    remediation: PLAN_FIX,
  } as const;
  if (d.mode !== live.mode) {
    return {
      ...base,
      severity: 'warning',
      message: `${d.name} runs ${live.mode}; the mesh declares ${d.mode}`,
      evidence: { liveMode: live.mode, declaredMode: d.mode, liveShards: live.shards },
    };
  }
  if (d.mode !== 'PROVISIONED' || d.shards === undefined) return undefined;
  if (d.autoscaling) {
    if (live.shards >= d.autoscaling.min && live.shards <= d.autoscaling.max) return undefined;
    return {
      ...base,
      severity: 'warning',
      message: `${d.name} has ${live.shards} shards, outside its autoscaling range ${d.autoscaling.min}–${d.autoscaling.max}`,
      evidence: { liveShards: live.shards, declaredShards: d.shards, autoscaling: d.autoscaling },
    };
  }
  if (live.shards === d.shards) return undefined;
  return {
    ...base,
    severity: 'warning',
    message: `${d.name} has ${live.shards} shards; the mesh declares ${d.shards}`,
    evidence: { liveShards: live.shards, declaredShards: d.shards },
  };
}

function consumerDrift(
  ctx: AuditContext,
  ix: AuditIndex,
  c: DesiredConsumer,
  live: LiveConsumer | undefined,
): Finding[] {
  const resource = consumerResource(c.account, c.stream, c.name);
  const grant = ix.grant(c.grantId);
  const at = locationOf(ctx, grant?.at);
  if (!live) {
    return [
      {
        code: 'consumer-missing',
        severity: 'warning',
        resource,
        account: c.account,
        message: `Enhanced fan-out consumer ${c.name} of ${c.stream} is not registered`,
        evidence: { grant: c.grantId, stream: c.stream, consumer: c.name },
        remediation: `The grantee cannot subscribe until the consumer exists. ${PLAN_FIX}`,
        ...at,
      },
    ];
  }
  return [
    ...tagFindings(ctx, resource, c.account, c.tags, live.tags, `consumer ${c.name} of ${c.stream}`),
    ...policyFinding(
      resource,
      c.account,
      `consumer ${c.name} of ${c.stream}`,
      c.resourcePolicy,
      live.resourcePolicy,
      ctx.desired.partition,
    ),
  ].map((f) => ({ ...f, ...at }));
}

/** Configuration drift between the rendered desired state and the live state. */
export function driftChecks(ctx: AuditContext): CheckResult {
  const result = emptyResult();
  result.checksRun.push(...DRIFT_CHECKS);
  const ix = indexAudit(ctx);
  for (const account of ctx.desired.accounts) {
    for (const d of account.streams) {
      const live = ix.liveStream(d.account, d.name);
      if (!live) {
        const declared = ix.meshStream(d.account, d.name);
        result.findings.push({
          code: 'stream-missing',
          severity: 'error',
          resource: streamResource(d.account, d.name),
          account: d.account,
          message: `Stream ${d.name} is declared but does not exist in account ${d.account}`,
          evidence: { account: d.account, region: ctx.live.region },
          remediation: `Producers and consumers of this data product fail. ${PLAN_FIX}`,
          ...locationOf(ctx, declared?.at),
        });
        continue;
      }
      result.findings.push(...streamDrift(ctx, ix, d, live));
    }
    for (const c of account.consumers) {
      const liveStream = ix.liveStream(c.account, c.stream);
      if (!liveStream) continue; // stream-missing already says it
      result.findings.push(
        ...consumerDrift(
          ctx,
          ix,
          c,
          liveStream.consumers.find((x) => x.name === c.name),
        ),
      );
    }
  }
  for (const account of ctx.live.accounts) {
    for (const s of account.streams) {
      if (s.tags[TAG_MESH] !== ctx.mesh.name || ix.meshStream(account.account, s.name)) continue;
      result.findings.push({
        code: 'stream-undeclared',
        severity: 'warning',
        resource: streamResource(account.account, s.name),
        account: account.account,
        message: `Stream ${s.name} is tagged as part of mesh ${ctx.mesh.name} but not declared`,
        evidence: { tags: s.tags, status: s.status },
        remediation:
          'Declare the stream in mesh.yaml (`meshgov import` adopts it), or remove its meshgov tags if it is not a data product.',
      });
    }
  }
  return result;
}

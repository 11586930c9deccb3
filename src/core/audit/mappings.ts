/**
 * Filtered consumers end to end (pure): each filtered grant's Lambda event source mapping must exist in the
 * grantee's account, invoke the declared function, read the declared stream (through the declared EFO consumer when
 * the grant names one), and carry the declared filter criteria
 * (core/plan/mapping-compare.ts). A mapping of the same function on the same stream without filters receives every
 * record: the grant's row-level rules are bypassed. Accounts whose mappings could not be read make the checks
 * "not run" there, never clean.
 */
import { mappingAddress } from '../plan/diff-mapping.js';
import { bypassWhat, compareMapping, declaredSource, mappingEvidence } from '../plan/mapping-compare.js';
import type { MappingComparison } from '../plan/mapping-compare.js';
import type { DesiredEventSourceMapping } from '../render/types.js';
import type { AuditContext, AuditIndex, CheckResult } from './context.js';
import { emptyResult, indexAudit, locationOf } from './context.js';
import type { Finding } from './findings.js';

export const MAPPING_CHECKS = ['filter-bypassed', 'filter-mapping-drift', 'filter-mapping-missing'] as const;

function declared(d: DesiredEventSourceMapping): Record<string, unknown> {
  return {
    grant: d.grantId,
    function: d.functionArn,
    eventSourceArn: d.eventSourceArn,
    ...(d.consumer !== undefined ? { consumer: d.consumer } : {}),
    startingPosition: d.startingPosition,
    ...(d.batchSize !== undefined ? { batchSize: d.batchSize } : {}),
    filterPatterns: d.patterns,
  };
}

function fix(d: DesiredEventSourceMapping): string {
  return d.manage
    ? '`meshgov apply` creates or updates it (the grant sets `filter.manageMapping: true`).'
    : `The consuming team owns function ${d.functionName}: they fix the mapping, or the grant sets ` +
        '`filter.manageMapping: true` so that `meshgov apply` does.';
}

function findingsOf(ctx: AuditContext, index: AuditIndex, c: MappingComparison): Finding[] {
  const d = c.desired;
  const grant = index.grant(d.grantId);
  const base = {
    resource: `mesh/grant/${d.grantId}`,
    account: d.account,
    help: 'https://github.com/meshgov/meshgov/blob/main/docs/audit.md#filtered-consumers',
    ...locationOf(ctx, grant?.at, ['filter']),
  };
  const out: Finding[] = [];
  if (c.status === 'missing') {
    out.push({
      ...base,
      code: 'filter-mapping-missing',
      severity: 'warning',
      subject: mappingAddress(d.account, d.grantId),
      message:
        `No event source mapping of function ${d.functionName} reads ${d.stream}` +
        `${d.consumer !== undefined ? ` through consumer ${d.consumer}` : ''} (grant ${d.grantId})`,
      evidence: { declared: declared(d) },
      remediation: `Create the mapping with the grant's filter criteria. ${fix(d)}`,
    });
  }
  // A mapping without any filter is reported once, as a bypass below.
  if (c.status === 'drift' && c.mapping !== undefined && !c.bypasses.includes(c.mapping)) {
    out.push({
      ...base,
      code: 'filter-mapping-drift',
      severity: 'error',
      subject: c.mapping.uuid,
      message:
        c.source === false
          ? `Mapping ${c.mapping.uuid} (function ${d.functionName}) ${c.differences[0] ?? ''} of grant ${d.grantId}`
          : `The filter criteria of mapping ${c.mapping.uuid} (function ${d.functionName}) ` +
            `differ from grant ${d.grantId}`,
      evidence: {
        declared: declared(d),
        live: mappingEvidence(c.mapping),
        ...(c.patterns ? { patterns: c.patterns } : {}),
        differences: c.differences,
      },
      remediation:
        c.source === false
          ? `A mapping's source cannot change: create one on ${declaredSource(d)} with the grant's filter criteria ` +
            `and delete mapping ${c.mapping.uuid}. ${fix(d)}`
          : `Set the mapping's filter criteria to the grant's. ${fix(d)}`,
    });
  }
  for (const b of c.bypasses) {
    out.push({
      ...base,
      code: 'filter-bypassed',
      severity: 'error',
      subject: b.uuid,
      message: `Mapping ${b.uuid} of function ${d.functionName} reads ${d.stream} ${bypassWhat(b, d.grantId)}`,
      evidence: { declared: declared(d), live: mappingEvidence(b) },
      remediation:
        `Delete mapping ${b.uuid} (meshgov never deletes a mapping it did not create), or give it the grant's filter ` +
        `criteria. ${fix(d)}`,
    });
  }
  return out;
}

/** `filter-mapping-missing`, `filter-mapping-drift` and `filter-bypassed` findings. */
export function mappingChecks(ctx: AuditContext): CheckResult {
  const result = emptyResult();
  const index = indexAudit(ctx);
  const notRead: string[] = [];
  let read = 0;
  const seen = new Set<string>();
  for (const a of ctx.desired.accounts) {
    if (seen.has(a.account)) continue;
    seen.add(a.account);
    const mappings = a.mappings ?? [];
    if (mappings.length === 0) continue;
    const lambda = ctx.live.accounts.find((l) => l.account === a.account)?.lambda;
    if (lambda === undefined || lambda.status === 'not-read') {
      notRead.push(`${a.account} (${lambda === undefined ? 'Lambda was not read' : lambda.reason})`);
      continue;
    }
    read++;
    const listed = new Set(lambda.sources);
    for (const d of mappings) {
      if (!listed.has(d.eventSourceArn)) {
        notRead.push(`${a.account} (the mappings of ${d.eventSourceArn} were not listed)`);
        continue;
      }
      result.findings.push(...findingsOf(ctx, index, compareMapping(d, lambda.mappings)));
    }
  }
  if (notRead.length > 0) {
    const reason = `event source mappings were not read in account(s) ${notRead.join(', ')}`;
    for (const check of MAPPING_CHECKS) result.checksNotRun.push({ check, reason });
  }
  // Ran where something was read, or trivially when no grant is filtered.
  if (read > 0 || notRead.length === 0) result.checksRun.push(...MAPPING_CHECKS);
  return result;
}

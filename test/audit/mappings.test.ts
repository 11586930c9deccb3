/**
 * filter-mapping-missing / filter-mapping-drift / filter-bypassed: non-compliant and compliant cases, "not run" when
 * the mappings were not read, and waivers and severity settings like every other audit check.
 */
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/core/audit/audit.js';
import { AUDIT_CHECK_BY_ID } from '../../src/core/audit/checks.js';
import { mappingChecks } from '../../src/core/audit/mappings.js';
import type { Grant } from '../../src/core/model/types.js';
import type { LiveEventSourceMapping, LiveLambda } from '../../src/core/plan/live.js';
import type { DesiredEventSourceMapping } from '../../src/core/render/types.js';
import { B, ORDERS_ARN, REGION, TODAY, world } from './builders.js';

const FN_ARN = `arn:aws:lambda:${REGION}:${B}:function:order-alerts`;
const GRANT_ID = 'alerts-filter-orders';

function setup(lambda: LiveLambda | undefined, manage = false, consumer?: string) {
  const w = world();
  const grant: Grant = {
    id: GRANT_ID,
    stream: 'orders',
    principal: { kind: 'role', account: B, role: 'alerts', path: '/', external: false },
    access: 'consume',
    pattern: 'filtered',
    filter: {
      functionName: 'order-alerts',
      patterns: [{ data: { type: ['order'] } }],
      maxFilters: 5,
      startingPosition: 'LATEST',
      manageMapping: manage,
    },
    at: { file: 'mesh.yaml', path: ['grants', 9] },
    ...(consumer !== undefined ? { consumerName: consumer } : {}),
  };
  w.mesh.grants.push(grant);
  const d: DesiredEventSourceMapping = {
    grantId: GRANT_ID,
    account: B,
    streamAccount: '111111111111',
    stream: 'orders',
    functionName: 'order-alerts',
    functionArn: FN_ARN,
    eventSourceArn: ORDERS_ARN,
    startingPosition: 'LATEST',
    patterns: ['{"data":{"type":["order"]}}'],
    manage,
    ...(consumer !== undefined ? { consumer } : {}),
  };
  const desiredB = w.desired.accounts.find((a) => a.account === B);
  if (desiredB) desiredB.mappings = [d];
  const liveB = w.live.accounts.find((a) => a.account === B);
  if (liveB && lambda) liveB.lambda = lambda;
  return w;
}

function m(o: Partial<LiveEventSourceMapping> = {}): LiveEventSourceMapping {
  return {
    uuid: 'u-1',
    functionArn: FN_ARN,
    eventSourceArn: ORDERS_ARN,
    filterPatterns: ['{"data": {"type": ["order"]}}'],
    startingPosition: 'LATEST',
    batchSize: 100,
    state: 'Enabled',
    ...o,
  };
}

const read = (mappings: LiveEventSourceMapping[]): LiveLambda => ({ status: 'read', sources: [ORDERS_ARN], mappings });
const ids = (w: ReturnType<typeof setup>) => mappingChecks(w.ctx).findings.map((f) => `${f.code} ${f.subject}`);

describe('a filtered grant that reads through its own EFO consumer', () => {
  const CONSUMER_ARN = `${ORDERS_ARN}/consumer/order-alerts-efo:1764547100`;
  const readBoth = (mappings: LiveEventSourceMapping[]): LiveLambda => ({
    status: 'read',
    sources: [ORDERS_ARN, CONSUMER_ARN],
    mappings,
  });
  const efo = (mappings: LiveEventSourceMapping[]) => setup(readBoth(mappings), false, 'order-alerts-efo');

  it('compliant: the mapping reads the declared consumer', () => {
    expect(ids(efo([m({ eventSourceArn: CONSUMER_ARN })]))).toEqual([]);
  });

  it('filter-mapping-drift: the mapping reads the stream, not the declared consumer', () => {
    const [f, ...rest] = mappingChecks(efo([m()]).ctx).findings;
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      code: 'filter-mapping-drift',
      severity: 'error',
      subject: 'u-1',
      message:
        'Mapping u-1 (function order-alerts) reads the stream, not the declared consumer order-alerts-efo ' +
        `of grant ${GRANT_ID}`,
      evidence: {
        declared: { eventSourceArn: ORDERS_ARN, consumer: 'order-alerts-efo' },
        live: { eventSourceArn: ORDERS_ARN },
        differences: ['reads the stream, not the declared consumer order-alerts-efo'],
      },
    });
    expect(f?.remediation).toContain(`create one on consumer order-alerts-efo of ${ORDERS_ARN}`);
  });

  it('filter-bypassed: an unfiltered mapping on the stream or on the consumer', () => {
    expect(ids(efo([m({ eventSourceArn: CONSUMER_ARN }), m({ uuid: 'bare', filterPatterns: [] })]))).toEqual([
      'filter-bypassed bare',
    ]);
    expect(ids(efo([m({ eventSourceArn: CONSUMER_ARN, filterPatterns: [] })]))).toEqual(['filter-bypassed u-1']);
  });

  it('filter-mapping-missing names the consumer', () => {
    const [f] = mappingChecks(efo([]).ctx).findings;
    expect(f?.code).toBe('filter-mapping-missing');
    expect(f?.message).toContain('reads orders through consumer order-alerts-efo');
  });
});

describe('filtered consumers audit', () => {
  it('compliant: the mapping exists with the declared filters (other whitespace): no finding, checks ran', () => {
    const r = mappingChecks(setup(read([m()])).ctx);
    expect(r.findings).toEqual([]);
    expect(r.checksRun).toEqual(['filter-bypassed', 'filter-mapping-drift', 'filter-mapping-missing']);
    expect(r.checksNotRun).toEqual([]);
  });

  it('filter-mapping-missing: no mapping of the function on the stream', () => {
    const w = setup(read([m({ functionArn: `${FN_ARN}-v2` })]));
    const [f] = mappingChecks(w.ctx).findings;
    expect(f).toMatchObject({
      code: 'filter-mapping-missing',
      severity: 'warning',
      resource: `mesh/grant/${GRANT_ID}`,
      account: B,
      evidence: { declared: { function: FN_ARN, eventSourceArn: ORDERS_ARN, startingPosition: 'LATEST' } },
    });
    expect(f?.remediation).toContain('filter.manageMapping: true');
  });

  it('filter-mapping-drift: other filters, with the live position and batch settings and the pattern diff', () => {
    const w = setup(read([m({ filterPatterns: ['{"data":{"type":["refund"]}}'] })]));
    const [f] = mappingChecks(w.ctx).findings;
    expect(f).toMatchObject({
      code: 'filter-mapping-drift',
      severity: 'error',
      subject: 'u-1',
      evidence: {
        live: { uuid: 'u-1', startingPosition: 'LATEST', batchSize: 100, state: 'Enabled' },
        patterns: { missing: ['{"data":{"type":["order"]}}'], extra: ['{"data":{"type":["refund"]}}'] },
      },
    });
  });

  it('an unparsable live pattern is drift, not a crash', () => {
    const w = setup(read([m({ filterPatterns: ['{"data":'] })]));
    expect(ids(w)).toEqual(['filter-mapping-drift u-1']);
  });

  it('filter-bypassed: an unfiltered mapping of the function on the stream, once (not also as drift)', () => {
    expect(ids(setup(read([m({ filterPatterns: [] })])))).toEqual(['filter-bypassed u-1']);
    expect(ids(setup(read([m(), m({ uuid: 'bare', filterPatterns: [] })])))).toEqual(['filter-bypassed bare']);
  });

  it('an unfiltered mapping of another function is not a bypass of this grant', () => {
    const other = m({
      uuid: 'x',
      functionArn: `arn:aws:lambda:${REGION}:${B}:function:audit-sink`,
      filterPatterns: [],
    });
    expect(ids(setup(read([m(), other])))).toEqual([]);
  });

  it('mappings not read (local target, access denied): the checks are not run for the account, not clean', () => {
    for (const lambda of [{ status: 'not-read', reason: 'AccessDeniedException' } as const, undefined]) {
      const r = mappingChecks(setup(lambda).ctx);
      expect(r.findings).toEqual([]);
      expect(r.checksRun).toEqual([]);
      expect(r.checksNotRun.map((c) => c.check)).toEqual([
        'filter-bypassed',
        'filter-mapping-drift',
        'filter-mapping-missing',
      ]);
      expect(r.checksNotRun[0]?.reason).toContain(B);
    }
  });

  it('a Lambda failure other than 403 (5xx, looping marker): the checks are not run there, with the reason', () => {
    // The reason as the Lambda reader gives it (test/adapters/lambda-reader.test.ts).
    const reason = `lambda:ListEventSourceMappings in account ${B} failed: ServiceException: internal error`;
    const r = mappingChecks(setup({ status: 'not-read', reason }).ctx);
    expect(r.findings).toEqual([]);
    expect(r.checksRun).toEqual([]);
    expect(r.checksNotRun).toEqual(
      ['filter-bypassed', 'filter-mapping-drift', 'filter-mapping-missing'].map((check) => ({
        check,
        reason: `event source mappings were not read in account(s) ${B} (${reason})`,
      })),
    );
  });

  it('a declared source whose mappings were not listed: not run there, never "missing"', () => {
    const r = mappingChecks(setup({ status: 'read', sources: [], mappings: [] }).ctx);
    expect(r.findings).toEqual([]);
    expect(r.checksNotRun.map((c) => c.check)).toEqual([
      'filter-bypassed',
      'filter-mapping-drift',
      'filter-mapping-missing',
    ]);
    expect(r.checksNotRun[0]?.reason).toBe(
      `event source mappings were not read in account(s) ${B} (the mappings of ${ORDERS_ARN} were not listed)`,
    );
  });

  it('registered with their default severities', () => {
    expect(AUDIT_CHECK_BY_ID.get('filter-mapping-missing')?.severity).toBe('warning');
    expect(AUDIT_CHECK_BY_ID.get('filter-mapping-drift')?.severity).toBe('error');
    expect(AUDIT_CHECK_BY_ID.get('filter-bypassed')?.severity).toBe('error');
  });

  it('a waiver on grant/<id> silences the finding; a severity setting changes it', () => {
    const w = setup(read([m({ filterPatterns: [] })]));
    w.mesh.waivers.push({
      rule: 'filter-bypassed',
      target: `grant/${GRANT_ID}`,
      justification: 'Migration to the filtered mapping in ALERTS-12.',
      expires: '2027-01-31',
      at: { file: 'mesh.yaml', path: ['waivers', 0] },
    });
    const r = audit({ mesh: w.mesh, desired: w.desired, live: w.live, metrics: undefined, today: TODAY });
    expect(r.findings.filter((f) => f.code.startsWith('filter-'))).toEqual([]);
    expect(r.waived?.map((f) => f.code)).toEqual(['filter-bypassed']);

    const w2 = setup(read([]));
    w2.mesh.rules['filter-mapping-missing'] = { severity: 'error', at: { file: 'mesh.yaml', path: ['rules'] } };
    const r2 = audit({ mesh: w2.mesh, desired: w2.desired, live: w2.live, metrics: undefined, today: TODAY });
    expect(r2.findings.find((f) => f.code === 'filter-mapping-missing')?.severity).toBe('error');
  });
});

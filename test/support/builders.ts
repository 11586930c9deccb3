/**
 * Fake builders for pure-core unit tests: each returns a normalised model object (src/core/model/types.ts) with
 * sensible defaults that together form a valid mesh; pass overrides for what the test is about.
 *
 *   const mesh = aMesh({ grants: [aProducerGrant(), anEfoGrant({ consumerName: 'fraud' })] });
 *   const ctx = aCheckContext(mesh);
 */
import type { CheckContext } from '../../src/core/model/checks/context.js';
import type {
  Account,
  Classification,
  Domain,
  FilterSettings,
  Grant,
  Mesh,
  Principal,
  SourceRef,
  Stream,
  Waiver,
} from '../../src/core/model/types.js';
import { Locator } from '../../src/core/source/locator.js';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
/** An account outside the mesh (for external principals). */
export const OUTSIDE_ACCOUNT = '999999999999';
export const REGION = 'eu-west-1';
export const STREAM = 'payments.orders.v1';
export const TODAY = '2026-06-01';

export function at(...path: (string | number)[]): SourceRef {
  return { file: 'mesh.yaml', path };
}

export function anAccount(o: Partial<Account> = {}): Account {
  return { id: ACCOUNT_A, alias: 'payments-prod', environment: 'prod', at: at('accounts', 0), ...o };
}

export function aClassification(o: Partial<Classification> = {}): Classification {
  return {
    name: 'internal',
    level: 1,
    minRetentionHours: 24,
    maxRetentionHours: 720,
    encryption: 'aws-managed',
    at: at('classifications', 0),
    ...o,
  };
}

export function aStream(o: Partial<Stream> = {}): Stream {
  return {
    name: STREAM,
    domain: 'payments',
    account: ACCOUNT_A,
    capacity: { mode: 'ON_DEMAND' },
    retentionHours: 168,
    encryption: { type: 'KMS', keyId: 'alias/aws/kinesis' },
    classification: 'internal',
    enhancedMonitoring: [],
    deletionProtection: true,
    deprecated: false,
    tags: {},
    at: at('domains', 0, 'streams', 0),
    ...o,
  };
}

export function aPrincipal(o: Partial<Principal> = {}): Principal {
  return { kind: 'role', account: ACCOUNT_B, role: 'risk-reader', path: '/', external: false, ...o };
}

/** A consumer grant with pattern `replay` on STREAM from a role in ACCOUNT_B. */
export function aGrant(o: Partial<Grant> = {}): Grant {
  return {
    id: 'risk-reads-orders',
    stream: STREAM,
    principal: aPrincipal(),
    access: 'consume',
    pattern: 'replay',
    at: at('grants', 0),
    ...o,
  };
}

export function aProducerGrant(o: Partial<Grant> = {}): Grant {
  const g: Grant = {
    id: 'ingest-produces-orders',
    stream: STREAM,
    principal: aPrincipal({ account: ACCOUNT_A, role: 'payments-ingest' }),
    access: 'produce',
    at: at('grants', 0),
    ...o,
  };
  return g;
}

export function anEfoGrant(o: Partial<Grant> = {}): Grant {
  return aGrant({ id: 'fraud-reads-orders', pattern: 'efo', consumerName: 'fraud-scorer', ...o });
}

export function aFilter(o: Partial<FilterSettings> = {}): FilterSettings {
  return {
    functionName: 'order-alerts',
    patterns: [{ data: { type: ['order'] } }],
    maxFilters: 5,
    startingPosition: 'LATEST',
    manageMapping: false,
    ...o,
  };
}

export function aFilteredGrant(o: Partial<Grant> = {}): Grant {
  return aGrant({ id: 'alerts-filter-orders', pattern: 'filtered', filter: aFilter(), ...o });
}

export function aWaiver(o: Partial<Waiver> = {}): Waiver {
  return {
    rule: 'stream-encryption-required',
    target: `stream/${STREAM}`,
    justification: 'Legacy producer cannot encrypt yet.',
    expires: '2027-01-31',
    at: at('waivers', 0),
    ...o,
  };
}

export function aDomain(o: Partial<Domain> = {}): Domain {
  return {
    name: 'payments',
    owner: { team: 'payments', contact: 'payments@example.com' },
    accounts: [ACCOUNT_A],
    streams: [STREAM],
    rules: {},
    file: 'mesh.yaml',
    at: at('domains', 0),
    ...o,
  };
}

/**
 * A valid mesh: accounts A (payments) and B (risk), classification `internal`, one stream STREAM with a producer
 * grant. When `streams` is given without `domains`, one domain per stream domain is derived from the streams.
 */
export function aMesh(o: Partial<Mesh> = {}): Mesh {
  const streams = o.streams ?? [aStream()];
  const domains = o.domains ?? deriveDomains(streams);
  return {
    name: 'test-mesh',
    region: REGION,
    partition: 'aws',
    governanceRole: { name: 'meshgov-governance', path: '/' },
    tags: {},
    accounts: [anAccount(), anAccount({ id: ACCOUNT_B, alias: 'risk-prod', at: at('accounts', 1) })],
    classifications: [aClassification()],
    grants: [aProducerGrant()],
    waivers: [],
    rules: {},
    files: ['mesh.yaml'],
    at: at(),
    ...o,
    streams,
    domains,
  };
}

function deriveDomains(streams: readonly Stream[]): Domain[] {
  const byName = new Map<string, Domain>();
  for (const s of streams) {
    const d =
      byName.get(s.domain) ?? aDomain({ name: s.domain, accounts: [], streams: [], at: at('domains', byName.size) });
    if (!d.accounts.includes(s.account)) d.accounts.push(s.account);
    d.streams.push(s.name);
    byName.set(s.domain, d);
  }
  return [...byName.values()];
}

/** A locator without sources: diagnostics come out at 1:1 with the entity's path (positions are tested elsewhere). */
export function aLocator(): Locator {
  return new Locator(new Map());
}

export function aCheckContext(mesh: Mesh = aMesh(), today: string = TODAY): CheckContext {
  return { mesh, locator: aLocator(), today };
}

/** Fake builders for the render unit tests: a small mesh with sensible defaults, overridable per field. */
import type { Grant, Mesh, Principal, Stream } from '../../src/core/model/types.js';

export const A = '111111111111';
export const B = '222222222222';
export const EXT = '999999999999';
export const ORG = 'o-test123456';
export const TODAY = '2026-11-26';
const at = (...path: (string | number)[]) => ({ file: 'mesh.yaml', path });

export function aStream(over: Partial<Stream> = {}): Stream {
  return {
    name: 'orders',
    domain: 'sales',
    account: A,
    capacity: { mode: 'ON_DEMAND' },
    retentionHours: 24,
    encryption: { type: 'NONE' },
    classification: 'internal',
    enhancedMonitoring: [],
    deletionProtection: false,
    deprecated: false,
    tags: {},
    at: at('domains', 0, 'streams', 0),
    ...over,
  };
}

export function aPrincipal(over: Partial<Principal> = {}): Principal {
  return { kind: 'role', account: A, role: 'writer', path: '/', external: false, ...over };
}

let n = 0;
export function aGrant(over: Partial<Grant> = {}): Grant {
  n++;
  return {
    id: `grant-${n}`,
    stream: 'orders',
    principal: aPrincipal(),
    access: 'produce',
    at: at('grants', n),
    ...over,
  };
}

export function aMesh(over: Partial<Mesh> = {}): Mesh {
  return {
    name: 'test-mesh',
    region: 'eu-west-1',
    partition: 'aws',
    organizationId: ORG,
    governanceRole: { name: 'meshgov-governance', path: '/' },
    tags: {},
    accounts: [
      { id: A, alias: 'a', environment: 'prod', at: at('accounts', 0) },
      { id: B, alias: 'b', environment: 'prod', at: at('accounts', 1) },
    ],
    classifications: [],
    domains: [],
    streams: [aStream()],
    grants: [],
    waivers: [],
    rules: {},
    files: ['mesh.yaml'],
    at: at(),
    ...over,
  };
}

export const reader = (role: string, account = B, over: Partial<Grant> = {}): Grant =>
  aGrant({
    id: `${role}-reads`,
    principal: aPrincipal({ account, role }),
    access: 'consume',
    pattern: 'replay',
    ...over,
  });

import { describe, expect, it } from 'vitest';
import { checkGrantPrincipals } from '../../../src/core/model/checks/grant-principals.js';
import { isReservedTagKey } from '../../../src/core/model/governance-tags.js';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  aCheckContext,
  aGrant,
  aMesh,
  aPrincipal,
  aProducerGrant,
} from '../../support/builders.js';
import type { Grant, Mesh } from '../../../src/core/model/types.js';

const found = (mesh: Mesh) =>
  checkGrantPrincipals(aCheckContext(mesh)).map((d) => `${d.severity} ${d.code} ${d.path.join('.')}`);
const withGrants = (grants: Grant[], o: Partial<Mesh> = {}) => aMesh({ grants, ...o });
const roleGrant = (role: string, id = 'g') => aGrant({ id, principal: aPrincipal({ role }) });

describe('checkGrantPrincipals', () => {
  it('compliant: the default mesh and ordinary role names', () => {
    expect(found(aMesh())).toEqual([]);
    expect(found(withGrants([roleGrant('fraud-scorer'), roleGrant('app.v2+blue=x@y_z')]))).toEqual([]);
  });

  it('rejects a grantee role named root in any case: it would inherit every whole-account grant of its account', () => {
    for (const role of ['root', 'Root', 'ROOT', 'rOOt']) {
      expect(found(withGrants([roleGrant(role)]))).toEqual(['error grant-role-reserved-name grants.0.principal.role']);
    }
    expect(found(withGrants([roleGrant('rooted'), roleGrant('my-root')]))).toEqual([]);
  });

  it('rejects role-name characters that Kinesis does not allow in tag keys (IAM allows `,`)', () => {
    const d = checkGrantPrincipals(aCheckContext(withGrants([roleGrant('team,reader')])));
    expect(d.map((x) => x.code)).toEqual(['grant-role-tag-characters']);
    expect(d[0]?.message).toContain('`,`');
  });

  it('rejects two spellings of one role in one account (IAM role names are case-insensitive), not across accounts', () => {
    expect(found(withGrants([roleGrant('Reader', 'a'), roleGrant('reader', 'b')]))).toEqual([
      'error grant-role-case-conflict grants.0.principal.role',
    ]);
    const other = aGrant({ id: 'c', principal: aPrincipal({ account: ACCOUNT_A, role: 'reader' }) });
    expect(found(withGrants([roleGrant('Reader', 'a'), other]))).toEqual([]);
  });

  it('warns when the governance or read-only role is a grantee', () => {
    const gov = { name: 'meshgov-governance', path: '/', readOnlyName: 'meshgov-readonly' };
    expect(found(withGrants([roleGrant('MeshGov-Governance')], { governanceRole: gov }))).toEqual([
      'warning grant-to-governance-role grants.0.principal.role',
    ]);
    expect(found(withGrants([roleGrant('meshgov-readonly')], { governanceRole: gov }))).toEqual([
      'warning grant-to-governance-role grants.0.principal.role',
    ]);
    // The same name in an account outside the mesh is somebody else's role.
    const external = aGrant({
      principal: aPrincipal({ account: '999999999999', role: 'meshgov-governance', external: true }),
      justification: 'partner',
    });
    expect(found(withGrants([external], { governanceRole: gov }))).toEqual([]);
  });

  it("warns on a whole-account grant to the stream's own account, not to another account", () => {
    const own = aProducerGrant({ principal: aPrincipal({ kind: 'account', account: ACCOUNT_A, role: undefined }) });
    delete own.principal.role;
    expect(found(withGrants([own]))).toEqual(['warning grant-account-own-stream grants.0.principal.account']);
    const cross = aGrant({ principal: aPrincipal({ kind: 'account', account: ACCOUNT_B }) });
    delete cross.principal.role;
    expect(found(withGrants([cross]))).toEqual([]);
  });
});

describe('isReservedTagKey', () => {
  it('reserves meshgov: and aws: in any case, including the long s that upper-cases to S', () => {
    for (const k of ['meshgov:x', 'MESHGOV:x', 'MeshGov:x', 'me\u017fhgov:consume:1:r', 'AWS:x', ' meshgov:x'])
      expect(isReservedTagKey(k)).toBe(true);
    for (const k of ['meshgovx', 'team', 'meshgov-x:y', 'mesh:gov']) expect(isReservedTagKey(k)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { checkReferences } from '../../../src/core/model/checks/references.js';
import {
  ACCOUNT_A,
  aCheckContext,
  aDomain,
  aFilteredGrant,
  aGrant,
  aMesh,
  aPrincipal,
  aStream,
  aWaiver,
  OUTSIDE_ACCOUNT,
} from '../../support/builders.js';

const found = (mesh = aMesh()) => checkReferences(aCheckContext(mesh)).map((d) => d.code);

describe('checkReferences', () => {
  it('compliant: every reference resolves', () => {
    expect(found()).toEqual([]);
    expect(found(aMesh({ grants: [aGrant()], waivers: [aWaiver()] }))).toEqual([]);
    const external = aGrant({
      principal: aPrincipal({ account: OUTSIDE_ACCOUNT, external: true }),
      justification: 'Partner reconciliation.',
    });
    expect(found(aMesh({ grants: [external] }))).toEqual([]);
  });

  it('non-compliant: a grant on an unknown stream, with a suggestion', () => {
    const ds = checkReferences(aCheckContext(aMesh({ grants: [aGrant({ stream: 'payments.order.v1' })] })));
    expect(ds.map((d) => d.code)).toEqual(['ref-unknown-stream']);
    expect(ds[0]?.message).toContain('Did you mean `payments.orders.v1`?');
  });

  it('non-compliant: unknown classification, domain account and stream account outside its domain', () => {
    expect(found(aMesh({ streams: [aStream({ classification: 'secret' })] }))).toEqual(['ref-unknown-classification']);
    expect(found(aMesh({ domains: [aDomain({ accounts: ['333333333333'] })] }))).toEqual([
      'ref-unknown-account',
      'ref-stream-account',
    ]);
  });

  it('non-compliant: principal outside the mesh without `external`, and `external` on a mesh account', () => {
    expect(found(aMesh({ grants: [aGrant({ principal: aPrincipal({ account: OUTSIDE_ACCOUNT }) })] }))).toEqual([
      'ref-unknown-principal-account',
    ]);
    expect(
      found(
        aMesh({
          grants: [aGrant({ principal: aPrincipal({ account: ACCOUNT_A, external: true }), justification: 'x' })],
        }),
      ),
    ).toEqual(['grant-external-in-mesh']);
  });

  it('non-compliant: external principal without justification, or through a filtered grant', () => {
    const principal = aPrincipal({ account: OUTSIDE_ACCOUNT, external: true });
    expect(found(aMesh({ grants: [aGrant({ principal })] }))).toEqual(['grant-external-justification']);
    expect(found(aMesh({ grants: [aFilteredGrant({ principal, justification: 'Partner alerts.' })] }))).toEqual([
      'grant-external-filtered',
    ]);
  });

  it('non-compliant: a waiver for a target that does not exist', () => {
    expect(found(aMesh({ waivers: [aWaiver({ target: 'stream/payments.order.v1' })] }))).toEqual([
      'ref-unknown-waiver-target',
    ]);
  });
});

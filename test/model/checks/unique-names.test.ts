import { describe, expect, it } from 'vitest';
import { checkUniqueNames } from '../../../src/core/model/checks/unique-names.js';
import {
  aCheckContext,
  aClassification,
  aGrant,
  aMesh,
  anAccount,
  anEfoGrant,
  aProducerGrant,
  aStream,
  at,
} from '../../support/builders.js';

const codes = (mesh = aMesh()) => checkUniqueNames(aCheckContext(mesh)).map((d) => [d.code, d.path.join('.')]);

describe('checkUniqueNames', () => {
  it('compliant: the default mesh and distinct names', () => {
    expect(codes()).toEqual([]);
    expect(
      codes(
        aMesh({
          streams: [aStream(), aStream({ name: 'payments.refunds.v1' })],
          grants: [aProducerGrant(), aGrant(), anEfoGrant(), anEfoGrant({ id: 'other-efo', consumerName: 'other' })],
        }),
      ),
    ).toEqual([]);
  });

  it('non-compliant: duplicate stream names, reported at the second', () => {
    const mesh = aMesh({
      streams: [aStream(), aStream({ domain: 'risk', account: '222222222222', at: at('domains', 1, 'streams', 0) })],
    });
    expect(codes(mesh)).toEqual([['duplicate-stream', 'domains.1.streams.0.name']]);
  });

  it('non-compliant: duplicate grant ids', () => {
    expect(
      codes(
        aMesh({
          grants: [
            aGrant(),
            aGrant({
              principal: { kind: 'account', account: '222222222222', path: '/', external: false },
              at: at('grants', 1),
            }),
          ],
        }),
      ),
    ).toEqual([['duplicate-grant', 'grants.1.id']]);
  });

  it('non-compliant: two EFO consumers with one name on one stream (same name on another stream is fine)', () => {
    const twoStreams = [aStream(), aStream({ name: 'payments.refunds.v1' })];
    expect(
      codes(
        aMesh({ streams: twoStreams, grants: [anEfoGrant(), anEfoGrant({ id: 'b', stream: 'payments.refunds.v1' })] }),
      ),
    ).toEqual([]);
    expect(codes(aMesh({ grants: [anEfoGrant(), anEfoGrant({ id: 'b', at: at('grants', 1) })] }))).toEqual([
      ['duplicate-consumer', 'grants.1.consumer'],
    ]);
  });

  it('non-compliant: duplicate account ids and aliases, classifications', () => {
    const mesh = aMesh({
      accounts: [
        anAccount(),
        anAccount({ alias: 'other', at: at('accounts', 1) }),
        anAccount({ id: '222222222222', at: at('accounts', 2) }),
      ],
      classifications: [aClassification(), aClassification({ at: at('classifications', 1) })],
    });
    expect(codes(mesh)).toEqual([
      ['duplicate-account', 'accounts.1.id'],
      ['duplicate-account-alias', 'accounts.2.alias'],
      ['duplicate-classification', 'classifications.1.name'],
    ]);
  });
});

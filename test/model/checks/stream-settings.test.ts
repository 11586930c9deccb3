import { describe, expect, it } from 'vitest';
import { checkStreamSettings, MAX_EFO_CONSUMERS } from '../../../src/core/model/checks/stream-settings.js';
import {
  aCheckContext,
  aClassification,
  aMesh,
  anEfoGrant,
  aFilteredGrant,
  aGrant,
  aPrincipal,
  aProducerGrant,
  aStream,
} from '../../support/builders.js';

const found = (mesh = aMesh()) => checkStreamSettings(aCheckContext(mesh)).map((d) => [d.code, d.path.join('.')]);
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag-${i}`, `v${i}`]));

describe('checkStreamSettings', () => {
  it('compliant: the default mesh', () => {
    expect(found()).toEqual([]);
  });

  it('retention must lie within the classification range', () => {
    expect(found(aMesh({ streams: [aStream({ retentionHours: 720 })] }))).toEqual([]);
    expect(found(aMesh({ streams: [aStream({ retentionHours: 721 })] }))).toEqual([
      ['retention-outside-classification', 'domains.0.streams.0.retentionHours'],
    ]);
    expect(
      found(
        aMesh({
          classifications: [aClassification({ minRetentionHours: 168 })],
          streams: [aStream({ retentionHours: 48 })],
        }),
      ),
    ).toEqual([['retention-outside-classification', 'domains.0.streams.0.retentionHours']]);
  });

  it('a classification with min above max is reported', () => {
    expect(
      found(
        aMesh({
          classifications: [aClassification({ minRetentionHours: 800 })],
          streams: [aStream({ retentionHours: 800 })],
        }),
      ),
    ).toEqual([
      ['classification-retention-range', 'classifications.0.retention'],
      ['retention-outside-classification', 'domains.0.streams.0.retentionHours'],
    ]);
  });

  it('autoscaling: min <= max and shards within the range', () => {
    expect(
      found(
        aMesh({
          streams: [aStream({ capacity: { mode: 'PROVISIONED', shards: 2, autoscaling: { min: 1, max: 4 } } })],
        }),
      ),
    ).toEqual([]);
    expect(
      found(
        aMesh({
          streams: [aStream({ capacity: { mode: 'PROVISIONED', shards: 2, autoscaling: { min: 4, max: 1 } } })],
        }),
      ),
    ).toEqual([['capacity-autoscaling-range', 'domains.0.streams.0.capacity.autoscaling']]);
    expect(
      found(
        aMesh({
          streams: [aStream({ capacity: { mode: 'PROVISIONED', shards: 8, autoscaling: { min: 1, max: 4 } } })],
        }),
      ),
    ).toEqual([['capacity-shards-outside-range', 'domains.0.streams.0.capacity.shards']]);
  });

  it('a KMS key must be in the mesh region and partition', () => {
    const key = (region: string) => `arn:aws:kms:${region}:111111111111:key/6f1c2a7e-3b4d-4e5f-9a8b-1c2d3e4f5a6b`;
    expect(found(aMesh({ streams: [aStream({ encryption: { type: 'KMS', keyId: key('eu-west-1') } })] }))).toEqual([]);
    expect(found(aMesh({ streams: [aStream({ encryption: { type: 'KMS', keyId: key('us-east-1') } })] }))).toEqual([
      ['encryption-key-region', 'domains.0.streams.0.encryption.keyId'],
    ]);
  });

  it('reserved tag keys (any case) on streams and the mesh', () => {
    expect(found(aMesh({ streams: [aStream({ tags: { team: 'payments', 'cost:center': 'x' } })] }))).toEqual([]);
    expect(
      found(
        aMesh({ streams: [aStream({ tags: { 'meshgov:owner': 'x', 'MESHGOV:consume:1:r': 'allow', 'aws:x': 'y' } })] }),
      ).map((x) => x[0]),
    ).toEqual(['tag-reserved-key', 'tag-reserved-key', 'tag-reserved-key']);
    expect(found(aMesh({ tags: { 'Meshgov:mesh': 'other' } }))).toEqual([
      ['tag-reserved-key', 'mesh.tags.Meshgov:mesh'],
    ]);
  });

  it('at most 50 tags after governance tags: 5 governance + deletion protection + 1 per distinct grantee + user and mesh tags', () => {
    // 1 producer grant on a deletion-protected stream -> 5 + 1 + 1 = 7 governance tags; 43 user tags make exactly 50.
    expect(found(aMesh({ streams: [aStream({ tags: tags(43) })] }))).toEqual([]);
    expect(found(aMesh({ streams: [aStream({ tags: tags(44) })] }))).toEqual([
      ['stream-too-many-tags', 'domains.0.streams.0.name'],
    ]);
    expect(found(aMesh({ tags: { a: 'b' }, streams: [aStream({ tags: tags(43) })] }))).toEqual([
      ['stream-too-many-tags', 'domains.0.streams.0.name'],
    ]);
    // Without deletion protection the stream carries one tag less.
    expect(found(aMesh({ streams: [aStream({ tags: tags(44), deletionProtection: false })] }))).toEqual([]);
  });

  it('counts grantees, not grants: the quick upper bound (one tag per grant) never decides alone', () => {
    const readers = (n: number, role: (i: number) => string) =>
      Array.from({ length: n }, (_, i) => aGrant({ id: `g-${i}`, principal: aPrincipal({ role: role(i) }) }));
    // 60 grants of one role: one grant tag, 5 + 1 + 1 + 1 = 8 tags.
    expect(found(aMesh({ grants: [aProducerGrant(), ...readers(60, () => 'reader')] }))).toEqual([]);
    // 44 distinct roles: 5 + 1 + 1 + 44 = 51 tags, exactly one over (the bound is also 51).
    expect(found(aMesh({ grants: [aProducerGrant(), ...readers(44, (i) => `reader-${i}`)] }))).toEqual([
      ['stream-too-many-tags', 'domains.0.streams.0.name'],
    ]);
    expect(found(aMesh({ grants: [aProducerGrant(), ...readers(43, (i) => `reader-${i}`)] }))).toEqual([]);
  });

  it(`at most ${MAX_EFO_CONSUMERS} EFO consumers per stream, reported at the first one over`, () => {
    const efo = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        anEfoGrant({
          id: `efo-${i}`,
          consumerName: `c${i}`,
          principal: aPrincipal({ role: `r${i % 2}` }),
          at: { file: 'mesh.yaml', path: ['grants', i] },
        }),
      );
    expect(found(aMesh({ grants: [aProducerGrant(), ...efo(20)] }))).toEqual([]);
    expect(found(aMesh({ grants: [aProducerGrant(), ...efo(21)] }))).toEqual([
      ['efo-consumer-limit', 'grants.20.consumer'],
    ]);
    // A filtered grant that reads through its own consumer registers one too; one without does not.
    const filtered = (consumerName?: string) =>
      aFilteredGrant({
        id: 'filtered-0',
        principal: aPrincipal({ role: 'filter' }),
        at: { file: 'mesh.yaml', path: ['grants', 21] },
        ...(consumerName !== undefined ? { consumerName } : {}),
      });
    expect(found(aMesh({ grants: [aProducerGrant(), ...efo(20), filtered('c-filtered')] }))).toEqual([
      ['efo-consumer-limit', 'grants.21.consumer'],
    ]);
    expect(found(aMesh({ grants: [aProducerGrant(), ...efo(20), filtered()] }))).toEqual([]);
    // EFO grants on another stream do not count.
    const other = aStream({ name: 'payments.refunds.v1' });
    expect(
      found(aMesh({ streams: [aStream(), other], grants: [...efo(20), anEfoGrant({ id: 'x', stream: other.name })] })),
    ).toEqual([]);
  });
});

describe('streamTagCount', () => {
  it('counts exactly the keys streamTags builds', async () => {
    const { streamTags, streamTagCount } = await import('../../../src/core/model/governance-tags.js');
    const cases = [
      aMesh({ streams: [aStream({ tags: tags(3) })] }),
      aMesh({ tags: { t0: 'shared' }, streams: [aStream({ tags: tags(2), deletionProtection: false })] }),
      aMesh({
        streams: [aStream()],
        grants: [
          aProducerGrant(),
          anEfoGrant({ id: 'e1', consumerName: 'c1' }),
          anEfoGrant({ id: 'e2', consumerName: 'c2' }),
        ],
      }),
    ];
    for (const mesh of cases)
      for (const s of mesh.streams) expect(streamTagCount(mesh, s)).toBe(Object.keys(streamTags(mesh, s)).length);
  });
});

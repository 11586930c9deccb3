import { describe, expect, it } from 'vitest';
import { consumerResourcePolicy, streamResourcePolicy } from '../../src/core/render/resource-policy.js';
import type { Mesh } from '../../src/core/model/types.js';
import { A, B, EXT, ORG, aGrant, aMesh, aPrincipal, aStream, reader } from './builders.js';

const stream = aStream();
const ARN = `arn:aws:kinesis:eu-west-1:${A}:stream/orders`;

describe('stream resource policy', () => {
  it('is absent when every grant is same-account', () => {
    expect(streamResourcePolicy(aMesh(), stream, [aGrant(), reader('local', A)])).toBeUndefined();
  });

  it.each([
    [
      'a mesh account inside the organisation',
      aMesh(),
      reader('r', B),
      { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    ],
    ['a mesh account without an organisation', aMesh({ organizationId: undefined }), reader('r', B), undefined],
    [
      'an external principal',
      aMesh(),
      reader('partner', EXT, { principal: aPrincipal({ account: EXT, role: 'partner', external: true }) }),
      undefined,
    ],
  ])('names the principal exactly, pinned to the organisation only for %s', (_n, mesh, grant, condition) => {
    const doc = streamResourcePolicy(mesh, stream, [grant]);
    const s = doc?.Statement[0];
    expect(doc?.Statement).toHaveLength(1);
    expect(s?.Principal).toEqual({ AWS: `arn:aws:iam::${grant.principal.account}:role/${grant.principal.role}` });
    expect(s?.Resource).toBe(ARN);
    expect(s?.Condition).toEqual(condition);
  });

  it('sees an account added to the mesh after a first render (no stale account list)', () => {
    const C = '333333333333';
    const mesh = aMesh();
    const grant = reader('r', C);
    expect(streamResourcePolicy(mesh, stream, [grant])?.Statement[0]?.Condition).toBeUndefined();
    mesh.accounts.push({ ...(mesh.accounts[0] as Mesh['accounts'][number]), id: C, alias: 'c' });
    expect(streamResourcePolicy(mesh, stream, [grant])?.Statement[0]?.Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': ORG },
    });
  });

  it('merges all cross-account grants into one document, one statement per grant, sorted by grant id', () => {
    const grants = [
      reader('zed', B, { id: 'z-grant' }),
      reader('amy', B, { id: 'a-grant', pattern: 'filtered' }),
      aGrant({ id: 'm-grant', principal: aPrincipal({ account: B, role: 'w' }) }),
    ];
    const doc = streamResourcePolicy(aMesh(), stream, grants);
    expect(doc?.Statement.map((s) => s.Sid)).toEqual(['AGrant', 'MGrant', 'ZGrant']);
    expect(doc?.Statement[0]?.Action).toContain('kinesis:DescribeStream');
    expect(doc?.Statement[1]?.Action).toContain('kinesis:PutRecord');
    expect(doc?.Statement[2]?.Action).not.toContain('kinesis:PutRecord');
    // Stable under reordering of the grants.
    expect(streamResourcePolicy(aMesh(), stream, [...grants].reverse())).toEqual(doc);
  });

  it('names an account principal by its root, never `*`', () => {
    const g = aGrant({
      access: 'consume',
      pattern: 'replay',
      principal: { kind: 'account', account: B, path: '/', external: false },
    });
    expect(streamResourcePolicy(aMesh(), stream, [g])?.Statement[0]?.Principal).toEqual({
      AWS: `arn:aws:iam::${B}:root`,
    });
  });
});

describe('consumer resource policy', () => {
  it('grants the EFO actions on the consumer ARN pattern to a cross-account grantee', () => {
    const g = reader('efo', B, { pattern: 'efo', consumerName: 'c1' });
    expect(consumerResourcePolicy(aMesh(), stream, g)?.Statement).toEqual([
      {
        Sid: 'EfoReads',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${B}:role/efo` },
        Action: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
        Resource: `${ARN}/consumer/c1:*`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
    ]);
  });

  it('is absent for a same-account consumer', () => {
    expect(
      consumerResourcePolicy(aMesh(), stream, reader('efo', A, { pattern: 'efo', consumerName: 'c1' })),
    ).toBeUndefined();
  });
});

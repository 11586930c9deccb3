import { describe, expect, it } from 'vitest';
import { consumerTags, desiredStreamTags } from '../../src/core/render/tags.js';
import { A, B, aGrant, aMesh, aPrincipal, aStream } from './builders.js';

describe('stream tags', () => {
  it('carry mesh, user, governance and one grant tag per grantee, keys sorted', () => {
    const mesh = aMesh({ tags: { 'cost-center': 'x' } });
    const stream = aStream({ tags: { team: 'sales' }, classification: 'confidential' });
    const grants = [
      aGrant({ principal: aPrincipal({ role: 'writer' }) }),
      aGrant({ access: 'consume', pattern: 'replay', principal: aPrincipal({ account: B, role: 'reader' }) }),
    ];
    const tags = desiredStreamTags(mesh, stream, grants);
    expect(tags).toEqual({
      'cost-center': 'x',
      'meshgov:classification': 'confidential',
      [`meshgov:consume:${B}:reader`]: 'allow',
      'meshgov:domain': 'sales',
      'meshgov:managed-by': 'meshgov',
      'meshgov:mesh': 'test-mesh',
      [`meshgov:produce:${A}:writer`]: 'allow',
      'meshgov:product': 'orders',
      team: 'sales',
    });
    expect(Object.keys(tags)).toEqual([...Object.keys(tags)].sort());
  });
});

describe('consumer tags', () => {
  it('carry the governance tags and the grant tag of the declaring grant', () => {
    const g = aGrant({
      access: 'consume',
      pattern: 'efo',
      consumerName: 'c1',
      principal: aPrincipal({ account: B, role: 'efo-reader' }),
    });
    expect(consumerTags(aMesh(), aStream(), g)).toEqual({
      'meshgov:classification': 'internal',
      [`meshgov:consume:${B}:efo-reader`]: 'allow',
      'meshgov:domain': 'sales',
      'meshgov:managed-by': 'meshgov',
      'meshgov:mesh': 'test-mesh',
      'meshgov:product': 'orders',
    });
  });

  it("carry the grant's own consumer tags over the mesh tags; governance keys cannot be overridden", () => {
    const g = aGrant({
      access: 'consume',
      pattern: 'efo',
      consumerName: 'c1',
      principal: aPrincipal({ account: B, role: 'efo-reader' }),
      // Validation rejects reserved keys; render still lets no user tag replace a governance value.
      consumerTags: { team: 'risk', 'cost-center': 'risk-42', 'meshgov:domain': 'forged' },
    });
    expect(consumerTags(aMesh({ tags: { 'cost-center': 'data', owner: 'platform' } }), aStream(), g)).toEqual({
      'cost-center': 'risk-42',
      'meshgov:classification': 'internal',
      [`meshgov:consume:${B}:efo-reader`]: 'allow',
      'meshgov:domain': 'sales',
      'meshgov:managed-by': 'meshgov',
      'meshgov:mesh': 'test-mesh',
      'meshgov:product': 'orders',
      owner: 'platform',
      team: 'risk',
    });
  });
});

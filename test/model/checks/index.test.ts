import { describe, expect, it } from 'vitest';
import { runSemanticChecks, SEMANTIC_CHECKS } from '../../../src/core/model/checks/index.js';
import { aCheckContext, aFilteredGrant, aGrant, aMesh, anEfoGrant, aProducerGrant } from '../../support/builders.js';

describe('runSemanticChecks', () => {
  it('the builders make a mesh that passes every semantic check', () => {
    expect(SEMANTIC_CHECKS.length).toBeGreaterThanOrEqual(5);
    expect(
      runSemanticChecks(aCheckContext(aMesh({ grants: [aProducerGrant(), aGrant(), anEfoGrant(), aFilteredGrant()] }))),
    ).toEqual([]);
  });
});

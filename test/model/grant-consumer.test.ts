import { describe, expect, it } from 'vitest';
import { efoConsumerOf, readsThroughConsumer } from '../../src/core/model/grant-consumer.js';
import { aFilteredGrant, aGrant, anEfoGrant, aProducerGrant } from '../support/builders.js';

describe('efoConsumerOf', () => {
  it.each([
    ['an efo grant', anEfoGrant({ consumerName: 'risk' }), 'risk'],
    ['a filtered grant with a consumer', aFilteredGrant({ consumerName: 'alerts' }), 'alerts'],
    ['a filtered grant without one', aFilteredGrant(), undefined],
    // Schema validation rejects these; render must still not register a consumer for them.
    ['a replay grant that names one', aGrant({ pattern: 'replay', consumerName: 'x' }), undefined],
    ['a fanout grant that names one', aGrant({ pattern: 'fanout', consumerName: 'x' }), undefined],
    [
      'a producer that names one (even with a pattern)',
      aProducerGrant({ pattern: 'efo', consumerName: 'x' }),
      undefined,
    ],
  ])('%s', (_, grant, want) => {
    expect(efoConsumerOf(grant)).toBe(want);
    expect(readsThroughConsumer(grant)).toBe(want !== undefined);
  });
});

import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanSuffix, editDistance } from '../../src/core/model/did-you-mean.js';

describe('did you mean', () => {
  it('edit distance is bounded', () => {
    expect(editDistance('retentionHour', 'retentionHours')).toBe(1);
    expect(editDistance('abc', 'xyz', 2)).toBe(3);
    expect(editDistance('a', 'abcdefgh', 3)).toBe(4);
  });

  it('suggests close candidates only', () => {
    expect(didYouMean('clasification', ['classification', 'capacity'])).toBe('classification');
    expect(didYouMean('Domains', ['domains', 'grants'])).toBe('domains');
    expect(didYouMean('colour', ['name', 'region'])).toBeUndefined();
    expect(didYouMeanSuffix('patern', ['pattern'])).toBe(' Did you mean `pattern`?');
    expect(didYouMeanSuffix('zzz', ['pattern'])).toBe('');
  });
});

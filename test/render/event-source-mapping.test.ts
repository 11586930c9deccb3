import { describe, expect, it } from 'vitest';
import { canonicalJson, eventSourceMapping, filterCriteria } from '../../src/core/render/event-source-mapping.js';
import { A, aMesh, aStream, reader } from './builders.js';

describe('filter criteria', () => {
  it.each([
    [[{ data: { b: [1], a: ['x'] } }], [{ Pattern: '{"data":{"a":["x"],"b":[1]}}' }]],
    [
      [{ data: { score: [{ numeric: ['>=', 0.9] }] } }, { data: { t: [{ prefix: 'c-' }] } }],
      [{ Pattern: '{"data":{"score":[{"numeric":[">=",0.9]}]}}' }, { Pattern: '{"data":{"t":[{"prefix":"c-"}]}}' }],
    ],
  ])('%j', (patterns, filters) => {
    expect(filterCriteria(patterns)).toEqual({ Filters: filters });
    for (const f of filters) expect(JSON.parse(f.Pattern)).toBeTypeOf('object');
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});

describe('event source mapping', () => {
  it('names the function, the stream ARN, the starting position, batch size and filters', () => {
    const g = reader('lambda', A, {
      pattern: 'filtered',
      filter: {
        functionName: 'fn',
        patterns: [{ data: { k: ['v'] } }],
        maxFilters: 5,
        startingPosition: 'TRIM_HORIZON',
        batchSize: 50,
        manageMapping: false,
      },
    });
    expect(eventSourceMapping(aMesh(), aStream(), g)).toEqual({
      FunctionName: 'fn',
      EventSourceArn: `arn:aws:kinesis:eu-west-1:${A}:stream/orders`,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 50,
      FilterCriteria: { Filters: [{ Pattern: '{"data":{"k":["v"]}}' }] },
    });
  });

  it('is absent without a filter', () => {
    expect(eventSourceMapping(aMesh(), aStream(), reader('r'))).toBeUndefined();
  });
});

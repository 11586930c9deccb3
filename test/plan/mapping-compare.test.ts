/**
 * A filtered grant's event source mapping, declared vs live, on ListEventSourceMappings answers shaped like the
 * Lambda API reference (test/fixtures/lambda, EventSourceMappingConfiguration), including the awkward forms:
 * FilterCriteria absent, Filters empty, a qualified FunctionArn, patterns with other key order and whitespace.
 */
import { readFileSync } from 'node:fs';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { toLiveMapping } from '../../src/adapters/aws/lambda-reader.js';
import type { LiveEventSourceMapping } from '../../src/core/plan/live.js';
import {
  compareMapping,
  isDeclaredFunction,
  parseFunctionRef,
  MAX_PATTERN_DEPTH,
  readPattern,
} from '../../src/core/plan/mapping-compare.js';
import type { DesiredEventSourceMapping } from '../../src/core/render/types.js';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/payments.orders.v1';
const FN_ARN = 'arn:aws:lambda:eu-west-1:222222222222:function:order-alerts';

function recorded(file: string): LiveEventSourceMapping[] {
  const body = JSON.parse(readFileSync(new URL(`../fixtures/lambda/${file}`, import.meta.url), 'utf8')) as {
    EventSourceMappings: EventSourceMappingConfiguration[];
  };
  return body.EventSourceMappings.map((c) => toLiveMapping(c) as LiveEventSourceMapping);
}

function desired(o: Partial<DesiredEventSourceMapping> = {}): DesiredEventSourceMapping {
  return {
    grantId: 'alerts-filter-orders',
    account: '222222222222',
    streamAccount: '111111111111',
    stream: 'payments.orders.v1',
    functionName: 'order-alerts',
    functionArn: FN_ARN,
    eventSourceArn: STREAM_ARN,
    startingPosition: 'LATEST',
    patterns: ['{"data":{"type":["order"]}}'],
    manage: false,
    ...o,
  };
}

function live(o: Partial<LiveEventSourceMapping> = {}): LiveEventSourceMapping {
  return {
    uuid: 'u-1',
    functionArn: FN_ARN,
    eventSourceArn: STREAM_ARN,
    filterPatterns: ['{"data":{"type":["order"]}}'],
    ...o,
  };
}

describe('recorded ListEventSourceMappings answers', () => {
  it('reads FilterCriteria absent and Filters empty as no filters, and keeps position, batch and state', () => {
    const [aliasMapping, unfiltered] = recorded('list-event-source-mappings-page2.json');
    expect(aliasMapping).toEqual({
      uuid: '0f5a3c0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      functionArn: `${FN_ARN}:live`,
      eventSourceArn: STREAM_ARN,
      filterPatterns: [],
      startingPosition: 'TRIM_HORIZON',
      batchSize: 500,
      maximumBatchingWindowInSeconds: 5,
      state: 'Disabled',
    });
    expect(unfiltered?.filterPatterns).toEqual([]);
  });

  it('a pattern with spaces and another key order equals the declared one: in sync', () => {
    const r = compareMapping(desired(), recorded('list-event-source-mappings-page1.json'));
    expect(r.status).toBe('in-sync');
    expect(r.mapping?.uuid).toBe('6d9bce8e-836b-442c-8070-74e77903c815');
    expect(r.bypasses).toEqual([]);
  });

  it('both pages: the mapping of the function alias without filters is a bypass; another function is ignored', () => {
    const all = [
      ...recorded('list-event-source-mappings-page1.json'),
      ...recorded('list-event-source-mappings-page2.json'),
    ];
    const r = compareMapping(desired(), all);
    expect(r.status).toBe('in-sync');
    expect(r.bypasses.map((m) => m.uuid)).toEqual(['0f5a3c0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b']);
  });
});

describe('compareMapping', () => {
  it('no mapping of the function: missing', () => {
    expect(compareMapping(desired(), []).status).toBe('missing');
    const other = live({ functionArn: 'arn:aws:lambda:eu-west-1:222222222222:function:order-alerts-v2' });
    expect(compareMapping(desired(), [other]).status).toBe('missing');
  });

  it('the same function name in another account or region is not the declared function', () => {
    const elsewhere = live({ functionArn: 'arn:aws:lambda:eu-west-1:333333333333:function:order-alerts' });
    expect(compareMapping(desired(), [elsewhere]).status).toBe('missing');
    const otherRegion = live({ functionArn: 'arn:aws:lambda:us-east-1:222222222222:function:order-alerts' });
    expect(compareMapping(desired(), [otherRegion]).status).toBe('missing');
  });

  it('a mapping of the function on another stream is missing, not in sync', () => {
    const m = live({ eventSourceArn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/payments.orders.v2' });
    expect(compareMapping(desired(), [m]).status).toBe('missing');
  });

  it('different patterns: drift naming the missing and the undeclared pattern', () => {
    const r = compareMapping(desired(), [live({ filterPatterns: ['{"data":{"type":["refund"]}}'] })]);
    expect(r.status).toBe('drift');
    expect(r.patterns).toEqual({
      missing: ['{"data":{"type":["order"]}}'],
      extra: ['{"data":{"type":["refund"]}}'],
      unparsable: [],
    });
  });

  it('an extra live pattern is drift (patterns compare as sets, both ways)', () => {
    const r = compareMapping(desired(), [
      live({ filterPatterns: ['{"data":{"type":["order"]}}', '{"data":{"type":["refund"]}}'] }),
    ]);
    expect(r.status).toBe('drift');
    expect(r.patterns?.extra).toEqual(['{"data":{"type":["refund"]}}']);
  });

  it('the same patterns in another order and repeated are in sync', () => {
    const d = desired({ patterns: ['{"data":{"a":[1]}}', '{"data":{"b":[2]}}'] });
    const r = compareMapping(d, [
      live({ filterPatterns: ['{"data": {"b": [2]}}', '{"data":{"a":[1]}}', '{ "data": { "a": [1] } }'] }),
    ]);
    expect(r.status).toBe('in-sync');
  });

  it.each([['not json'], [''], ['[1,2]'], ['null'], ['"data"'], ['{"data":']])(
    'an unparsable live pattern %j is drift, never a throw',
    (raw) => {
      const r = compareMapping(desired(), [live({ filterPatterns: ['{"data":{"type":["order"]}}', raw] })]);
      expect(r.status).toBe('drift');
      expect(r.patterns?.unparsable).toEqual([raw]);
      expect(r.differences.join(' ')).toContain('not JSON objects');
    },
  );

  it('a mapping without filters on the declared source is drift and a bypass', () => {
    const r = compareMapping(desired(), [live({ filterPatterns: [] })]);
    expect(r.status).toBe('drift');
    expect(r.differences).toEqual(['the mapping has no filter criteria']);
    expect(r.bypasses.map((m) => m.uuid)).toEqual(['u-1']);
  });

  it('an unfiltered mapping through a consumer of the stream is a bypass too', () => {
    const viaConsumer = live({
      uuid: 'u-2',
      eventSourceArn: `${STREAM_ARN}/consumer/alerts:1700000000`,
      filterPatterns: [],
    });
    const r = compareMapping(desired(), [live(), viaConsumer]);
    expect(r.status).toBe('in-sync');
    expect(r.bypasses.map((m) => m.uuid)).toEqual(['u-2']);
  });

  // A matching mapping must not hide another one of the same function: Lambda refuses a second mapping of one function
  // on one source, but an alias of the function, or a consumer of the stream, is another pair.
  const matchesAllButZz = ['{"data":{"zz":[{"exists":false}]}}'];
  it('a mapping of an alias of the function with a catch-all filter, beside the declared one: a bypass', () => {
    const alias = live({ uuid: 'alias', functionArn: `${FN_ARN}:live`, filterPatterns: matchesAllButZz });
    const r = compareMapping(desired(), [live(), alias]);
    expect(r.status).toBe('in-sync');
    expect(r.mapping?.uuid).toBe('u-1');
    expect(r.bypasses.map((m) => m.uuid)).toEqual(['alias']);
  });

  it('a mapping through a consumer with other filters, beside the declared one: a bypass', () => {
    const viaConsumer = live({
      uuid: 'u-2',
      eventSourceArn: `${STREAM_ARN}/consumer/alerts:1700000000`,
      filterPatterns: matchesAllButZz,
    });
    const r = compareMapping(desired(), [live(), viaConsumer]);
    expect(r.status).toBe('in-sync');
    expect(r.bypasses.map((m) => m.uuid)).toEqual(['u-2']);
  });

  it('a second mapping with exactly the declared filters (patterns reordered) is no bypass', () => {
    const twoPatterns = ['{"data":{"type":["order"]}}', '{"data":{"type":["refund"]}}'];
    const alias = live({ uuid: 'alias', functionArn: `${FN_ARN}:live`, filterPatterns: [...twoPatterns].reverse() });
    const r = compareMapping(desired({ patterns: twoPatterns }), [live({ filterPatterns: twoPatterns }), alias]);
    expect(r.status).toBe('in-sync');
    expect(r.bypasses).toEqual([]);
  });

  it('a filtered mapping of the function next to an unfiltered one: drift is reported on the filtered one', () => {
    const r = compareMapping(desired(), [
      live({ uuid: 'bare', filterPatterns: [] }),
      live({ uuid: 'filtered', filterPatterns: ['{"data":{"type":["refund"]}}'] }),
    ]);
    expect(r.status).toBe('drift');
    expect(r.mapping?.uuid).toBe('filtered');
    expect(r.bypasses.map((m) => m.uuid)).toEqual(['bare']);
  });
});

describe('a grant that reads through its own EFO consumer', () => {
  // Lambda answers with the consumer's ARN, creation timestamp included (recorded answer).
  const [viaConsumer] = recorded('list-event-source-mappings-efo-consumer.json');
  const onConsumer = viaConsumer as LiveEventSourceMapping;
  const d = desired({ consumer: 'order-alerts-efo' });

  it('the mapping on the declared consumer (any creation timestamp) is in sync', () => {
    expect(onConsumer.eventSourceArn).toBe(`${STREAM_ARN}/consumer/order-alerts-efo:1764547100`);
    expect(compareMapping(d, [onConsumer]).status).toBe('in-sync');
    const later = { ...onConsumer, eventSourceArn: `${STREAM_ARN}/consumer/order-alerts-efo:1800000000` };
    expect(compareMapping(d, [later]).status).toBe('in-sync');
  });

  it('a filtered mapping on the stream instead: drift "reads the stream, not the declared consumer"', () => {
    const r = compareMapping(d, [live()]);
    expect(r.status).toBe('drift');
    expect(r.source).toBe(false);
    expect(r.mapping?.uuid).toBe('u-1');
    expect(r.differences).toEqual(['reads the stream, not the declared consumer order-alerts-efo']);
  });

  it('a filtered mapping on another consumer of the stream: drift naming both consumers', () => {
    const other = live({ eventSourceArn: `${STREAM_ARN}/consumer/order-alerts-efo-old:1764547000` });
    const r = compareMapping(d, [other]);
    expect(r.status).toBe('drift');
    expect(r.differences).toEqual([
      'reads through consumer order-alerts-efo-old, not the declared consumer order-alerts-efo',
    ]);
  });

  it('the wrong source and other filters: both differences', () => {
    const r = compareMapping(d, [live({ filterPatterns: ['{"data":{"type":["refund"]}}'] })]);
    expect(r.differences).toEqual([
      'reads the stream, not the declared consumer order-alerts-efo',
      'declared filter patterns missing: {"data":{"type":["order"]}}',
      'undeclared filter patterns: {"data":{"type":["refund"]}}',
    ]);
  });

  it.each([
    ['the stream', STREAM_ARN],
    ['the declared consumer', `${STREAM_ARN}/consumer/order-alerts-efo:1764547100`],
    ['another consumer', `${STREAM_ARN}/consumer/x:1764547100`],
  ])('an unfiltered mapping on %s is a bypass', (_, eventSourceArn) => {
    const r = compareMapping(d, [onConsumer, live({ uuid: 'bare', eventSourceArn, filterPatterns: [] })]);
    expect(r.status).toBe('in-sync');
    expect(r.bypasses.map((m) => m.uuid)).toEqual(['bare']);
  });

  it.each([
    ['a name that only starts like it', `${STREAM_ARN}/consumer/order-alerts-efo-2:1764547100`],
    ['no creation timestamp', `${STREAM_ARN}/consumer/order-alerts-efo`],
    ['a non-numeric timestamp', `${STREAM_ARN}/consumer/order-alerts-efo:abc`],
    ['the consumer of a stream whose name extends it', `${STREAM_ARN}x/consumer/order-alerts-efo:1764547100`],
    [
      'the same consumer name in another account',
      `${STREAM_ARN.replace('111111111111', '333333333333')}/consumer/order-alerts-efo:1`,
    ],
  ])('%s is not the declared consumer', (_, eventSourceArn) => {
    const r = compareMapping(d, [{ ...onConsumer, eventSourceArn }]);
    expect(r.status).not.toBe('in-sync');
  });

  it('a grant without a consumer: a filtered mapping through a consumer is drift, not in sync', () => {
    const r = compareMapping(desired(), [onConsumer]);
    expect(r.status).toBe('drift');
    expect(r.differences).toEqual(['reads through consumer order-alerts-efo, not the stream itself']);
  });
});

describe('function references and patterns', () => {
  it('parses names, partial ARNs, full ARNs and qualifiers', () => {
    expect(parseFunctionRef('order-alerts')).toEqual({ name: 'order-alerts' });
    expect(parseFunctionRef('order-alerts:prod')).toEqual({ name: 'order-alerts', qualifier: 'prod' });
    expect(parseFunctionRef('222222222222:function:order-alerts')).toEqual({
      name: 'order-alerts',
      account: '222222222222',
    });
    expect(parseFunctionRef(`${FN_ARN}:7`)).toEqual({
      name: 'order-alerts',
      account: '222222222222',
      region: 'eu-west-1',
      qualifier: '7',
    });
  });

  it('accepts every form of the declared function and no other function', () => {
    for (const f of ['order-alerts', '222222222222:function:order-alerts', FN_ARN, `${FN_ARN}:live`])
      expect(isDeclaredFunction(desired(), f)).toBe(true);
    for (const f of ['order-alert', 'arn:aws:lambda:eu-west-1:222222222222:function:order-alerts-x'])
      expect(isDeclaredFunction(desired(), f)).toBe(false);
  });

  it('reads a pattern canonically, whatever the key order and whitespace', () => {
    expect(readPattern('{ "data" : { "b": [1], "a": [2] } }')).toEqual({
      ok: true,
      canonical: '{"data":{"a":[2],"b":[1]}}',
    });
    expect(readPattern(42)).toEqual({ ok: false, raw: '42', error: 'not a JSON object' });
  });

  it('a live pattern nested beyond any real one is drift, not a stack overflow', () => {
    const nestedPattern = (levels: number) => `{"data":${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}}`;
    expect(readPattern(nestedPattern(MAX_PATTERN_DEPTH))).toMatchObject({ ok: true });
    const deep = nestedPattern(MAX_PATTERN_DEPTH + 1);
    expect(readPattern(deep)).toEqual({ ok: false, raw: deep, error: 'nests deeper than 64 levels' });
    // What canonical JSON's recursion would not survive.
    const abyss = nestedPattern(20_000);
    expect(readPattern(abyss)).toEqual({ ok: false, raw: abyss, error: 'nests deeper than 64 levels' });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consumerActions,
  readsThroughLambda,
  shortHash,
  sidFor,
  streamActions,
  uniqueSids,
} from '../../src/core/render/grants.js';
import { grantActive } from '../../src/core/model/checks/expiry.js';
import { aGrant } from './builders.js';

describe('grantActive (in force: what renders)', () => {
  it.each([
    [undefined, '2026-11-26', true],
    ['2026-11-26', '2026-11-26', true],
    ['2026-11-27', '2026-11-26', true],
    ['2026-11-25', '2026-11-26', false],
  ])('expires %s on %s -> %s', (expires, today, want) => {
    expect(grantActive(expires === undefined ? {} : { expires }, today)).toBe(want);
  });
});

describe('action sets per grant', () => {
  const read = [
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
  ];
  it.each([
    [
      'produce',
      aGrant({ access: 'produce' }),
      ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'],
      [],
    ],
    ['replay', aGrant({ access: 'consume', pattern: 'replay' }), read, []],
    [
      'efo',
      aGrant({ access: 'consume', pattern: 'efo', consumerName: 'c' }),
      read,
      ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
    ],
    ['filtered (Lambda)', aGrant({ access: 'consume', pattern: 'filtered' }), ['kinesis:DescribeStream', ...read], []],
    [
      'fanout via AppSync (Lambda)',
      aGrant({ access: 'consume', pattern: 'fanout', fanout: { target: 'appsync' } }),
      ['kinesis:DescribeStream', ...read],
      [],
    ],
    [
      'fanout via a custom WebSocket server',
      aGrant({ access: 'consume', pattern: 'fanout', fanout: { target: 'custom-websocket' } }),
      read,
      [],
    ],
  ])('%s', (_name, grant, stream, consumer) => {
    expect(streamActions(grant)).toEqual(stream);
    expect(consumerActions(grant)).toEqual(consumer);
    expect(streamActions(grant).some((a) => a.endsWith('*'))).toBe(false);
  });

  it('returns a fresh list each time (the unions are computed once and shared)', () => {
    const produce = aGrant();
    const efo = aGrant({ access: 'consume', pattern: 'efo', consumerName: 'c' });
    streamActions(produce).push('kinesis:Changed');
    consumerActions(efo).splice(0);
    expect(streamActions(produce)).not.toContain('kinesis:Changed');
    expect(consumerActions(efo)).toEqual(['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard']);
  });

  it('only consumers read through Lambda', () => {
    expect(readsThroughLambda({ access: 'produce', pattern: 'filtered' })).toBe(false);
  });
});

describe('Sids', () => {
  it.each([
    ['fraud-scorer-reads-transactions', 'FraudScorerReadsTransactions'],
    ['a_b.c', 'ABC'],
    ['x', 'X'],
  ])('%s -> %s', (id, sid) => {
    expect(sidFor(id)).toBe(sid);
    expect(sidFor(id)).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('keeps the ASCII letters and digits, each run starting with a capital (checked against split/map/join)', () => {
    const reference = (id: string, prefix: string) =>
      prefix +
      id
        .split(/[^A-Za-z0-9]+/)
        .filter((w) => w !== '')
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join('');
    const chars = fc.constantFrom(
      'a',
      'z',
      'A',
      'Z',
      '0',
      '9',
      '-',
      '_',
      '.',
      ' ',
      'é',
      'ß',
      'ı',
      '\u{1F600}',
      '`',
      '{',
      '@',
      '[',
    );
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 20 }).map((cs) => cs.join('')),
        fc.constantFrom('', 'Kms'),
        (id, prefix) => {
          const want = reference(id, prefix);
          expect(sidFor(id, prefix)).toBe(want === '' ? `G${shortHash(id)}` : want);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('falls back to a hash for ids with no letters or digits', () => {
    expect(sidFor('---')).toMatch(/^G[0-9a-f]{8}$/);
  });

  it('disambiguates ids that collapse to the same Sid, deterministically', () => {
    const sids = uniqueSids(['a-b', 'ab', 'c']);
    expect(sids.get('c')).toBe('C');
    expect(sids.get('a-b')).not.toBe(sids.get('ab'));
    expect(uniqueSids(['ab', 'a-b', 'c'])).toEqual(sids);
  });
});

/** IAM wildcard matching: `*` and `?`, case rules, policy variables, and no catastrophic backtracking. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actionMatches,
  coversAction,
  coversResource,
  globMatch,
  parsePolicy,
  resourceMatches,
  statementActions,
} from '../../src/core/policy/index.js';
import type { Statement } from '../../src/core/policy/index.js';

describe('globMatch', () => {
  it.each([
    ['kinesis:Get*', 'kinesis:GetRecords', true],
    ['kinesis:Get*', 'kinesis:PutRecord', false],
    ['kinesis:*', 'kinesis:', true],
    ['*', '', true],
    ['kinesis:List?hards', 'kinesis:ListShards', true],
    ['kinesis:List?hards', 'kinesis:ListSShards', false],
    ['kinesis:GetRecords', 'kinesis:GetRecordsX', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['a.c', 'abc', false],
    ['arn:${aws:username}', 'arn:anything', true],
    ['a${*}', 'a*', true],
    ['a${*}', 'ab', false],
    ['a${?}b', 'a?b', true],
  ])('%s ~ %s = %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text, false)).toBe(expected);
  });

  it('actions are case-insensitive, resources case-sensitive', () => {
    expect(actionMatches('KINESIS:get*', 'kinesis:GetRecords')).toBe(true);
    expect(resourceMatches('arn:aws:kinesis:*:stream/Orders', 'arn:aws:kinesis:eu-west-1:1:stream/orders')).toBe(false);
    expect(resourceMatches('arn:aws:kinesis:*:stream/orders', 'arn:aws:kinesis:eu-west-1:1:stream/orders')).toBe(true);
  });

  it('agrees with a RegExp reference on patterns without variables', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', '.', ':');
    const patterns = fc.string({ unit: alphabet, maxLength: 8 });
    const texts = fc.string({ unit: fc.constantFrom('a', 'b', '.', ':'), maxLength: 10 });
    fc.assert(
      fc.property(patterns, texts, (pattern, text) => {
        const body = pattern.replace(/[.:]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
        const reference = new RegExp(`^${body}$`, 's');
        expect(globMatch(pattern, text, false)).toBe(reference.test(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches a hostile pattern in linear-ish time (a RegExp would backtrack for ages)', () => {
    const pattern = `${'a*'.repeat(40)}b`;
    const text = 'a'.repeat(5000);
    const started = performance.now();
    expect(globMatch(pattern, text, true)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('statement coverage', () => {
  const st = (s: Record<string, unknown>) => parsePolicy({ Statement: s }).policy.statements[0] as Statement;
  const catalog = ['kinesis:GetRecords', 'kinesis:PutRecord', 'kinesis:AddTagsToStream'];

  it('Action covers what its patterns match, NotAction what they do not, no element nothing', () => {
    expect(statementActions(st({ Effect: 'Allow', Action: 'kinesis:Get*' }), catalog)).toEqual(['kinesis:GetRecords']);
    expect(statementActions(st({ Effect: 'Allow', NotAction: 'kinesis:Get*' }), catalog)).toEqual([
      'kinesis:PutRecord',
      'kinesis:AddTagsToStream',
    ]);
    expect(statementActions(st({ Effect: 'Allow' }), catalog)).toEqual([]);
    expect(coversAction({ kind: 'action', patterns: ['*'] }, 'anything:At')).toBe(true);
  });

  it('Resource covers matching ARNs, NotResource the others, no element the attached resource', () => {
    expect(coversResource({ kind: 'resource', patterns: ['arn:a/*'] }, 'arn:a/x')).toBe(true);
    expect(coversResource({ kind: 'not-resource', patterns: ['arn:a/*'] }, 'arn:a/x')).toBe(false);
    expect(coversResource({ kind: 'none' }, 'arn:a/x')).toBe(true);
  });
});

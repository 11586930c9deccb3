import { describe, expect, it } from 'vitest';
import { commonLines, restoreLayout } from '../../src/core/import/line-diff.js';

describe('commonLines (Myers)', () => {
  it.each([
    [
      ['a', 'b', 'c', 'd'],
      ['a', 'x', 'b', 'c', 'y', 'd', 'z'],
      [
        [0, 0],
        [1, 2],
        [2, 3],
        [3, 5],
      ],
    ],
    [[], ['a'], []],
    [['a'], [], []],
    [['a', 'b'], ['b', 'a'], [[1, 0]]],
    [
      ['a', 'a', 'b'],
      ['a', 'b', 'a', 'b'],
      [
        [0, 0],
        [1, 2],
        [2, 3],
      ],
    ],
  ])('%j vs %j', (a, b, expected) => {
    expect(commonLines(a, b)).toEqual(expected);
  });
});

describe('restoreLayout', () => {
  it('puts back the original bytes of lines the serialiser only reformatted, and keeps inserted lines', () => {
    expect(restoreLayout('a: [ 1 ]\nb: 2\n', 'a: [1]\nb: 2\n', 'a: [1]\nnew: 3\nb: 2\n')).toBe(
      'a: [ 1 ]\nnew: 3\nb: 2\n',
    );
  });
  it('keeps a line the edit changed in its edited form', () => {
    expect(restoreLayout('a: [ 1 ]\n', 'a: [1]\n', 'a: [1, 2]\n')).toBe('a: [1, 2]\n');
  });
  it('gives up (returns the edit) when the serialiser changed the line structure', () => {
    expect(restoreLayout('a: >\n  x\n', 'a: x\n\n\n', 'a: x\nb: 1\n')).toBe('a: x\nb: 1\n');
  });
});

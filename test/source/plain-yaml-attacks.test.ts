/**
 * Attacks on readPlainYaml's contract: for any text it either steps aside ({ ok: false }) or returns what
 * `jsYaml.load(text, { schema: CORE_SCHEMA })` returns (isDeepStrictEqual), and steps aside wherever js-yaml throws.
 * Each case gives the input, what js-yaml returns (written out, and checked against js-yaml itself) and what
 * readPlainYaml returned when the case was found by a differential fuzz (review branch plain-yaml-review).
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readPlainYaml } from '../../src/core/source/plain-yaml.js';
import { jsYamlLoad } from '../support/js-yaml-oracle.js';
import { xorshift32 } from '../support/xorshift.js';

const THROWS = Symbol('js-yaml throws');
const AGREES = 'agrees with js-yaml or steps aside';

/** AGREES, or what readPlainYaml wrongly returned (so a failure shows it). */
function verdict(text: string): unknown {
  const plain = readPlainYaml(text);
  if (!plain.ok) return AGREES;
  const oracle = jsYamlLoad(text);
  if (oracle.threw) return { readWhereJsYamlThrows: plain.data };
  return isDeepStrictEqual(plain.data, oracle.data) ? AGREES : { read: plain.data, jsYaml: oracle.data };
}

describe('a first line starting with `---` glued to content', () => {
  // js-yaml's readDocument takes any `---` at column 0 of the first content line for a document start, space after
  // it or not (testDocumentSeparator, which wants one, is not asked there). readPlainYaml's atMarker wants a space
  // or line end, so it reads `---a` as a key where js-yaml reads `a`.
  it.each([
    { text: '---a: 1\n', jsYaml: { a: 1 }, readerReturned: { '---a': 1 } },
    { text: '---a: 1\r\n', jsYaml: { a: 1 }, readerReturned: { '---a': 1 } },
    { text: '----: 1\n', jsYaml: { '-': 1 }, readerReturned: { '----': 1 } },
    { text: '---- x: 1\n', jsYaml: [{ x: 1 }], readerReturned: { '---- x': 1 } },
    { text: '---#c: 1\n', jsYaml: null, readerReturned: { '---#c': 1 } },
    { text: '# note\n  \n---"x": 1\n', jsYaml: { x: 1 }, readerReturned: { '---"x"': 1 } },
    { text: '---: 1\n', jsYaml: THROWS, readerReturned: { '---': 1 } },
    { text: '---\ufeff: x\n', jsYaml: { '\ufeff': 'x' }, readerReturned: { '---\ufeff': 'x' } },
  ])('$text', ({ text, jsYaml: expected, readerReturned }) => {
    // The oracle, written out, so the case cannot drift from what js-yaml does.
    expect(jsYamlLoad(text)).toStrictEqual(expected === THROWS ? { threw: true } : { threw: false, data: expected });
    // What readPlainYaml returned when this was found (documentation of the defect, not an expectation).
    expect(readerReturned).not.toStrictEqual(expected);
    expect(verdict(text)).toStrictEqual(AGREES);
  });

  it('still reads a real `---` line and `---` keys after the first line, as js-yaml does', () => {
    for (const text of ['--- \na: 1\n', '--- # c\na: 1\n', '---\n---a: 1\n', 'a: 1\n---a: 2\n', '  ---a: 1\n']) {
      expect(readPlainYaml(text).ok, text).toBe(true);
      expect(verdict(text), text).toStrictEqual(AGREES);
    }
  });
});

/** Texts over a tiny alphabet of YAML-significant tokens: short, dense in corner cases (this found the cases above). */
function tinyText(rand: () => number): string {
  const tokens = [
    'a',
    'b',
    '1',
    '0',
    ':',
    ': ',
    '-',
    '- ',
    '#',
    ' #',
    "'",
    '"',
    '[',
    ']',
    '{',
    '}',
    ',',
    '\n',
    '\n',
    '\n',
    ' ',
    '  ',
    '\r\n',
    '.',
    '~',
    '\\',
    '?',
    'e',
    '+',
    'x',
    '\t',
    '_',
    '__proto__',
    'null',
    '\u0085',
    '\ufeff',
    '---',
    '...',
  ];
  const pick = () => tokens[Math.floor(rand() * tokens.length)] as string;
  const heads = ['a:', 'a: ', '- ', 'a:\n  ', 'a:\n- ', '', '', '', '', '', ''];
  let text = heads[Math.floor(rand() * heads.length)] as string;
  for (let n = 1 + Math.floor(rand() * 25); n > 0; n--) text += pick();
  return text;
}

describe('readPlainYaml against js-yaml on tiny-alphabet texts', () => {
  it('agrees on 30,000 texts (or steps aside) and reads a fair share of them', () => {
    const rand = xorshift32(20261227);
    let read = 0;
    const problems: unknown[] = [];
    for (let i = 0; i < 30_000; i++) {
      const text = tinyText(rand);
      if (readPlainYaml(text).ok) read++;
      const v = verdict(text);
      if (v !== AGREES && problems.length < 3) problems.push({ text, ...(v as object) });
    }
    expect(problems).toEqual([]);
    // About 8% of them are read today; fewer would mean the test no longer exercises the reader.
    expect(read).toBeGreaterThan(1000);
  });
});

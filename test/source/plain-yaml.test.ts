/**
 * readPlainYaml must read exactly what js-yaml (core schema) reads, or step aside. The oracle is js-yaml itself: for
 * every input where readPlainYaml answers, js-yaml must not throw and the data must be deep-equal, prototypes
 * included (isDeepStrictEqual). Coverage is counted so the tests cannot pass by always stepping aside.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { generateMeshFiles } from '../../bench/generate-mesh.js';
import { readPlainYaml } from '../../src/core/source/plain-yaml.js';
import { jsYamlLoad } from '../support/js-yaml-oracle.js';
import { xorshift32 } from '../support/xorshift.js';

const REPO = new URL('../..', import.meta.url).pathname;

/** Whether readPlainYaml answered, and a disagreement with js-yaml if there is one. */
function compare(text: string): { ok: boolean; problem?: string } {
  const plain = readPlainYaml(text);
  if (!plain.ok) return { ok: false };
  const oracle = jsYamlLoad(text);
  if (oracle.threw) return { ok: true, problem: `js-yaml throws, readPlainYaml read it:\n${text}` };
  if (!isDeepStrictEqual(plain.data, oracle.data))
    return {
      ok: true,
      problem: `different data for:\n${text}\nplain: ${JSON.stringify(plain.data)}\njs-yaml: ${JSON.stringify(oracle.data)}`,
    };
  return { ok: true };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

function data(text: string): unknown {
  const r = readPlainYaml(text);
  if (!r.ok) throw new Error(`not read:\n${text}`);
  return r.data;
}

describe('readPlainYaml against js-yaml on real files', () => {
  it('agrees on every YAML file of the repository it reads, and reads most of them', () => {
    const files = [...yamlFiles(join(REPO, 'test')), ...yamlFiles(join(REPO, 'policies')), join(REPO, 'mesh.yaml')];
    let read = 0;
    const problems: string[] = [];
    for (const f of files) {
      const r = compare(readFileSync(f, 'utf8'));
      if (r.ok) read++;
      if (r.problem) problems.push(`${f}: ${r.problem}`);
    }
    expect(problems).toEqual([]);
    // 96 of 128 today: the rest are malformed fixtures and rule files with `>-` descriptions.
    expect(read).toBeGreaterThan(85);
  });

  it('reads every generated mesh (clean or not, split or single) as js-yaml does', () => {
    let read = 0;
    let files = 0;
    for (const clean of [true, false])
      for (const split of [true, false]) {
        const options = { domains: 6, streamsPerDomain: 4, grantsPerStream: 4, clean, seed: 3, externalEvery: 2 };
        for (const [name, text] of generateMeshFiles(options, split)) {
          const r = compare(text);
          expect(r.problem, name).toBeUndefined();
          expect(r.ok, `${name} (clean ${clean}, split ${split})`).toBe(true);
          read++;
        }
        files += generateMeshFiles({ domains: 6, streamsPerDomain: 4, grantsPerStream: 4, clean, seed: 3 }, split).size;
      }
    expect(read).toBeGreaterThanOrEqual(files);
    expect(read).toBeGreaterThan(10);
  });
});

/** Plain scalars, most of them special to the core schema or close to it. */
const SCALARS = [
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  'nul',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'False',
  'FALSE',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  '0',
  '-0',
  '+0',
  '00',
  '012',
  '0x1F',
  '0X1F',
  '0x1f',
  '-0x1F',
  '0x',
  '0xG',
  '0o17',
  '0o8',
  '0b101',
  '0b2',
  '+12',
  '-12',
  '1_000',
  '1,000',
  '12345678901234567890',
  '0.5',
  '.5',
  '5.',
  '-.5',
  '1.2.3',
  '1e3',
  '1E3',
  '1e+3',
  '1.5e-3',
  '1e',
  'e1',
  '.inf',
  '.Inf',
  '.INF',
  '-.inf',
  '+.inf',
  '-.Inf',
  '.nan',
  '.NaN',
  '.NAN',
  '-.nan',
  'inf',
  'nan',
  '.',
  '..',
  '-',
  '-a',
  '--',
  '+',
  'a-b',
  ':x',
  'a:b',
  'a :b',
  'a#b',
  'http://x.y/z?q=1',
  'a b  c',
  'é',
  '日本語',
  '😀',
  'x😀y',
  '@x',
  '`x',
  '%x',
  '=',
  '<<',
  '2024-01-01',
  '12:30',
  '1:2',
  'a,b',
  'a]b',
  'a}b',
  'a[b',
  'a{b',
  '0.',
  '1__0',
  '0b',
  '0o',
];
const QUOTED = [
  '"a"',
  '""',
  "''",
  "'it''s'",
  '"say \\"hi\\""',
  '"\\x41\\u00e9\\U0001F600"',
  '"tab\\there"',
  '"\\0\\a\\b\\e\\v\\f"',
  '"\\N\\_\\L\\P\\/\\ "',
  '"\\q"',
  '"\\x4"',
  '"\\uD800"',
  '"\\UFFFFFFFF"',
  '"a # b"',
  "'a: b'",
  '"- x"',
  '"null"',
  "'123'",
  '"  spaced  "',
  "'\\n'",
  '"a\\\\b"',
  '"[x]"',
];
const KEYS = [
  'a',
  'b',
  'id',
  'name',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '1',
  '01',
  '0x1',
  '1.0',
  'true',
  'TRUE',
  'null',
  '~',
  '.inf',
  '.nan',
  '"a"',
  "'b'",
  '"__proto__"',
  'a b',
  'é',
  '-1',
  '<<',
  '"1"',
  'x:y',
];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)] as T;
}

/** A random document of the subset: block mappings and sequences, compact items, flow collections, comments. */
function randomDocument(rand: () => number): string {
  const lines: string[] = [];
  const step = 1 + Math.floor(rand() * 3);
  const scalar = () => (rand() < 0.25 ? pick(rand, QUOTED) : pick(rand, SCALARS));
  const flow = (depth: number): string => {
    if (depth > 1 || rand() < 0.5) return scalar();
    if (rand() < 0.5) return `[${Array.from({ length: Math.floor(rand() * 3) }, () => flow(depth + 1)).join(', ')}]`;
    const n = Math.floor(rand() * 3);
    return `{ ${Array.from({ length: n }, () => `${pick(rand, KEYS)}: ${flow(depth + 1)}`).join(', ')} }`;
  };
  const comment = () => (rand() < 0.1 ? ' # note: x' : rand() < 0.05 ? '   ' : '');
  const node = (indent: number, depth: number, prefix: string): void => {
    const pad = ' '.repeat(indent);
    const kind = depth > 3 ? 0 : depth === 0 ? 1 + Math.floor(rand() * 2) : Math.floor(rand() * 3);
    if (kind === 0) {
      lines.push(`${prefix}${rand() < 0.3 ? flow(0) : scalar()}${comment()}`);
      return;
    }
    const n = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < n; i++) {
      if (rand() < 0.1) lines.push(rand() < 0.5 ? '' : `${' '.repeat(Math.floor(rand() * 6))}# comment`);
      const first = i === 0 && prefix !== '';
      const lead = first ? prefix : pad;
      const key = kind === 1 ? `${pick(rand, KEYS)}:` : '-';
      if (rand() < 0.5 && depth < 3) {
        if (kind === 2 && rand() < 0.5) node(indent + 2, depth + 1, `${lead}- `);
        else {
          lines.push(`${lead}${key}${comment()}`);
          const sameLevelSequence = kind === 1 && rand() < 0.2;
          node(sameLevelSequence ? indent : indent + step, depth + 1, '');
        }
      } else node(indent, depth + 1, `${lead}${key} `);
      if (first) prefix = '';
    }
  };
  if (rand() < 0.1) lines.push('---');
  node(0, 0, '');
  return `${lines.join(rand() < 0.1 ? '\r\n' : '\n')}${rand() < 0.9 ? '\n' : ''}`;
}

/** Near-subset variants: one to three small edits with YAML-significant characters or indentation. */
function mutate(rand: () => number, text: string): string {
  const pieces = [
    ':',
    ' ',
    '-',
    '#',
    "'",
    '"',
    '\n',
    '\t',
    '[',
    ']',
    '{',
    '}',
    ',',
    '\r\n',
    '\r',
    '&a',
    '*a',
    '!t',
    '? ',
    '|',
    '>',
    '\\',
    '\u0000',
    '\u0085',
    '\ufeff',
    '\u2028',
    '---\n',
    '...\n',
    '%YAML 1.2\n',
    'é',
    '\ud800',
    '  ',
  ];
  let t = text;
  for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
    const at = Math.floor(rand() * (t.length + 1));
    const op = Math.floor(rand() * 5);
    if (op === 0) t = t.slice(0, at) + pick(rand, pieces) + t.slice(at);
    else if (op === 1) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rand() * 3));
    else {
      const lines = t.split('\n');
      const i = Math.floor(rand() * lines.length);
      const line = lines[i] ?? '';
      if (op === 2) lines[i] = ` ${line}`;
      else if (op === 3) lines.splice(i, 0, line);
      else lines[i] = line.replace(/^ /, '');
      t = lines.join('\n');
    }
  }
  return t;
}

describe('readPlainYaml against js-yaml on random documents', () => {
  it('agrees on 3,000 random subset documents and reads most of the ones js-yaml accepts', () => {
    const rand = xorshift32(20261201);
    let read = 0;
    let acceptedByJsYaml = 0;
    const problems: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const text = randomDocument(rand);
      const r = compare(text);
      if (r.ok) read++;
      if (!jsYamlLoad(text).threw) acceptedByJsYaml++;
      if (r.problem) problems.push(r.problem);
    }
    expect(problems.slice(0, 3)).toEqual([]);
    expect(read).toBeGreaterThan(acceptedByJsYaml * 0.5);
  });

  it('agrees on 4,000 near-subset mutations (or steps aside)', () => {
    const rand = xorshift32(7);
    let read = 0;
    const problems: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const r = compare(mutate(rand, randomDocument(rand)));
      if (r.ok) read++;
      if (r.problem) problems.push(r.problem);
    }
    expect(problems.slice(0, 3)).toEqual([]);
    expect(read).toBeGreaterThan(200);
  });
});

describe('readPlainYaml on tricky scalars (values written out, and js-yaml agrees)', () => {
  it.each([
    ['~', null],
    ['null', null],
    ['Null', null],
    ['NULL', null],
    ['nULL', 'nULL'],
    ['TRUE', true],
    ['False', false],
    ['yes', 'yes'],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['012', 12],
    ['+12', 12],
    ['-0x1F', -31],
    ['1_000', '1_000'],
    ['1e3', 1000],
    ['.5', 0.5],
    ['.inf', Infinity],
    ['-.Inf', -Infinity],
    ['.nan', NaN],
    ['.NaN', NaN],
    ['-.nan', '-.nan'],
    ['0x', '0x'],
    ['2024-01-01', '2024-01-01'],
    ['a#b', 'a#b'],
    ['a # b', 'a'],
    [':x', ':x'],
    ['"\\x41\\u00e9\\U0001F600"', 'Aé😀'],
    ["'it''s'", "it's"],
    ['"a\\\\b\\"c"', 'a\\b"c'],
    ['[1, "2", ~, { x: .inf }]', [1, '2', null, { x: Infinity }]],
  ])('v: %s', (source, value) => {
    const text = `v: ${source}\n`;
    expect(data(text)).toStrictEqual({ v: value });
    expect(jsYamlLoad(text)).toStrictEqual({ threw: false, data: { v: value } });
  });

  it('makes plain keys strings the way js-yaml does', () => {
    expect(data('1: a\n0x10: b\n~: c\ntrue: d\n.inf: e\n"1.0": f\n1.50: g\n')).toStrictEqual({
      '1': 'a',
      '16': 'b',
      null: 'c',
      true: 'd',
      Infinity: 'e',
      '1.0': 'f',
      '1.5': 'g',
    });
  });

  it('keeps `__proto__` an own key and the prototype untouched, as js-yaml does', () => {
    const value = data('__proto__: { polluted: true }\nb: 1\n') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'b']);
    expect((value as { polluted?: boolean }).polluted).toBeUndefined();
    expect(isDeepStrictEqual(value, jsYaml.load('__proto__: { polluted: true }\nb: 1\n'))).toBe(true);
  });

  it('reads the shapes mesh files use', () => {
    const text = [
      '# comment',
      '---',
      'a:',
      '  - id: "1"',
      '    tags: { mode: provisioned, shards: 2 }',
      '    list: ["123456789012", [x, {y: z}]]',
      '  - - nested',
      '    - seq',
      '  -',
      '    k: v   # trailing',
      'b:',
      '- same-level',
      '',
      "c: 'q'",
      'd:',
      'e: x:y',
      '',
    ].join('\n');
    expect(data(text)).toStrictEqual({
      a: [
        { id: '1', tags: { mode: 'provisioned', shards: 2 }, list: ['123456789012', ['x', { y: 'z' }]] },
        ['nested', 'seq'],
        { k: 'v' },
      ],
      b: ['same-level'],
      c: 'q',
      d: null,
      e: 'x:y',
    });
    expect(compare(text).problem).toBeUndefined();
  });
});

describe('readPlainYaml steps aside outside the subset', () => {
  it.each([
    ['literal block scalar', 'a: |\n  x\n'],
    ['folded block scalar', 'a: >-\n  x\n'],
    ['plain scalar continued', 'a: x\n  y\n'],
    ['plain scalar on the next line', 'a:\n  x\n'],
    ['quoted scalar continued', 'a: "x\n  y"\n'],
    ['flow collection over lines', 'a: [1,\n  2]\n'],
    ['comment inside a flow collection', 'a: [1, # c\n  2]\n'],
    ['tab indentation', 'a:\n\tb: 1\n'],
    ['tab in a value', 'a: x\ty\n'],
    ['anchor and alias', 'a: &x 1\nb: *x\n'],
    ['tag', 'a: !!str 1\n'],
    ['duplicate key', 'a: 1\na: 2\n'],
    ['duplicate key after resolution', '1: a\n0x1: b\n'],
    ['duplicate flow key', 'a: { x: 1, x: 2 }\n'],
    ['flow key', '[a]: 1\n'],
    ['explicit key', '? a\n: 1\n'],
    ['deeper line after a value', 'a: 1\n  b: 2\n'],
    ['line between two indentations', 'a:\n    b: 1\n  c: 2\n'],
    ['second document', 'a: 1\n---\nb: 2\n'],
    ['document end', 'a: 1\n...\n'],
    ['directive', '%YAML 1.2\n---\na: 1\n'],
    ['content after ---', '--- a: 1\n'],
    ['key: a: b', 'a: b: c\n'],
    ['pair in a flow sequence', 'a: [x: 1]\n'],
    ['flow key without value', 'a: {x}\n'],
    ['empty flow entry', 'a: [1,,2]\n'],
    ['unknown escape', 'a: "\\q"\n'],
    ['escaped line break', 'a: "x\\\n  y"\n'],
    ['root scalar', 'hello\n'],
    ['root flow collection', '{a: 1}\n'],
    ['empty text', ''],
    ['only comments', '# nothing\n'],
    ['byte order mark', '\ufeffa: 1\n'],
    ['NUL', 'a: 1\u0000\n'],
    ['lone CR', 'a: 1\rb: 2\n'],
    ['C1 control in a plain scalar', 'a: x\u0085y\n'],
    ['unpaired surrogate in a plain scalar', 'a: x\ud800y\n'],
    ['value of a key on a sequence line', 'a: - b\n'],
    ['shallower dash after an empty item', 'a:\n  -\n- b\n'],
    ['nesting beyond 90', `${'- '.repeat(95)}x\n`],
  ])('%s', (_name, text) => {
    expect(readPlainYaml(text).ok).toBe(false);
  });
});

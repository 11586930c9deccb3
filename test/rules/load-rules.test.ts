import { describe, expect, it } from 'vitest';
import { BUILTIN_VALIDATORS, SchemaCache } from '../../src/core/rules/compile.js';
import { loadRules, parseRuleFile } from '../../src/core/rules/index.js';
import { check, meshYaml, position, where, withCode } from './helpers.js';

const VALID = [
  'id: stream-description-required',
  'title: Every stream is described',
  'description: Streams carry a description.',
  'severity: warning',
  'appliesTo: stream',
  'requirement:',
  '  required: [description]',
  'message: "Stream `{{name}}` has no description."',
  '',
].join('\n');

function parse(text: string, file = 'policies/stream-description-required.yaml') {
  return parseRuleFile(file, text);
}

describe('rule files', () => {
  it('a valid file gives a rule and no diagnostics', () => {
    const r = parse(VALID);
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.id).toBe('stream-description-required');
    expect(r.value?.file).toBe('policies/stream-description-required.yaml');
  });

  it('a user rule runs like a built-in one', () => {
    const rule = parse(VALID).value!;
    const text = meshYaml();
    const ds = withCode(check(text, [rule]).diagnostics, 'stream-description-required');
    expect(ds.map(where)).toEqual([
      position(text, '- name: payments.orders.v1', 'name:'),
      position(text, '- name: risk.scores.v1', 'name:'),
    ]);
    expect(ds.map((d) => d.severity)).toEqual(['warning', 'warning']);
  });

  it('a {$param} naming an inherited member (constructor, toString) is undeclared, with or without precompiled schemas', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__'])
      for (const cache of [new SchemaCache(), new SchemaCache(new Map())]) {
        // Without the own-member check the function it names vanished from the schema's JSON text, which is the key
        // of a built-in precompiled validator ({"required":["description"]}): `not` was silently dropped.
        const text = VALID.replace('  required: [description]', `  required: [description]\n  not: {$param: ${name}}`);
        const r = parseRuleFile('policies/stream-description-required.yaml', text, cache);
        expect(r.value, name).toBeUndefined();
        expect(
          r.diagnostics.map((d) => [d.code, d.message]),
          name,
        ).toEqual([
          [
            'rule-param-undeclared',
            `The requirement refers to undeclared parameter(s) \`${name}\`; declare them under \`params\`.`,
          ],
        ]);
      }
  });

  it('two rules whose schemas differ only where JSON has no word (.nan and null) keep their own validators', () => {
    const rule = (id: string, value: string) => ({
      file: `${id}.yaml`,
      text: [
        `id: ${id}`,
        'title: t',
        'description: d',
        'severity: error',
        'appliesTo: stream',
        'requirement:',
        '  properties:',
        `    x: { const: ${value} }`,
        'message: m',
        '',
      ].join('\n'),
    });
    for (const order of [
      ['null-rule', 'nan-rule'],
      ['nan-rule', 'null-rule'],
    ]) {
      const cache = new SchemaCache();
      const loaded = loadRules(
        order.map((id) => rule(id, id === 'null-rule' ? 'null' : '.nan')),
        cache,
      );
      expect(loaded.diagnostics).toEqual([]);
      const answers = Object.fromEntries(
        loaded.value.map((r) => [r.id, cache.compile(r.requirement as Record<string, unknown>, {})({ x: null })]),
      );
      // `const: null` holds for null whichever rule was compiled first; `const: NaN` holds for nothing.
      expect(answers, order.join(' then ')).toEqual({ 'null-rule': true, 'nan-rule': false });
    }
  });

  it('an invalid rule schema names each fault once (the meta-schema vocabularies each report it)', () => {
    const text = VALID.replace('  required: [description]', '  required: [description]\n  not: 5');
    const r = parse(text);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        'rule-schema-invalid',
        'The requirement is not a valid JSON Schema: schema is invalid: data/not must be object,boolean',
      ],
    ]);
  });

  it('a precompiled validator is used only for a schema that is JSON data exactly', () => {
    const key = JSON.stringify({ required: ['description'] });
    expect(BUILTIN_VALIDATORS.has(key)).toBe(true);
    const cache = new SchemaCache();
    // A parameter value that JSON.stringify drops: the key is the built-in one, the schema is not.
    const schema = { required: ['description'], not: { $param: 'p' } };
    expect(() => cache.compile(schema, { p: (() => undefined) as unknown as string })).toThrow(
      /not must be object,boolean/,
    );
    expect(cache.compile({ required: ['description'] }, {})).toBe(BUILTIN_VALIDATORS.get(key));
  });

  const BAD: [string, string, string, string, string][] = [
    // [what, text, code, line needle, token]
    [
      'a duplicate key',
      VALID.replace('appliesTo: stream', 'appliesTo: stream\nseverity: error'),
      'yaml-duplicate-key',
      'severity: error',
      'severity',
    ],
    ['YAML syntax', 'id: x\ntitle: a: b\n', 'yaml-syntax', 'title: a: b', 'a: b'],
    ['an empty file', '# nothing\n', 'file-empty', '# nothing', '#'],
    [
      'a missing key',
      VALID.replace('severity: warning\n', ''),
      'rule-file-missing-key',
      'id: stream-description-required',
      'id',
    ],
    [
      'a misspelt key',
      VALID.replace('requirement:', 'requirment:'),
      'rule-file-unknown-key',
      'requirment:',
      'requirment',
    ],
    [
      'a bad severity',
      VALID.replace('severity: warning', 'severity: fatal'),
      'rule-file-enum',
      'severity: fatal',
      'fatal',
    ],
    [
      'an id that is not the file name',
      VALID.replace('id: stream-description-required', 'id: stream-described'),
      'rule-file-id-mismatch',
      'id: stream-described',
      'stream-described',
    ],
    [
      'an unknown function',
      VALID.replace('requirement:\n  required: [description]', 'function: matches-patern'),
      'rule-unknown-function',
      'function: matches-patern',
      'matches-patern',
    ],
    [
      'an invalid requirement schema',
      VALID.replace('  required: [description]', '  requried: [description]'),
      'rule-schema-invalid',
      '  requried',
      'requried',
    ],
    [
      'an undeclared parameter',
      VALID.replace('  required: [description]', '  properties: { readerCount: { maximum: { $param: max } } }'),
      'rule-param-undeclared',
      'properties: { readerCount',
      'properties',
    ],
    [
      'a default of the wrong type',
      VALID.replace('requirement:', 'params:\n  max: { type: integer, default: ten, tighten: lower }\nrequirement:'),
      'rule-param-default-type',
      'default: ten',
      'ten',
    ],
    [
      'a function without its parameters',
      VALID.replace('requirement:\n  required: [description]', 'function: matches-pattern'),
      'rule-function-param-missing',
      'function: matches-pattern',
      'matches-pattern',
    ],
  ];

  it.each(BAD)('%s is a located diagnostic in the rule file, not a crash', (_what, text, code, needle, token) => {
    const r = parse(text);
    expect(r.value).toBeUndefined();
    const ds = withCode(r.diagnostics, code);
    expect(ds.length).toBeGreaterThanOrEqual(1);
    expect(ds[0]?.file).toBe('policies/stream-description-required.yaml');
    expect(ds[0]?.severity).toBe('error');
    expect(where(ds[0]!)).toBe(position(text, needle, token));
  });

  it('a duplicate id in a later directory is an error; the first definition wins', () => {
    const r = loadRules([
      { file: 'policies/stream-description-required.yaml', text: VALID },
      { file: 'mine/stream-description-required.yaml', text: VALID.replace('severity: warning', 'severity: error') },
    ]);
    expect(r.value.map((x) => [x.id, x.severity])).toEqual([['stream-description-required', 'warning']]);
    expect(r.diagnostics.map((d) => [d.code, d.file, where(d)])).toEqual([
      ['rule-duplicate-id', 'mine/stream-description-required.yaml', '1:5'],
    ]);
  });

  it('a rule cannot take the id of an audit check (one id space configures and waives both)', () => {
    const r = loadRules([
      { file: 'mine/hot-shard.yaml', text: VALID.replace('id: stream-description-required', 'id: hot-shard') },
    ]);
    expect(r.value).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.file, where(d)])).toEqual([
      ['rule-duplicate-id', 'mine/hot-shard.yaml', '1:5'],
    ]);
    expect(r.diagnostics[0]?.message).toContain('the id of a built-in audit check');
  });

  it('a byte-identical copy of a loaded rule (a vendored default pack) is skipped, not an error', () => {
    const r = loadRules([
      { file: 'policies/stream-description-required.yaml', text: VALID },
      { file: 'repo/policies/stream-description-required.yaml', text: VALID },
    ]);
    expect(r.value.map((x) => [x.id, x.file])).toEqual([
      ['stream-description-required', 'policies/stream-description-required.yaml'],
    ]);
    expect(r.diagnostics).toEqual([]);
  });

  it('a function that throws becomes a finding at the entity, not a crash', () => {
    const text = [
      'id: stream-name-broken',
      'title: Broken pattern',
      'description: The pattern is not a regular expression.',
      'severity: warning',
      'appliesTo: stream',
      'function: matches-pattern',
      'params:',
      '  field: { type: string, default: name, tighten: fixed }',
      '  pattern: { type: string, default: "(", tighten: fixed }',
      'message: "{{name}}"',
    ].join('\n');
    const rule = parseRuleFile('policies/stream-name-broken.yaml', text).value!;
    expect(rule).toBeDefined();
    const mesh = meshYaml();
    const ds = withCode(check(mesh, [rule]).diagnostics, 'stream-name-broken');
    expect(ds.map((d) => [d.severity, where(d)])).toEqual([
      ['error', position(mesh, '- name: payments.orders.v1', 'name:')],
      ['error', position(mesh, '- name: risk.scores.v1', 'name:')],
    ]);
    expect(ds[0]?.message).toMatch(/could not be evaluated for `stream\/payments.orders.v1`/);
  });
});

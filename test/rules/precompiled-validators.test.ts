/**
 * The built-in rule pack's selectors and requirements, precompiled at their default parameters
 * (src/core/rules/builtin-rule-validators.generated.ts): what loading the pack uses, and the same answers and
 * errors as compiling the schema at run time, on the values of real and generated meshes and mutants of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { generateMesh } from '../../bench/generate-mesh.js';
import { loadMesh } from '../../src/core/model/load.js';
import { compileRuleSchema, ruleAjv } from '../../src/core/rules/ajv.js';
import { BUILTIN_VALIDATORS, SchemaCache, substituteParams } from '../../src/core/rules/compile.js';
import { defaultParams, loadRules, parseRuleFile } from '../../src/core/rules/load-rules.js';
import { eachView, indexMesh } from '../../src/core/rules/views.js';
import { xorshift32 } from '../support/xorshift.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const POLICIES = join(REPO, 'policies');
const files = readdirSync(POLICIES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(join(POLICIES, f), 'utf8') }));

/** Every schema of the pack at its default parameters, with the JSON text the cache keys it by. */
function packSchemas(): { rule: string; key: string; concrete: Record<string, unknown> }[] {
  const rules = loadRules(files).value;
  return rules.flatMap((rule) =>
    [rule.selector, rule.requirement].flatMap((schema) => {
      if (schema === undefined) return [];
      const concrete = substituteParams(schema, defaultParams(rule)) as Record<string, unknown>;
      return [{ rule: rule.id, key: JSON.stringify(concrete), concrete }];
    }),
  );
}

/** Every object and array inside a value (entities, their parts), the value itself first. */
function parts(v: unknown, out: unknown[] = []): unknown[] {
  if (v !== null && typeof v === 'object') {
    out.push(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) parts(x, out);
  }
  return out;
}

/** A copy of `v` with one random change: a key dropped, a value replaced by another type, an element added. */
function mutant(v: unknown, rand: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(v)) as unknown;
  const nodes = parts(copy).filter((n) => !Array.isArray(n)) as Record<string, unknown>[];
  const node = nodes[Math.floor(rand() * nodes.length)];
  if (node === undefined) return copy;
  const keys = Object.keys(node);
  const key = keys[Math.floor(rand() * keys.length)];
  const replacements: unknown[] = [null, 7, -1, 1.5, '', 'x', true, [], {}, ['a'], { a: 1 }, 'KMS', 'restricted'];
  const pick = rand();
  if (key === undefined || pick < 0.2) node['extra'] = replacements[Math.floor(rand() * replacements.length)];
  else if (pick < 0.5) delete node[key];
  else node[key] = replacements[Math.floor(rand() * replacements.length)];
  return copy;
}

describe('precompiled validators of the built-in rule pack', () => {
  it('hold every selector and requirement of the pack at its default parameters, and loading the pack uses them', () => {
    const schemas = packSchemas();
    expect(schemas.length).toBeGreaterThan(20);
    expect(new Set(schemas.map((s) => s.key))).toEqual(new Set(BUILTIN_VALIDATORS.keys()));
    const cache = new SchemaCache();
    const rules = loadRules(files, cache).value;
    for (const rule of rules)
      for (const schema of [rule.selector, rule.requirement])
        if (schema !== undefined)
          expect(cache.compile(schema, defaultParams(rule))).toBe(
            BUILTIN_VALIDATORS.get(JSON.stringify(substituteParams(schema, defaultParams(rule)))),
          );
  });

  it('are not used for other parameters: an overridden parameter is compiled at run time and applied', () => {
    const rule = loadRules(files).value.find((r) => r.requirement !== undefined && Object.keys(r.params).length > 0);
    if (rule?.requirement === undefined) throw new Error('the pack has no parameterised requirement');
    const params = Object.fromEntries(
      Object.entries(rule.params).map(([k, p]) => [k, p.type === 'string' ? 'zz-other' : 123456]),
    );
    const fn = new SchemaCache().compile(rule.requirement, params);
    expect([...BUILTIN_VALIDATORS.values()]).not.toContain(fn);
  });

  it('never lend a built-in validator to a schema whose `__proto__` member JSON leaves out: refused, located', () => {
    // A built-in requirement (domain-description-required) plus a `__proto__` block: as a prototype, its keywords
    // would be read by ajv but left out of the JSON text the cache is keyed by.
    const text = [
      'id: my-rule',
      'title: t',
      'description: d',
      'severity: error',
      'appliesTo: domain',
      'requirement:',
      '  required: [description]',
      '  __proto__:',
      '    properties:',
      '      description:',
      "        pattern: '^approved:'",
      'message: m',
      '',
    ].join('\n');
    const r = parseRuleFile('my-rule.yaml', text);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.path.join('.'), d.line])).toEqual([
      ['rule-schema-invalid', 'requirement.__proto__', 8],
    ]);
    // Substituted, the member stays an own one: in the JSON text, so no other schema's validator matches it.
    const schema = JSON.parse('{"required":["description"],"__proto__":{"minLength":3}}') as Record<string, unknown>;
    const concrete = substituteParams(schema, {}) as object;
    expect(Object.getPrototypeOf(concrete)).toBe(Object.prototype);
    expect(JSON.stringify(concrete)).toBe('{"required":["description"],"__proto__":{"minLength":3}}');
  });

  it('answer as the schema compiled at run time does, with the same errors, on mesh values and their mutants', () => {
    const meshes = [
      readFileSync(join(REPO, 'mesh.yaml'), 'utf8'),
      generateMesh({ domains: 4, streamsPerDomain: 6, grantsPerStream: 3, seed: 3 }),
      generateMesh({ domains: 3, streamsPerDomain: 5, grantsPerStream: 4, seed: 11, clean: true }),
    ];
    // What rules see (entity views), and the raw documents' parts.
    const views = meshes.flatMap((text) => {
      const mesh = loadMesh('mesh.yaml', { read: () => text }).mesh;
      if (!mesh) throw new Error('a corpus mesh does not load');
      const ix = indexMesh(mesh, '2026-06-01');
      return (['mesh', 'domain', 'stream', 'grant', 'consumer'] as const).flatMap((k) =>
        [...eachView(ix, k)].map((v) => JSON.parse(JSON.stringify(v.value)) as unknown),
      );
    });
    const values = [...views, ...meshes.flatMap((m) => parts(load(m)))];
    const rand = xorshift32(2026);
    const corpus = [...values, ...values.map((v) => mutant(v, rand)), ...values.map((v) => mutant(v, rand))];
    const ajv = ruleAjv();
    let failing = 0;
    for (const { key, concrete } of packSchemas()) {
      const pre = BUILTIN_VALIDATORS.get(key);
      if (pre === undefined) throw new Error(`not precompiled: ${key}`);
      const now = compileRuleSchema(ajv, concrete);
      for (const v of corpus) {
        const a = pre(v);
        const b = now(v);
        expect([a, a ? null : pre.errors]).toEqual([b, b ? null : now.errors]);
        if (!a) failing++;
      }
    }
    // The corpus exercises failures as well as passes.
    expect(failing).toBeGreaterThan(1000);
  });
});

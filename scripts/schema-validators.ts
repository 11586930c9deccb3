/**
 * Standalone (precompiled) ajv validators of meshgov's own schemas: the mesh and domain files, guardrail rule
 * files, and the selectors and requirements of the built-in rule pack. Compiling them at run time took ~300 ms of
 * every CLI run for the mesh schemas, ~100 ms for the rule file schema (ajv's code generation, and the draft 2020-12
 * meta-schema compiled to check each) and ~40 ms for the pack, plus ~60 ms to load ajv's compiler at all, against a
 * few milliseconds to load the generated modules. The ajv options here are the ones the validators run with; the
 * messages of src/core/model/schema-check.ts read `parentSchema`, so `verbose` must stay on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Options } from 'ajv';
import { _ } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';
import { domainFileSchema, meshSchema } from '../src/core/model/schema.js';
import { RULE_AJV_OPTIONS } from '../src/core/rules/ajv.js';
import { substituteParams } from '../src/core/rules/compile.js';
import { defaultParams, parseRuleFile } from '../src/core/rules/load-rules.js';
import { ruleFileSchema } from '../src/core/rules/rule-schema.js';

// ajv-formats and ajv's standalone module are published as CommonJS with a default export.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
type StandaloneCode = typeof standaloneModule.default;
const standaloneCode: StandaloneCode =
  (standaloneModule as unknown as { default?: StandaloneCode }).default ??
  (standaloneModule as unknown as StandaloneCode);

interface Target {
  path: string;
  /** What the schemas are, for the file's header. */
  from: string;
  options: Options;
  formats: boolean;
  /** Export name -> schema, or the id of a schema ajv already holds (its meta-schemas). */
  schemas: Record<string, object | string>;
  /** Appended to the module. */
  footer?: string;
}

/**
 * The selectors and requirements of the built-in rule pack (policies/), with their parameters at their defaults,
 * as the SchemaCache keys them (the JSON text of the schema with parameters substituted). A rule whose parameters a
 * mesh overrides, and every rule of another policy directory, is compiled at run time as before.
 */
function builtinRuleSchemas(): { schemas: Record<string, object>; keys: string[] } {
  const dir = fileURLToPath(new URL('../policies', import.meta.url));
  const byKey = new Map<string, object>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const rule = parseRuleFile(name, readFileSync(join(dir, name), 'utf8')).value;
    if (!rule) throw new Error(`policies/${name} does not load`);
    for (const schema of [rule.selector, rule.requirement]) {
      if (schema === undefined) continue;
      const concrete = substituteParams(schema, defaultParams(rule)) as object;
      byKey.set(JSON.stringify(concrete), concrete);
    }
  }
  const keys = [...byKey.keys()];
  return { schemas: Object.fromEntries(keys.map((k, i) => [`rule${i}`, byKey.get(k) as object])), keys };
}

const builtin = builtinRuleSchemas();

const TARGETS: Target[] = [
  {
    path: 'src/core/model/mesh-validators.generated.ts',
    from: 'src/core/model/schema.ts',
    options: { allErrors: true, strict: false, unicodeRegExp: true, verbose: true },
    formats: true,
    schemas: { mesh: meshSchema, domain: domainFileSchema },
  },
  {
    path: 'src/core/rules/rule-file-validator.generated.ts',
    from: 'src/core/rules/rule-schema.ts',
    options: { allErrors: true, strict: false, verbose: true },
    formats: false,
    schemas: { ruleFile: ruleFileSchema },
  },
  {
    path: 'src/core/rules/rule-meta-validator.generated.ts',
    from: "ajv's draft 2020-12 meta-schema, with the options of src/core/rules/ajv.ts",
    options: RULE_AJV_OPTIONS,
    formats: true,
    schemas: { meta: 'https://json-schema.org/draft/2020-12/schema' },
  },
  {
    path: 'src/core/rules/builtin-rule-validators.generated.ts',
    from: 'the selectors and requirements of policies/*.yaml at their default parameters, with the options of src/core/rules/ajv.ts',
    options: RULE_AJV_OPTIONS,
    formats: true,
    schemas: builtin.schemas,
    footer: [
      '/** By the JSON text of the schema, parameters substituted (the key of SchemaCache). */',
      `export const byKey = new Map([${builtin.keys.map((k, i) => `[${JSON.stringify(k)}, rule${i}]`).join(', ')}]);`,
    ].join('\n'),
  },
];

function generate(t: Target): string {
  const ajv = new Ajv2020({
    ...t.options,
    code: {
      source: true,
      esm: true,
      ...(t.formats ? { formats: _`require("ajv-formats/dist/formats").fullFormats` } : {}),
    },
  });
  if (t.formats) (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const refs: Record<string, string> = {};
  for (const [name, schema] of Object.entries(t.schemas)) {
    if (typeof schema === 'string') refs[name] = schema;
    else {
      ajv.addSchema(schema, name);
      refs[name] = name;
    }
  }
  const code = standaloneCode(ajv, refs).replace(/^"use strict";/, '');
  return [
    `// Generated by scripts/generate-schema-validators.ts from ${t.from} (ajv standalone). Do not edit.`,
    '/* eslint-disable */',
    '// @ts-nocheck',
    // ajv's runtime helpers and ajv-formats are CommonJS; `require` loads them the same way under Node and vitest.
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    code,
    ...(t.footer !== undefined ? [t.footer] : []),
    '',
  ].join('\n');
}

/** The generated files (path relative to the repository root, text). */
export function schemaValidatorFiles(): { path: string; text: string }[] {
  return TARGETS.map((t) => ({ path: t.path, text: generate(t) }));
}

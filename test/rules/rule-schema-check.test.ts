import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { compileRuleSchema, RULE_AJV_OPTIONS, ruleAjv } from '../../src/core/rules/ajv.js';

const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

/** What ajv itself throws for the schema, checking it against the meta-schema on its own (no precompiled code). */
function ajvOwnError(schema: Record<string, unknown>): string | undefined {
  const ajv = new Ajv2020(RULE_AJV_OPTIONS);
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  try {
    ajv.compile(schema);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function ourError(schema: Record<string, unknown>): string | undefined {
  try {
    compileRuleSchema(ruleAjv(), schema);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('rule schemas are checked against the meta-schema with a precompiled validator', () => {
  it.each([
    ['a misspelt type', { type: 'object', properties: { a: { type: 'strin' } } }],
    ['a negative length', { properties: { name: { type: 'string', minLength: -1 } } }],
    ['required as a string', { required: 'name' }],
    ['a bad $data pointer inside a keyword', { properties: { a: { const: { $data: 7 } } } }],
    ['an unknown keyword (strict schema)', { type: 'object', requried: ['name'] }],
    ['an explicit draft-07 $schema', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }],
    ['an explicit 2020-12 $schema', { $schema: 'https://json-schema.org/draft/2020-12/schema', minItems: 'x' }],
  ])('%s: the same error as ajv checking it itself', (_name, schema) => {
    const expected = ajvOwnError(schema);
    expect(expected).toBeDefined();
    expect(ourError(schema)).toBe(expected);
  });

  it('a valid schema compiles and validates as before', () => {
    const schema = { type: 'object', required: ['name'], properties: { max: { const: { $data: '1/name' } } } };
    expect(ajvOwnError(schema)).toBeUndefined();
    const validate = compileRuleSchema(ruleAjv(), schema);
    expect(validate({ name: 1, max: 1 })).toBe(true);
    expect(validate({ name: 1, max: 2 })).toBe(false);
  });
});

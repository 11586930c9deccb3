import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Options } from 'ajv';
import type addFormatsModule from 'ajv-formats';
import { lazyModule } from '../lazy-module.js';
import * as precompiled from './rule-meta-validator.generated.js';

// ajv's compiler and ajv-formats are loaded by the first rule schema compiled at run time (~60 ms of start-up): the
// built-in pack at its default parameters is precompiled (compile.ts), so most runs load neither.
const ajv2020Module = lazyModule<typeof import('ajv/dist/2020.js')>('ajv/dist/2020.js');
// ajv-formats is published as CommonJS with a default export object.
const formatsModule = lazyModule<typeof addFormatsModule & { default?: typeof addFormatsModule }>('ajv-formats');

/**
 * Options of the ajv instance for rule selectors and requirements. Strict about the schema itself (an unknown keyword
 * such as a misspelt `requried` is a mistake in the rule file, not something to ignore), lenient about types, and
 * with `$data` so a requirement can compare two fields of the same entity. The precompiled meta-schema validator
 * (scripts/schema-validators.ts) is generated with these options.
 */
export const RULE_AJV_OPTIONS: Options = {
  allErrors: true,
  $data: true,
  unicodeRegExp: true,
  logger: false,
  strict: false,
  strictSchema: true,
  strictNumbers: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
};

/** The draft 2020-12 meta-schema, what a rule schema without `$schema` is checked against. */
const META_SCHEMA_ID = 'https://json-schema.org/draft/2020-12/schema';

/**
 * The ajv instance for rule selectors and requirements. It does not check schemas against the meta-schema itself
 * (compiling the meta-schema was ~120 ms of every cold run): {@link compileRuleSchema} does, with a precompiled
 * meta-schema validator.
 */
export function ruleAjv(): Ajv2020 {
  const { Ajv2020: Ajv } = ajv2020Module();
  const formats = formatsModule();
  const addFormats = (formats.default ?? formats) as unknown as (a: Ajv2020) => void;
  const ajv = new Ajv({ ...RULE_AJV_OPTIONS, validateSchema: false });
  addFormats(ajv);
  return ajv;
}

const metaSchemaValidator = precompiled.meta as unknown as ((schema: unknown) => boolean) & {
  errors?: Parameters<Ajv2020['errorsText']>[0];
};

/**
 * Compile a rule schema on an instance from {@link ruleAjv}, checking it against its meta-schema first as ajv's
 * `validateSchema` option would, with the same error ("schema is invalid: data/... must ...").
 */
export function compileRuleSchema(ajv: Ajv2020, schema: Record<string, unknown>) {
  const $schema = schema['$schema'];
  if ($schema === undefined || $schema === META_SCHEMA_ID) {
    if (!metaSchemaValidator(schema)) {
      // The 2020-12 meta-schema is a set of vocabularies that each report the same fault: once each here.
      const seen = new Map((metaSchemaValidator.errors ?? []).map((e) => [`${e.instancePath} ${e.message ?? ''}`, e]));
      throw new Error(`schema is invalid: ${ajv.errorsText([...seen.values()])}`);
    }
  } else ajv.validateSchema(schema, true);
  return ajv.compile(schema);
}

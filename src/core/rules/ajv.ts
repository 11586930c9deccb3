import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is published as CommonJS with a default export object.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

/**
 * The ajv instance for rule selectors and requirements. Strict about the schema itself (an unknown keyword such
 * as a misspelt `requried` is a mistake in the rule file, not something to ignore), lenient about types, and
 * with `$data` so a requirement can compare two fields of the same entity.
 */
export function ruleAjv(): Ajv2020 {
  const ajv = new Ajv2020({
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
  });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv;
}

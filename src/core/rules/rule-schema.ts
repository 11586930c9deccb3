/**
 * The JSON Schema (draft 2020-12) of a guardrail rule file in policies/. Documented in docs/rules.md. After a change,
 * run `npx tsx scripts/generate-schema-validators.ts` (rule files are checked with a precompiled validator).
 */

export const RULE_ID_PATTERN = '^[a-z0-9][a-z0-9-]*$';

export const ruleFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://meshgov.dev/schema/v1/rule.schema.json',
  title: 'meshgov guardrail rule',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'description', 'severity', 'appliesTo', 'message'],
  anyOf: [{ required: ['requirement'] }, { required: ['function'] }],
  properties: {
    $schema: { type: 'string' },
    id: {
      type: 'string',
      pattern: RULE_ID_PATTERN,
      maxLength: 128,
      description: 'Rule id; equal to the file name without .yaml.',
    },
    title: { type: 'string', minLength: 1, maxLength: 120 },
    description: { type: 'string', minLength: 1, maxLength: 2048 },
    severity: { enum: ['error', 'warning', 'info'] },
    appliesTo: { enum: ['mesh', 'domain', 'stream', 'grant', 'consumer'] },
    selector: { type: 'object', description: 'JSON Schema the entity must match for the rule to apply.' },
    requirement: {
      type: 'object',
      description: 'JSON Schema the entity must satisfy. `{$param: NAME}` inserts a parameter.',
    },
    function: {
      type: 'string',
      pattern: RULE_ID_PATTERN,
      description: 'A named built-in function (see docs/rules.md).',
    },
    message: { type: 'string', minLength: 1, maxLength: 1024, description: 'Message template with {{placeholders}}.' },
    remediation: { type: 'string', maxLength: 2048 },
    helpUrl: { type: 'string', pattern: '^https?://', maxLength: 2048 },
    locate: {
      type: 'array',
      items: { type: ['string', 'integer'] },
      maxItems: 16,
      description: 'Where to report when the whole entity fails.',
    },
    params: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'default', 'tighten'],
        properties: {
          type: { enum: ['integer', 'number', 'string', 'boolean'] },
          default: { type: ['string', 'number', 'boolean'] },
          description: { type: 'string', maxLength: 1024 },
          tighten: {
            enum: ['lower', 'higher', 'fixed'],
            description:
              'lower: smaller is stricter; higher: larger is stricter; fixed: only the governance file may change it.',
          },
        },
      },
    },
  },
} as const;

/** The saved-plan schema is generated from the plan types; the committed copies must match (no hand edits, no drift). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planSchemaFiles } from '../../scripts/plan-schema.js';

describe('saved-plan JSON Schema', () => {
  it.each(planSchemaFiles().map((f) => [f.path, f.text] as const))(
    '%s matches the types (run `npx tsx scripts/generate-plan-schema.ts`)',
    (path, text) => {
      expect(readFileSync(path, 'utf8')).toBe(text);
    },
    60_000,
  );

  it('forbids unknown keys on every object of the plan', () => {
    const schema = JSON.parse(readFileSync('schema/plan.schema.json', 'utf8')) as {
      additionalProperties: unknown;
      definitions: Record<string, { type?: string; additionalProperties?: unknown }>;
    };
    expect(schema.additionalProperties).toBe(false);
    for (const [name, def] of Object.entries(schema.definitions)) {
      // Maps (tags) constrain their values instead; every record type of the plan is a map of strings.
      if (def.type === 'object' && name === 'TagMap') expect(def.additionalProperties).toEqual({ type: 'string' });
      else if (def.type === 'object') expect([name, def.additionalProperties]).toEqual([name, false]);
    }
  });
});

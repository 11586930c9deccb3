/**
 * Writes schema/plan.schema.json and src/core/plan/plan-schema.generated.ts from the `Plan` type in
 * src/core/plan/types.ts (ts-json-schema-generator): the saved-plan format's schema is generated from the types, never
 * written by hand. Run `npx tsx scripts/generate-plan-schema.ts` after changing the plan types;
 * test/plan/plan-schema.test.ts fails when the committed files drift from the types.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planSchemaFiles } from './plan-schema.js';

const root = join(import.meta.dirname, '..');
for (const f of planSchemaFiles()) {
  writeFileSync(join(root, f.path), f.text);
  console.log(`wrote ${f.path}`);
}

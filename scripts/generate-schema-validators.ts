/**
 * Writes the precompiled validators of meshgov's own schemas (scripts/schema-validators.ts says which and why). Run
 * `npx tsx scripts/generate-schema-validators.ts` after changing src/core/model/schema.ts,
 * src/core/rules/rule-schema.ts or a rule of policies/; test/model/schema-validators.test.ts fails when a committed
 * file drifts (until then, a changed built-in rule is compiled at run time: slower, not wrong).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaValidatorFiles } from './schema-validators.js';

for (const f of schemaValidatorFiles()) {
  writeFileSync(join(import.meta.dirname, '..', f.path), f.text);
  console.log(`wrote ${f.path}`);
}

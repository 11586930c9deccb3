/**
 * Writes schema/mesh.schema.json and schema/domain.schema.json from src/core/model/schema.ts.
 * Run `npx tsx scripts/generate-schema.ts` after changing the schema; test/model/schema-files.test.ts fails when
 * the committed files drift from the source.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_SCHEMAS, schemaText } from '../src/core/model/schema.js';

const dir = join(import.meta.dirname, '..', 'schema');
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
  writeFileSync(join(dir, name), schemaText(schema));
  console.log(`wrote schema/${name}`);
}

/**
 * Writes src/core/model/mesh-validators.generated.ts: the mesh and domain file schemas compiled ahead of time
 * (scripts/mesh-validators.ts says why). Run `npx tsx scripts/generate-mesh-validators.ts` after changing
 * src/core/model/schema.ts; test/model/mesh-validators.test.ts fails when the committed file drifts from the schema.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { meshValidatorsFile } from './mesh-validators.js';

const f = meshValidatorsFile();
writeFileSync(join(import.meta.dirname, '..', f.path), f.text);
console.log(`wrote ${f.path}`);

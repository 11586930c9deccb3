import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { meshValidatorsFile } from '../../scripts/mesh-validators.js';
import { checkSchema } from '../../src/core/model/schema-check.js';
import { parseSource } from '../../src/core/source/source.js';

describe('precompiled mesh and domain validators', () => {
  it('match src/core/model/schema.ts (run `npx tsx scripts/generate-mesh-validators.ts`)', () => {
    const f = meshValidatorsFile();
    expect(readFileSync(f.path, 'utf8')).toBe(f.text);
  });

  it('are what checkSchema runs: a key the schema does not know is reported with the allowed keys', () => {
    const src = parseSource('m.yaml', 'domains:\n  - name: a\n    ownr: x\n').value;
    if (!src) throw new Error('did not parse');
    const codes = checkSchema(src, 'domain').map((d) => [d.code, d.path.join('.')]);
    expect(codes).toContainEqual(['schema-unknown-key', 'domains.0.ownr']);
    expect(checkSchema(src, 'domain').find((d) => d.code === 'schema-unknown-key')?.message).toMatch(
      /Allowed: name, description, owner/,
    );
  });
});

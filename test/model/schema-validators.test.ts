import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaValidatorFiles } from '../../scripts/schema-validators.js';
import { checkSchema } from '../../src/core/model/schema-check.js';
import { parseRuleFile } from '../../src/core/rules/load-rules.js';
import { parseSource } from '../../src/core/source/source.js';

describe('precompiled validators of the mesh, domain and rule file schemas', () => {
  it.each(schemaValidatorFiles().map((f) => [f.path, f.text]))(
    '%s matches its schema (run `npx tsx scripts/generate-schema-validators.ts`)',
    (path, text) => {
      expect(readFileSync(path, 'utf8')).toBe(text);
    },
  );

  it('are what checkSchema runs: a key the schema does not know is reported with the allowed keys', () => {
    const src = parseSource('m.yaml', 'domains:\n  - name: a\n    ownr: x\n').value;
    if (!src) throw new Error('did not parse');
    const codes = checkSchema(src, 'domain').map((d) => [d.code, d.path.join('.')]);
    expect(codes).toContainEqual(['schema-unknown-key', 'domains.0.ownr']);
    expect(checkSchema(src, 'domain').find((d) => d.code === 'schema-unknown-key')?.message).toMatch(
      /Allowed: name, description, owner/,
    );
  });

  it('are what parseRuleFile runs: a misspelt key of a rule file is reported with the allowed keys', () => {
    const text = 'id: r\ntitle: t\ndescription: d\nseverity: error\nappliesTo: stream\nmessage: m\nrequirment: {}\n';
    const found = parseRuleFile('r.yaml', text).diagnostics.map((d) => [d.code, d.path.join('.')]);
    expect(found).toContainEqual(['rule-file-unknown-key', 'requirment']);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RESOURCE_POLICY_CHECKS } from '../../src/core/audit/access.js';
import { DRIFT_CHECKS } from '../../src/core/audit/drift.js';
import { HOT_SHARD_CHECKS } from '../../src/core/audit/hot-shards.js';
import { IDENTITY_CHECKS } from '../../src/core/audit/identity-reach.js';
import { MAPPING_CHECKS } from '../../src/core/audit/mappings.js';
import { SHADOW_CHECKS } from '../../src/core/audit/shadow.js';

const doc = readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8');

describe('docs/audit.md', () => {
  const ids = [
    ...HOT_SHARD_CHECKS,
    ...DRIFT_CHECKS,
    ...RESOURCE_POLICY_CHECKS,
    ...IDENTITY_CHECKS,
    ...SHADOW_CHECKS,
    ...MAPPING_CHECKS,
  ];
  it.each(ids)('lists %s in a findings table with its default severity', (id) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
    expect(row, `no table row for ${id}`).toBeDefined();
    expect(row?.split('|')[2]).toMatch(/\b(error|warning|info)\b/);
  });
  it('says how audit findings are waived', () => {
    expect(doc).toContain('## Waivers and severity settings');
    expect(doc).toMatch(/`waivers:` list of the mesh[\s\S]*apply to audit checks exactly as to\s+guardrail rules/);
  });
});

/**
 * The trust-policy (2,048) and SCP (5,120) size checks in render guard against overflow; with the schema's own
 * maxima (role name 64, IAM path 512, external id 1,224 characters) the rendered documents must still fit, so no
 * valid mesh hits them. This test renders that worst case and measures.
 */
import { describe, expect, it } from 'vitest';
import { renderMesh } from '../../src/core/render/index.js';
import { MAX_SCP_CHARS, MAX_TRUST_POLICY_CHARS, policySize } from '../../src/core/render/limits.js';
import type { PolicyDocument } from '../../src/core/render/types.js';
import { aMesh } from '../support/builders.js';

describe('size limits at the schema maxima', () => {
  it('keeps every trust policy under 2,048 and the guard SCP under 5,120 characters', () => {
    const segment = `${'p'.repeat(62)}/`;
    const path = `/${segment.repeat(8)}`.slice(0, 511).replace(/[^/]$/, '/');
    expect(path.length).toBeLessThanOrEqual(512);
    const mesh = aMesh({
      organizationId: 'o-abcdefghij',
      governanceRole: { name: 'g'.repeat(64), path, externalId: 'x'.repeat(1224), readOnlyName: 'r'.repeat(64) },
    });
    const r = renderMesh(mesh, { today: '2026-12-01' });
    expect(r.diagnostics.filter((d) => d.code.startsWith('render-'))).toEqual([]);
    const artefacts = r.value.accounts.flatMap((a) => a.iam);
    const trusts = artefacts.filter((x) => x.kind === 'trust-policy');
    expect(trusts.length).toBeGreaterThan(0);
    for (const t of trusts)
      expect(policySize(t.document as PolicyDocument)).toBeLessThanOrEqual(MAX_TRUST_POLICY_CHARS);
    const scps = artefacts.filter((x) => x.kind === 'guard-scp');
    expect(scps.length).toBe(1);
    for (const s of scps) expect(policySize(s.document as PolicyDocument)).toBeLessThanOrEqual(MAX_SCP_CHARS);
    // The worst case is close to the trust limit: the margin is what a longer external id would eat.
    expect(Math.max(...trusts.map((t) => policySize(t.document as PolicyDocument)))).toBeGreaterThan(1500);
  });
});

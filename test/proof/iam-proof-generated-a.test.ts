/**
 * THE PROOF on a generated mesh (20 domains, 2 domains per account, 3 grants per stream, seed 7): every
 * (principal, resource, action) cell is allowed by the rendered policies iff the mesh declares it.
 */
import { describe, expect, it } from 'vitest';
import { generateMesh } from '../../bench/generate-mesh.js';
import { renderMesh } from '../../src/core/render/index.js';
import { loadText } from './load.js';
import { prove } from './proof.js';

const TODAY = '2026-11-26';

describe('iam proof: generated mesh a', () => {
  it('allows exactly the declared cells', async () => {
    const { mesh } = loadText(
      'generated-a.yaml',
      generateMesh({ domains: 20, streamsPerDomain: 1, grantsPerStream: 3, domainsPerAccount: 2, seed: 7 }),
      TODAY,
    );
    expect(mesh.domains.length).toBe(20);
    const rendered = renderMesh(mesh, { today: TODAY });
    expect(rendered.diagnostics).toEqual([]);
    // Every cell through the fast evaluator; allowed/expected cells and every 25th cell also through the validating one.
    const r = await prove(mesh, rendered.value, TODAY, { sampleEvery: 25 });
    console.log(
      `[iam-proof] generated-a (${mesh.domains.length} domains, ${mesh.accounts.length} accounts, ${mesh.streams.length} streams, ${mesh.grants.length} grants): ${r.cells} cells, ${r.allowed} allowed (${r.expected} expected), ${r.validatedCells} cross-checked`,
    );
    expect(r.evaluatorDisagreements).toEqual([]);
    expect(r.unexpectedAllows).toEqual([]);
    expect(r.missingAllows).toEqual([]);
    expect(r.allowed).toBe(r.expected);
  }, 180_000); // tens of thousands of evaluations: generous so a loaded CI machine does not time out
});

/**
 * The PR comment of a 500-stream initial plan (`plan --format markdown`, the body the plan workflow posts) fits
 * GitHub's 65,536 characters with the sticky-comment marker and footer, is not truncated, and lists every attention
 * item: each grant on a confidential stream (its stream and principal) and each external principal's grant. The
 * expected items come from the mesh model, not from the renderer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTERNAL_ACCOUNT, generateMesh } from '../../bench/generate-mesh.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import type { CliIO } from '../../src/cli/io.js';
import { loadMesh } from '../../src/core/model/load.js';
import { GITHUB_BODY_LIMIT, assembleReportBody, markerFor, runFooter } from '../../src/output/markdown/report-body.js';
import { renderPlan } from '../../src/output/plan/index.js';
import { plainStyle } from '../../src/output/style.js';
import { readerContext } from '../../src/output/plan/context.js';
import { emptyAccountsReader, fakeTarget, openerOf } from '../support/fake-target.js';

/** Empty accounts, read at once: an initial plan. */
const emptyAccounts = openerOf(fakeTarget(emptyAccountsReader));

describe('the 500-stream plan comment', () => {
  it("fits GitHub's limit and lists every attention item", async () => {
    const yaml = generateMesh({
      domains: 10,
      streamsPerDomain: 50,
      grantsPerStream: 4,
      clean: true,
      externalEvery: 10,
    });
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-comment-'));
    writeFileSync(join(dir, 'mesh.yaml'), yaml);
    const io: CliIO = {
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      env: {},
      cwd: dir,
      now: () => new Date('2026-12-01T00:00:00Z'),
    };
    const run = await runPlan(
      'mesh.yaml',
      { format: 'markdown', domain: [], account: [], color: false },
      io,
      emptyAccounts,
    );
    if (run.kind !== 'planned') throw new Error(JSON.stringify(run.diagnostics.slice(0, 2)));
    const markdown = renderPlan(run.plan, 'markdown', plainStyle, readerContext(run.mesh, run.live));
    const { body, truncated } = assembleReportBody({
      marker: markerFor('plan', 'mesh.yaml'),
      body: markdown,
      footer: runFooter({ runId: '1', sha: 'abc' }),
    });
    expect(truncated).toBe(false);
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(GITHUB_BODY_LIMIT).toBe(65_536);

    // The mesh says what needs attention.
    const { mesh } = loadMesh('mesh.yaml', { read: () => yaml });
    const streams = new Map(mesh!.streams.map((s) => [s.name, s]));
    const alias = new Map(mesh!.accounts.map((a) => [a.id, a.alias]));
    const confidential = mesh!.grants.filter((g) => streams.get(g.stream)?.classification === 'confidential');
    const external = mesh!.grants.filter((g) => g.principal.external);
    expect(confidential.length).toBeGreaterThan(500);
    expect(external.length).toBe(50);

    const attention = body.slice(body.indexOf('#### Needs attention'), body.indexOf('#### Access changes'));
    expect(attention).toContain(`#### Needs attention (`);
    const rows = attention.split('\n').filter((l) => l.startsWith('| ` '));
    for (const g of confidential) {
      const s = streams.get(g.stream)!;
      const row = rows.find((r) => r.startsWith(`| \` ${g.stream} \` | confidential |`));
      expect(row, g.stream).toBeDefined();
      const name =
        g.principal.account === s.account
          ? g.principal.role!
          : `${alias.get(g.principal.account) ?? g.principal.account}/${g.principal.role!}`;
      expect(row, `${g.id} on ${g.stream}`).toContain(`\` ${name} \``);
    }
    for (const g of external) {
      const arn = `arn:aws:iam::${EXTERNAL_ACCOUNT}:role/${g.principal.role!}`;
      const row = rows.find((r) => r.startsWith(`| \` ${arn} \` | declared external | consume |`));
      expect(row, g.id).toBeDefined();
      expect(row).toContain(`${streams.get(g.stream)!.account}/${g.stream}`);
      expect(row).toContain('expires 2027\\-06\\-30');
    }
    // And the capacity the plan adds is stated.
    expect(attention).toMatch(/`\+` 500 new streams: \d+ provisioned \(\d+ shards\), \d+ on-demand/);
  }, 120_000);
});

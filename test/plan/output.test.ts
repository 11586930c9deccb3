import { describe, expect, it } from 'vitest';
import { computePlan, parsePlan } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic.js';
import { renderPlan, renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { MAX_LISTED_FINDINGS, renderValidationMarkdown } from '../../src/output/plan/validation.js';
import { colourStyle, plainStyle } from '../../src/output/style.js';
import { A1, aDesiredStream, aPolicy, clock, desiredState, liveOf, liveState } from './builders.js';

const EVIL = 'arn:aws:iam::444444444444:role/@octocat|x<img src=y>[z](http://e.example)`';

function samplePlan(): Plan {
  const kept = aDesiredStream({ retentionHours: 72, resourcePolicy: aPolicy('arn:aws:iam::222222222222:root') });
  const fresh = aDesiredStream({ name: 'new.v1' });
  const live = liveState(
    [
      {
        streams: [
          liveOf(kept, {
            retentionHours: 24,
            tags: { ...kept.tags, team: 'x' },
            resourcePolicy: aPolicy('arn:aws:iam::222222222222:root', EVIL),
          }),
          liveOf(aDesiredStream({ name: 'retired.v0' })),
          liveOf(aDesiredStream({ name: 'theirs' }), {
            tags: { 'meshgov:managed-by': 'meshgov', 'meshgov:mesh': '<b>@team</b>|' },
          }),
        ],
      },
    ],
    ['IAM: not read <here>'],
  );
  return computePlan({
    desired: desiredState([{ streams: [kept, fresh] }]),
    live,
    meshDigest: 'd'.repeat(64),
    clock,
    target: 'local',
  });
}

describe('plan renderers', () => {
  const plan = samplePlan();

  it('text: Terraform-like symbols, reasons, attributes and the summary line', () => {
    const t = renderPlanText(plan, plainStyle);
    expect(t).toContain(`  + stream ${A1}/stream/new.v1\n`);
    expect(t).toContain(`  ~ stream-retention ${A1}/stream/orders.v1\n`);
    expect(t).toContain('      ~ retentionHours: 24 -> 72');
    expect(t).toContain('      -     "team" = "x"');
    expect(t).toContain(`  - stream ${A1}/stream/retired.v0 [destructive]`);
    expect(t).toContain('# tagged meshgov:managed-by=meshgov but no longer declared in the mesh');
    expect(t).toContain(`- ${EVIL} loses consume on ${A1}/orders.v1 via stream policy`);
    expect(t).toContain('Unmanaged resources');
    expect(t).toContain('IAM: not read <here>');
    // The summary line is the last line, whatever came before (details, not-checked notes).
    expect(t.trimEnd().split('\n').at(-1)).toBe(
      'Plan: 1 to add, 3 to change, 1 to destroy. 2 destructive, 0 disruptive. 4 need attention (see the top).',
    );
    expect(t).not.toContain('\u001b[');
    expect(renderPlanText(plan, colourStyle)).toContain('\u001b[32m+ stream');
  });

  it('text: says so when nothing changes', () => {
    const s = aDesiredStream();
    const none = computePlan({
      desired: desiredState([{ streams: [s] }]),
      live: liveState([{ streams: [liveOf(s)] }]),
      meshDigest: 'd',
      clock,
    });
    expect(renderPlanText(none, plainStyle).trimEnd().split('\n').at(-1)).toBe(
      'No changes. The live accounts match the mesh.',
    );
  });

  it('markdown: summary, destructive call-out, access table, collapsed details', () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain('**Plan: 1 to add, 3 to change, 1 to destroy.** 2 destructive, 0 disruptive.');
    expect(md).toContain('> [!CAUTION]\n> **2 destructive changes**');
    expect(md).toContain('| Change | Principal | Access | Stream | Mechanisms | Justification, expiry |');
    expect(md).toMatch(
      /<details><summary>Changes in apply order, with policy documents and tag maps \(5\)<\/summary>\n\n````*diff\n/,
    );
    expect(md).toContain('<details><summary>Unmanaged resources (1): listed, never changed</summary>');
  });

  it('markdown: escapes every string from the mesh or the accounts', () => {
    const md = renderPlanMarkdown(plan);
    const outsideCode = md.replace(/(`{3,})diff\n[\s\S]*?\n\1/g, '');
    expect(outsideCode).not.toMatch(/@octocat|@team/);
    expect(outsideCode).not.toContain('<img');
    expect(outsideCode).not.toContain('<b>');
    expect(outsideCode).not.toContain('](http');
    expect(outsideCode).not.toContain('<here>');
    // Every access-table row keeps exactly its seven column separators.
    for (const row of outsideCode.split('\n').filter((l) => l.startsWith('| :heavy')))
      expect(row.replace(/\\\|/g, '').split('|').length).toBe(8);
  });

  it('JSON: documented fields, and a plan read back from disk renders identically', () => {
    const json = renderPlanJson(plan);
    const back = parsePlan(json);
    expect(back.error).toBeUndefined();
    for (const c of back.plan!.changes)
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining(['action', 'resourceType', 'address', 'account', 'risk', 'before', 'after']),
      );
    expect(renderPlanText(back.plan!, plainStyle)).toBe(renderPlanText(plan, plainStyle));
    expect(renderPlanMarkdown(back.plan!)).toBe(renderPlanMarkdown(plan));
    expect(renderPlan(back.plan!, 'json', plainStyle)).toBe(json);
  });

  it('parsePlan refuses what is not a plan', () => {
    expect(parsePlan('{').error).toContain('not JSON');
    expect(parsePlan('{"formatVersion": 1}').error).toContain('unsupported plan formatVersion 1');
    expect(parsePlan(JSON.stringify({ ...plan, changes: 'x' })).error).toBe('not a valid plan: changes: must be array');
  });

  it('parsePlan refuses diagnostics that are not diagnostics, and accepts a plan without them', () => {
    expect(parsePlan(JSON.stringify({ ...plan, diagnostics: 'x' })).error).toBe(
      'not a valid plan: diagnostics: must be array',
    );
    expect(parsePlan(JSON.stringify({ ...plan, diagnostics: [{ file: 'mesh.yaml', line: '3' }] })).error).toContain(
      'diagnostics.0',
    );
    expect(parsePlan(JSON.stringify({ ...plan, diagnostics: [{ ...WAIVED, severity: 'fatal' }] })).error).toContain(
      'diagnostics.0',
    );
    const without = parsePlan(renderPlanJson(plan));
    expect(without.plan?.diagnostics).toBeUndefined();
    expect(renderPlanMarkdown(without.plan!)).not.toContain('#### Validation');
  });
});

const HOSTILE =
  'ok @octocat see #12 <img src=x onerror=alert(1)> [x](https://evil.example) | cell\n## heading `tick` www.evil.example\u202e';
const WAIVED: Diagnostic = {
  code: 'provisioned-stream-declares-throughput',
  severity: 'info',
  message: 'Provisioned stream `a.v1` declares no throughput estimate.',
  file: 'domains/<b>x</b>.yaml',
  line: 150,
  column: 9,
  path: ['streams', 0],
  ruleId: 'provisioned-stream-declares-throughput',
  waivedBy: HOSTILE,
};
const WARNING: Diagnostic = {
  code: 'grant-expires-soon',
  severity: 'warning',
  message: 'grant g1 expires in 5 days | renew it',
  file: 'mesh.yaml',
  line: 12,
  column: 5,
  path: ['grants', 0],
};

/** Markdown outside any code span / <code> element: where markup would take effect. */
function outsideCode(md: string): string {
  return md.replace(/<code>[\s\S]*?<\/code>/g, '').replace(/(?<!\\)(`+) [\s\S]*? \1/g, '');
}

describe('validation findings in markdown', () => {
  const plan: Plan = { ...samplePlan(), diagnostics: [WARNING, WAIVED] };

  it('plan: a Validation section lists warnings and waived findings with file:line:column and the justification', () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain(
      '#### Validation: 0 errors, 1 warning, 1 info\n\n| Severity | Location | Finding | Code |\n|---|---|---|---|\n',
    );
    expect(md).toContain(
      '| :warning: warning | ` mesh.yaml:12:5 ` | grant g1 expires in 5 days \\| renew it | ` grant-expires-soon ` |',
    );
    const row = md.split('\n').find((l) => l.startsWith('| :information_source: info (waived)'));
    expect(row).toBeDefined();
    expect(row).toContain('<code>domains/&lt;b&gt;x&lt;/b&gt;\\.yaml\\:150\\:9</code>');
    expect(row).toContain('**Waived:** ok @&#8203;octocat');
    // The section comes before the access table, and the plan read back from JSON renders the same.
    expect(md.indexOf('#### Validation')).toBeLessThan(md.indexOf('#### Access changes'));
    const back = parsePlan(renderPlanJson(plan));
    expect(back.error).toBeUndefined();
    expect(back.plan!.diagnostics).toEqual([WARNING, WAIVED]);
    expect(renderPlanMarkdown(back.plan!)).toBe(md);
  });

  it('escapes a hostile justification: no mention, reference, HTML, link, new row or heading, visible bidi control', () => {
    const md = renderPlanMarkdown(plan);
    const row = md.split('\n').find((l) => l.startsWith('| :information_source: info (waived)')) as string;
    const bare = outsideCode(row);
    expect(bare).not.toMatch(/@octocat|#12|<img|\]\(https|https:\/\/|www\.evil/);
    expect(bare).toContain('&lt;img src\\=x onerror\\=alert\\(1\\)&gt;');
    expect(bare).toContain('\\#&#8203;12');
    expect(bare).toContain('&lt;U\\+202E&gt;');
    expect(bare).not.toContain('\u202e');
    // Still one table row with four cells: the `|` and the line break in the justification did not split it.
    expect(row.replace(/\\\|/g, '').split('|').length).toBe(6);
    expect(md.split('\n').filter((l) => l.startsWith('## '))).toEqual([]);
  });

  it('validate --format markdown document: verdict with counts, errors first-class, and a cap on listed findings', () => {
    const error: Diagnostic = {
      code: 'ref-unknown-stream',
      severity: 'error',
      message: 'grant g2 names stream `nope`',
      file: 'mesh.yaml',
      line: 40,
      column: 11,
      path: ['grants', 1],
    };
    const doc = renderValidationMarkdown([WARNING, error], { title: 'meshgov validate', onErrors: 'Fix them.' });
    expect(
      doc.startsWith(
        '### meshgov validate\n\n**The mesh is not valid: 1 error, 1 warning, 0 info.** Fix them\\.\n\n| Severity |',
      ),
    ).toBe(true);
    expect(doc).toContain(
      '| :x: error | ` mesh.yaml:40:11 ` | grant g2 names stream ` nope ` | ` ref-unknown-stream ` |',
    );
    expect(renderValidationMarkdown([], { title: 'meshgov validate', file: 'mesh.yaml', onErrors: 'Fix them.' })).toBe(
      '### meshgov validate: ` mesh.yaml `\n\n**The mesh is valid: 0 errors, 0 warnings, 0 info.**\n',
    );
    const many = Array.from({ length: MAX_LISTED_FINDINGS + 3 }, (_, i) => ({ ...WARNING, line: i + 1 }));
    const capped = renderValidationMarkdown(many, { title: 't' });
    expect(capped.split('\n').filter((l) => l.startsWith('| :warning:'))).toHaveLength(MAX_LISTED_FINDINGS);
    expect(capped).toContain('3 more finding(s) not shown');
  });
});

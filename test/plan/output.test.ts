import { describe, expect, it } from 'vitest';
import { computePlan, parsePlan } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import { renderPlan, renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { colourStyle, plainStyle } from '../../src/output/style.js';
import { A1, aDesiredStream, aPolicy, clock, desiredState, liveOf, liveState } from './builders.js';

const EVIL = 'arn:aws:iam::444444444444:role/@octocat|x<img src=y>[z](http://e.example)`';

function samplePlan(): Plan {
  const kept = aDesiredStream({ retentionHours: 72, resourcePolicy: aPolicy('arn:aws:iam::222222222222:root') });
  const fresh = aDesiredStream({ name: 'new.v1' });
  const live = liveState([{
    streams: [
      liveOf(kept, { retentionHours: 24, tags: { ...kept.tags, team: 'x' }, resourcePolicy: aPolicy('arn:aws:iam::222222222222:root', EVIL) }),
      liveOf(aDesiredStream({ name: 'retired.v0' })),
      liveOf(aDesiredStream({ name: 'theirs' }), { tags: { 'meshgov:managed-by': 'meshgov', 'meshgov:mesh': '<b>@team</b>|' } }),
    ],
  }], ['IAM: not read <here>']);
  return computePlan({ desired: desiredState([{ streams: [kept, fresh] }]), live, meshDigest: 'd'.repeat(64), clock, target: 'local' });
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
    expect(t).toContain(`- ${EVIL} loses consume on ${A1}/orders.v1 (via stream-policy)`);
    expect(t).toContain('Unmanaged resources');
    expect(t).toContain('IAM: not read <here>');
    expect(t.trimEnd().split('\n').at(-1)).toBe('Plan: 1 to add, 3 to change, 1 to destroy. 2 destructive, 0 disruptive.');
    expect(t).not.toContain('\u001b[');
    expect(renderPlanText(plan, colourStyle)).toContain('\u001b[32m+ stream');
  });

  it('text: says so when nothing changes', () => {
    const s = aDesiredStream();
    const none = computePlan({ desired: desiredState([{ streams: [s] }]), live: liveState([{ streams: [liveOf(s)] }]), meshDigest: 'd', clock });
    expect(renderPlanText(none, plainStyle).trimEnd().split('\n').at(-1)).toBe('No changes. The live accounts match the mesh.');
  });

  it('text: shows a replace as -/+', () => {
    const c = plan.changes.find((x) => x.action === 'create')!;
    const replaced: Plan = { ...plan, changes: [{ ...c, action: 'replace', before: { mode: 'PROVISIONED' }, after: { mode: 'ON_DEMAND' } }] };
    expect(renderPlanText(replaced, plainStyle)).toContain(`  -/+ stream ${A1}/stream/new.v1`);
  });

  it('markdown: summary, destructive call-out, access table, collapsed details', () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain('**Plan: 1 to add, 3 to change, 1 to destroy.** 2 destructive, 0 disruptive.');
    expect(md).toContain('> [!CAUTION]\n> **2 destructive changes**');
    expect(md).toContain('| Change | Principal | Access | Stream | Via |');
    expect(md).toMatch(/<details><summary>Changes \(5\)<\/summary>\n\n````*diff\n/);
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
    // Every access-table row keeps exactly its six column separators.
    for (const row of outsideCode.split('\n').filter((l) => l.startsWith('| :heavy'))) expect(row.replace(/\\\|/g, '').split('|').length).toBe(7);
  });

  it('JSON: documented fields, and a plan read back from disk renders identically', () => {
    const json = renderPlanJson(plan);
    const back = parsePlan(json);
    expect(back.error).toBeUndefined();
    for (const c of back.plan!.changes) expect(Object.keys(c)).toEqual(expect.arrayContaining(['action', 'resourceType', 'address', 'account', 'risk', 'before', 'after']));
    expect(renderPlanText(back.plan!, plainStyle)).toBe(renderPlanText(plan, plainStyle));
    expect(renderPlanMarkdown(back.plan!)).toBe(renderPlanMarkdown(plan));
    expect(renderPlan(back.plan!, 'json', plainStyle)).toBe(json);
  });

  it('parsePlan refuses what is not a plan', () => {
    expect(parsePlan('{').error).toContain('not JSON');
    expect(parsePlan('{"formatVersion": 2}').error).toContain('unsupported plan formatVersion 2');
    expect(parsePlan(JSON.stringify({ ...plan, changes: 'x' })).error).toBe('plan field changes is missing or not a list');
  });
});

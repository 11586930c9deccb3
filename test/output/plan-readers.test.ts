/**
 * Plans for readers: one row per grant with its mechanisms and the grant's justification and expiry; the attention
 * section (destructive, outside principals, confidential streams, capacity); roll-ups; whole documents and tag maps
 * in the details; the summary line last; and a size limit that never drops an attention item.
 */
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import type { PlanReaderContext } from '../../src/output/plan/context.js';
import { planOnlyContext, sensitiveClassifications } from '../../src/output/plan/context.js';
import { renderPlanMarkdown } from '../../src/output/plan/markdown.js';
import { forReaders } from '../../src/output/plan/readers.js';
import { renderPlanText } from '../../src/output/plan/text.js';
import { plainStyle } from '../../src/output/style.js';
import { A1, A2, aDesiredStream, aPolicy, clock, desiredState, liveOf, liveState } from '../plan/builders.js';

const PARTNER = 'arn:aws:iam::999999999999:role/partner';
const READER = `arn:aws:iam::${A2}:role/reader`;
const POLICY_OF = (...p: string[]) => ({
  ...aPolicy(...p),
  Statement: aPolicy(...p).Statement.map((s) => ({
    ...s,
    Resource: `arn:aws:kinesis:eu-west-1:${A1}:stream/secrets.v1`,
  })),
});

function aPlan(): Plan {
  const secrets = aDesiredStream({
    name: 'secrets.v1',
    tags: {
      'meshgov:domain': 'orders',
      'meshgov:managed-by': 'meshgov',
      'meshgov:mesh': 'test-mesh',
      'meshgov:classification': 'confidential',
      'meshgov:consume:999999999999:partner': 'allow',
      [`meshgov:consume:${A2}:reader`]: 'allow',
    },
    resourcePolicy: POLICY_OF(PARTNER, READER),
  });
  const scaled = aDesiredStream({ name: 'busy.v1', shards: 4 });
  const live = liveState([{ streams: [liveOf(scaled, { shards: 2 })] }], ['IAM: not read']);
  return computePlan({
    desired: desiredState([{ streams: [secrets, scaled] }]),
    live,
    meshDigest: 'd'.repeat(64),
    clock,
    target: 'aws',
  });
}

const CONTEXT: PlanReaderContext = {
  accounts: [
    { id: A1, alias: 'orders-prod' },
    { id: A2, alias: 'analytics' },
  ],
  streams: [
    { account: A1, name: 'secrets.v1', domain: 'orders', classification: 'confidential' },
    { account: A1, name: 'busy.v1', domain: 'orders', classification: 'internal' },
  ],
  sensitiveClassifications: ['confidential', 'restricted'],
  grants: [
    {
      id: 'partner',
      principalAccount: '999999999999',
      role: 'partner',
      account: A1,
      stream: 'secrets.v1',
      access: 'consume',
      external: true,
      justification: 'Contract ACME-7',
      expires: '2027-01-31',
      approvedBy: 'ciso',
    },
    {
      id: 'reader',
      principalAccount: A2,
      role: 'reader',
      account: A1,
      stream: 'secrets.v1',
      access: 'consume',
      external: false,
      justification: 'Fraud scoring',
    },
  ],
};

describe('plans for readers', () => {
  const plan = aPlan();

  it("merges the grant-tag and stream-policy rows of one grant into one row with both mechanisms and the grant's facts", () => {
    expect(
      plan.accessDiff
        .filter((a) => a.principal === PARTNER)
        .map((a) => a.via)
        .sort(),
    ).toEqual(['grant-tag', 'stream-policy']);
    const r = forReaders(plan, CONTEXT);
    const partner = r.rows.filter((x) => x.principal === PARTNER);
    expect(partner).toHaveLength(1);
    expect(partner[0]?.mechanisms).toEqual(['grant tag', 'stream policy']);
    const text = renderPlanText(plan, plainStyle, { context: CONTEXT });
    expect(text).toContain(
      `+ ${PARTNER} gains consume on ${A1}/secrets.v1 via grant tag, stream policy [declared external]; justification: Contract ACME-7; expires 2027-01-31; approved by ciso`,
    );
    // One line per grant: the partner appears once in the access list.
    const access = text.slice(text.indexOf('Access changes, one line per grant'), text.indexOf('Access by domain'));
    expect(access.split('\n').filter((l) => l.includes(PARTNER))).toHaveLength(1);
  });

  it('attention: the external partner, both new readers of the confidential stream, and the capacity change; not the in-org reader as outside', () => {
    const { attention } = forReaders(plan, CONTEXT);
    expect(attention.outside.map((x) => [x.principal, x.outside])).toEqual([[PARTNER, 'declared external']]);
    expect(attention.sensitive.map((x) => x.principal).sort()).toEqual([PARTNER, READER].sort());
    expect(attention.capacity.map((c) => (c.kind === 'change' ? c.change.address : c.kind))).toEqual([
      `${A1}/stream/busy.v1`,
      'new-streams',
    ]);
    const md = renderPlanMarkdown(plan, { context: CONTEXT });
    const top = md.slice(0, md.indexOf('#### Access changes'));
    expect(top).toContain('#### Needs attention (5)');
    expect(top).toContain(
      `| \` ${PARTNER} \` | declared external | consume | \` ${A1}/secrets.v1 \` | grant tag, stream policy |`,
    );
    expect(top).toContain('| ` secrets.v1 ` | confidential |   | ` analytics/reader `, ` 999999999999/partner ` |');
    expect(top).toContain(`- \`~\` \` ${A1}/stream/busy.v1 \`: shards 2 → 4 (disruptive)`);
  });

  it("without the mesh: the plan's own classification tag still marks the stream; accounts it does not touch count as outside", () => {
    const r = forReaders(plan);
    expect(r.fromMesh).toBe(false);
    expect(planOnlyContext(plan).sensitiveClassifications).toEqual(['confidential']);
    expect(r.attention.sensitive).toHaveLength(2);
    expect(r.attention.outside.map((x) => [x.principal, x.outside])).toEqual([
      [READER, 'outside the mesh accounts'],
      [PARTNER, 'outside the mesh accounts'],
    ]);
    expect(renderPlanMarkdown(plan)).toContain('_Rendered without the mesh');
  });

  it('the organisation as read decides who is outside: an org member in another account is not flagged', () => {
    const r = forReaders(plan, { ...CONTEXT, organizationAccounts: [A1, A2], grants: [] });
    expect(r.attention.outside.map((x) => [x.principal, x.outside])).toEqual([[PARTNER, 'outside the organisation']]);
  });

  it('text: whole documents and tag maps at the end, summary line last', () => {
    const text = renderPlanText(plan, plainStyle, { context: CONTEXT });
    const changes = text.slice(text.indexOf('meshgov will perform'), text.indexOf('Details:'));
    expect(changes).toContain('+ policy: whole document, 2 statements (in the details)');
    expect(changes).toContain('+ tags: 6 tags (in the details)');
    expect(changes).not.toContain('"Statement"');
    const details = text.slice(text.indexOf('Details: policy documents and tag maps'));
    expect(details).toContain('"Statement": [');
    expect(details).toContain('"meshgov:classification" = "confidential"');
    expect(text.indexOf('Not checked against a live service')).toBeLessThan(text.indexOf('Details:'));
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'Plan: 2 to add, 1 to change, 0 to destroy. 0 destructive, 1 disruptive. 5 need attention (see the top).',
    );
  });

  it('markdown under a tight limit keeps every attention item and says what it left out', () => {
    const md = renderPlanMarkdown(plan, { context: CONTEXT, maxChars: 2_800 });
    expect(md.length).toBeLessThanOrEqual(2_800);
    expect(md).toContain('#### Needs attention (5)');
    expect(md).toContain(`\` ${PARTNER} \` | declared external`);
    expect(md).toContain('` analytics/reader `');
    expect(md).not.toContain('<details><summary>Changes in apply order');
    const full = renderPlanMarkdown(plan, { context: CONTEXT });
    expect(full).toContain('<details><summary>Changes in apply order');
  });

  it('says "nothing" when nothing needs attention', () => {
    const s = aDesiredStream();
    const none = computePlan({
      desired: desiredState([{ streams: [s] }]),
      live: liveState([{ streams: [liveOf(s)] }]),
      meshDigest: 'd',
      clock,
    });
    expect(renderPlanMarkdown(none)).toContain('#### Needs attention: nothing');
    expect(renderPlanText(none, plainStyle)).toContain('Needs attention: nothing.');
  });

  it('sensitive classifications: named ones and every level at or above them', () => {
    expect(
      sensitiveClassifications([
        { name: 'public', level: 0 },
        { name: 'internal', level: 1 },
        { name: 'confidential', level: 2 },
        { name: 'vault', level: 3 },
      ]),
    ).toEqual(['confidential', 'vault']);
    expect(sensitiveClassifications([{ name: 'public', level: 0 }])).toEqual([]);
  });

  it('text is terminal-safe: a hostile principal from the accounts cannot send control sequences', () => {
    const evil = aDesiredStream({ name: 'evil.v1' });
    const live = liveState([
      {
        streams: [
          liveOf(evil, { resourcePolicy: aPolicy('arn:aws:iam::444444444444:role/x\u001b]0;pwned\u0007\u202e') }),
        ],
      },
    ]);
    const p = computePlan({ desired: desiredState([{ streams: [evil] }]), live, meshDigest: 'd', clock });
    const text = renderPlanText(p, plainStyle);
    expect(text).not.toMatch(/[^\P{Cc}\t\n]|\u202e/u);
    expect(text).toContain('x<U+001B>]0;pwned<U+0007><U+202E>');
  });
});

/**
 * The import preview lists every change the next `meshgov plan` makes (pure core, hand-built live state): the same
 * change ids as `computePlan` over the rendered extended mesh and the same live state, IAM role policies and the
 * guard boundary included when IAM was read, and a clear line when it was not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importMesh } from '../../src/core/import/index.js';
import { previewPlan } from '../../src/core/import/preview.js';
import type { Mesh } from '../../src/core/model/types.js';
import { computePlan, emptyScope } from '../../src/core/plan/index.js';
import type { LiveRolePolicy, LiveState, LiveStream, PlanScope } from '../../src/core/plan/index.js';
import { renderMesh } from '../../src/core/render/index.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY } from '../support/example-mesh.js';
import { aLiveStream, validateText } from './support.js';

const EXAMPLE = readFileSync(EXAMPLE_MESH_FILE, 'utf8');
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const CHARGEBACKS = 'payments.chargebacks.v1';
const CB_ARN = `arn:aws:kinesis:eu-west-1:${A}:stream/${CHARGEBACKS}`;
const clock = { now: () => new Date('2026-12-01T00:00:00Z') };

/** An unmanaged stream whose policy lets a role of account B read it (import turns that into a grant). */
const chargebacks: LiveStream = aLiveStream({
  name: CHARGEBACKS,
  account: A,
  arn: CB_ARN,
  tags: { domain: 'payments' },
  resourcePolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ChargebackReaderReads',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${B}:role/chargeback-reader` },
        Action: [
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:DescribeStreamSummary',
          'kinesis:ListShards',
        ],
        Resource: CB_ARN,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-acme1234ab' } },
      },
    ],
  },
});

/** Import the stream into the example mesh and return the extended, validated mesh. */
function extended(): Mesh {
  const v = validateText(EXAMPLE_MESH_FILE, EXAMPLE, EXAMPLE_TODAY);
  if (!v.mesh) throw new Error('example does not validate');
  const check = (t: string) => validateText(EXAMPLE_MESH_FILE, t, EXAMPLE_TODAY).diagnostics;
  const r = importMesh({ text: EXAMPLE, mesh: v.mesh, streams: [chargebacks], today: EXAMPLE_TODAY, check });
  expect(r.grants.map((g) => g.id)).toEqual(['chargeback-reader-reads']);
  const next = validateText(EXAMPLE_MESH_FILE, r.text, EXAMPLE_TODAY);
  if (!next.mesh || !next.ok) throw new Error('the import result does not validate');
  return next.mesh;
}

/** Every mesh account read; IAM read (with the given policies) or not read at all. */
function liveState(iam: LiveRolePolicy[] | undefined): LiveState {
  return {
    region: 'eu-west-1',
    notChecked: [],
    accounts: [A, B, C].map((account) => ({
      account,
      streams: account === A ? [chargebacks] : [],
      // The grantee role lives in B: its policies are read there only.
      ...(iam ? { iam: iam.filter((p) => account === B || p.role !== 'chargeback-reader') } : {}),
    })),
  };
}

/** The ids of the changes `meshgov plan` would show: computePlan over the rendered mesh and the live state. */
function planIds(mesh: Mesh, live: LiveState, scope: PlanScope = emptyScope()): string[] {
  const desired = renderMesh(mesh, { today: EXAMPLE_TODAY }).value;
  const plan = computePlan({ desired, live, meshDigest: 'digest', clock, scope, target: 'aws' });
  return plan.changes.filter((c) => c.action !== 'no-op').map((c) => c.id);
}

const changeNotes = (notes: { subject: string }[]) =>
  notes.filter((n) => n.subject !== 'preview').map((n) => n.subject);
const POLICY_ID = `iam-policy:${B}/iam/role/chargeback-reader/policy/meshgov-chargeback-reader`;

describe('previewPlan', () => {
  it("with IAM read: the same change ids as the next plan, the new grantee's IAM policy and boundary included", () => {
    const mesh = extended();
    const live = liveState([]);
    const p = previewPlan({ mesh, live, today: EXAMPLE_TODAY, clock, scope: emptyScope(), target: 'aws' });
    expect(changeNotes(p.notes)).toEqual(planIds(mesh, live));
    expect(p.plan.changes.filter((c) => c.action !== 'no-op').map((c) => c.id)).toEqual(planIds(mesh, live));
    // Written out by hand: the role the imported grant names gets its identity policy and the guard boundary.
    const ids = changeNotes(p.notes);
    expect(ids).toContain(POLICY_ID);
    expect(ids).toContain(`iam-boundary:${B}/iam/role/chargeback-reader/boundary`);
    // Streams the mesh declared before the import are in it too (the example's streams do not exist live).
    expect(ids).toContain(`stream:${A}/stream/payments.transactions.v1`);
    const note = p.notes.find((n) => n.subject === POLICY_ID);
    const create = /^the next plan will create iam-policy \(safe\): /;
    expect(note).toMatchObject({ severity: 'warning', message: expect.stringMatching(create) });
    const summary = /^the next `meshgov plan` of the extended mesh: \d+ change\(s\)/;
    expect(p.notes[0]).toMatchObject({ severity: 'info', subject: 'preview', message: expect.stringMatching(summary) });
    expect(p.notes.some((n) => /IAM was not read/.test(n.message))).toBe(false);
  });

  it('an IAM policy already in place is no change; one that differs is an update with its risk', () => {
    const mesh = extended();
    const desired = renderMesh(mesh, { today: EXAMPLE_TODAY }).value;
    const inB = desired.accounts.find((a) => a.account === B);
    const rendered = inB?.iam.find((i) => i.name === 'meshgov-chargeback-reader');
    if (!rendered) throw new Error('no rendered policy');
    const attached = (document: unknown): LiveRolePolicy[] => [
      { role: 'chargeback-reader', policyName: 'meshgov-chargeback-reader', kind: 'managed', document },
    ];
    const inPlace = liveState(attached(rendered.document));
    const same = previewPlan({ mesh, live: inPlace, today: EXAMPLE_TODAY, clock, scope: emptyScope(), target: 'aws' });
    expect(changeNotes(same.notes)).toEqual(planIds(mesh, inPlace));
    expect(changeNotes(same.notes)).not.toContain(POLICY_ID);
    const stale = liveState(attached({ Version: '2012-10-17', Statement: [] }));
    const changed = previewPlan({ mesh, live: stale, today: EXAMPLE_TODAY, clock, scope: emptyScope(), target: 'aws' });
    expect(changeNotes(changed.notes)).toEqual(planIds(mesh, stale));
    const update = changed.notes.find((n) => n.subject === POLICY_ID);
    expect(update?.message).toMatch(/^the next plan will update iam-policy \((safe|disruptive|destructive)\): /);
  });

  it('without IAM (the local target): the same ids as the plan, and it says IAM changes are not in the preview', () => {
    const mesh = extended();
    const live = liveState(undefined);
    const p = previewPlan({ mesh, live, today: EXAMPLE_TODAY, clock, scope: emptyScope(), target: 'local' });
    expect(changeNotes(p.notes)).toEqual(planIds(mesh, live));
    expect(changeNotes(p.notes).filter((id) => id.startsWith('iam-'))).toEqual([]);
    expect(p.notes).toContainEqual({
      severity: 'warning',
      subject: 'preview',
      message:
        `IAM was not read in account(s) ${A}, ${B}, ${C}: the IAM changes the next plan makes there ` +
        '(iam-policy, iam-boundary) are not in this preview',
    });
    expect(p.notes).toContainEqual({
      severity: 'info',
      subject: 'preview',
      message:
        `not checked: account ${B}: IAM was not read; the permissions boundary meshgov-tag-guard-boundary ` +
        'was not checked against a live service',
    });
  });

  it('with --account: the plan of that account only, as `meshgov plan --account` computes it', () => {
    const mesh = extended();
    const live = { ...liveState([]), accounts: liveState([]).accounts.filter((a) => a.account === B) };
    const scope = { domains: [], accounts: [B] };
    const p = previewPlan({ mesh, live, today: EXAMPLE_TODAY, clock, scope, target: 'aws' });
    expect(changeNotes(p.notes)).toEqual(planIds(mesh, live, scope));
    expect(changeNotes(p.notes).every((id) => id.includes(`:${B}/`))).toBe(true);
    expect(changeNotes(p.notes)).toContain(POLICY_ID);
  });
});

/**
 * THE PROOF, tamper dimension: every grantee and an outsider of each mesh account, holding ordinary tagging rights,
 * try every tagging path (TagResource, UntagResource, AddTagsToStream, RemoveTagsFromStream, tag-on-create through
 * CreateStream and RegisterStreamConsumer, the tagging API's TagResources/UntagResources) on every managed stream and
 * consumer, with governance tag keys in lower, upper, mixed and per-character case and the long-s spelling. All must
 * be denied, and no tag an attacker could set may give anyone undeclared access. Mutations restoring the old
 * case-sensitive guard, or dropping either guard statement, must make the proof fail.
 */
import { describe, expect, it } from 'vitest';
import { generateMesh } from '../../bench/generate-mesh.js';
import type { Mesh } from '../../src/core/model/types.js';
import { renderMesh } from '../../src/core/render/index.js';
import type { DesiredState, PolicyDocument, PolicyStatement } from '../../src/core/render/types.js';
import { loadFile, loadText } from './load.js';
import { clone } from './mutate.js';
import type { Principal, Resource } from './proof.js';
import { policiesFor, principalsOf, resourcesOf, simulate } from './proof.js';
import type { TamperResult } from './tamper.js';
import { attackerPolicies, attackersOf, proveTamper } from './tamper.js';

const TODAY = '2026-11-26';
const { mesh } = loadFile('mesh.yaml', TODAY);
const render = (m: Mesh): DesiredState => {
  const r = renderMesh(m, { today: TODAY });
  expect(r.diagnostics).toEqual([]);
  return r.value;
};
const state = render(mesh);
const noOrg: Mesh = { ...mesh };
delete noOrg.organizationId;
const noOrgState = render(noOrg);

function report(label: string, r: TamperResult): void {
  console.log(
    `[iam-proof] tamper ${label}: ${r.cells} cells (${r.attackers} attackers x ${r.resources} streams/consumers), ` +
      `${r.allowedTampering.length} allowed, ${r.gainedAccess.length} gaining access, ${r.validatedCells} cross-checked`,
  );
}

function expectSealed(r: TamperResult): void {
  expect(r.evaluatorDisagreements).toEqual([]);
  expect(r.allowedTampering).toEqual([]);
  expect(r.gainedAccess).toEqual([]);
  expect(r.cells).toBeGreaterThan(1000);
}

/** Every guard statement, in the SCP and in each boundary. */
function guardDocuments(s: DesiredState): PolicyDocument[] {
  return s.accounts
    .flatMap((a) => a.iam)
    .filter((a) => a.kind === 'guard-scp' || a.kind === 'permissions-boundary')
    .map((a) => a.document as PolicyDocument);
}
function mutateGuard(s: DesiredState, change: (statements: PolicyStatement[]) => PolicyStatement[]): DesiredState {
  const out = clone(s);
  for (const d of guardDocuments(out)) d.Statement = change(d.Statement);
  return out;
}
/** The guard as it was before this proof existed: one case-sensitive key pattern, no managed-resource deny. */
const OLD_GUARD = (gov: string): PolicyStatement[] => [
  {
    Sid: 'DenyGovernanceTagChanges',
    Effect: 'Deny',
    Action: ['kinesis:AddTagsToStream', 'kinesis:RemoveTagsFromStream', 'kinesis:TagResource', 'kinesis:UntagResource'],
    Resource: '*',
    Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'meshgov:*' }, ArnNotLike: { 'aws:PrincipalArn': gov } },
  },
  {
    Sid: 'DenyGovernanceTagsOnCreate',
    Effect: 'Deny',
    Action: ['kinesis:CreateStream', 'kinesis:RegisterStreamConsumer'],
    Resource: '*',
    Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'meshgov:*' }, ArnNotLike: { 'aws:PrincipalArn': gov } },
  },
];
const GOV_PATTERN = 'arn:aws:iam::*:role/meshgov/meshgov-governance';
/** Mutation runs need only show the gap: the attackers of one account keep them quick. */
const in333 = (m: Mesh) => attackersOf(m).filter((p) => p.account === '333333333333');

describe('iam proof, tamper dimension: example mesh', () => {
  it('denies every tagging path in every letter case to grantees and outsiders (guard SCP)', async () => {
    const r = await proveTamper(mesh, state, TODAY, { perCharacter: true, extraKeys: ['team', 'Team', 'cost-center'] });
    report('mesh.yaml (SCP)', r);
    expectSealed(r);
    expect(r.attackers).toBe(attackersOf(mesh).length);
  }, 120_000);

  it('denies every tagging path to the roles carrying the guard boundary (no organisation)', async () => {
    const r = await proveTamper(noOrg, noOrgState, TODAY, { perCharacter: true, extraKeys: ['team'] });
    report('mesh.yaml (boundary)', r);
    expectSealed(r);
  }, 120_000);

  it('without an organisation, a role meshgov does not manage is not guarded (the documented gap)', async () => {
    // docs/render.md and the plan say so; this keeps them honest: an account admin without the boundary can add a
    // grant tag for another role, and that role then writes to a stream it was never granted.
    const r = await proveTamper(
      noOrg,
      noOrgState,
      TODAY,
      { perCharacter: false, outsidersBounded: false },
      attackersOf(noOrg, ['unrelated']),
    );
    expect(r.allowedTampering.length).toBeGreaterThan(0);
    expect(r.gainedAccess.some((g) => g.includes('role/notifier kinesis:PutRecord'))).toBe(true);
  }, 120_000);
});

describe('iam proof, tamper dimension: the attack is real and the guard is targeted', () => {
  const resources = resourcesOf(mesh, state, TODAY);
  const notifications = resources.find((r) => r.arn.endsWith(':stream/customer.notifications.v1')) as Resource;
  const webTracker = principalsOf(mesh).find((p) => p.role === 'web-tracker') as Principal;
  const governance = principalsOf(mesh).find(
    (p) => p.kind === 'governance' && p.account === '333333333333',
  ) as Principal;

  it('IAM matches the ABAC tag key in any case: an upper-case grant tag would open the stream', async () => {
    const pol = policiesFor(webTracker, mesh, state);
    const write = (tags: Record<string, string>) =>
      simulate(mesh, pol, { principal: webTracker, action: 'kinesis:PutRecord', resource: notifications, tags });
    expect(await write(notifications.tags)).toBe('Denied');
    expect(await write({ ...notifications.tags, 'MESHGOV:PRODUCE:333333333333:WEB-TRACKER': 'allow' })).toBe('Allowed');
    expect(await write({ ...notifications.tags, 'Meshgov:produce:333333333333:web-tracker': 'allow' })).toBe('Allowed');
  });

  it('leaves tags of unmanaged streams alone, and lets the governance role tag in any case', async () => {
    const admin = attackerPolicies(webTracker, mesh, state);
    const shadow: Resource = {
      kind: 'stream',
      arn: 'arn:aws:kinesis:eu-west-1:333333333333:stream/team-scratch',
      account: '333333333333',
      tags: { team: 'web' },
    };
    const tag = (keys: string[]) =>
      simulate(mesh, admin, { principal: webTracker, action: 'kinesis:TagResource', resource: shadow, tagKeys: keys });
    expect(await tag(['team'])).toBe('Allowed');
    expect(await tag(['MeshGov:mesh'])).toBe('Denied');
    const gov = policiesFor(governance, mesh, state);
    for (const key of ['meshgov:domain', 'MESHGOV:DOMAIN', 'team']) {
      expect(
        await simulate(mesh, gov, {
          principal: governance,
          action: 'kinesis:UntagResource',
          resource: notifications,
          tagKeys: [key],
        }),
      ).toBe('Allowed');
    }
  });
});

describe('iam proof, tamper dimension: mutations are caught', () => {
  it('restoring the old case-sensitive guard lets upper-case grant tags through and buys access', async () => {
    const old = mutateGuard(state, () => OLD_GUARD(GOV_PATTERN));
    const r = await proveTamper(mesh, old, TODAY, { perCharacter: false }, in333(mesh));
    expect(r.allowedTampering.some((c) => c.includes('MESHGOV:CONSUME:'))).toBe(true);
    // Lower case was always denied through the Kinesis actions (the old guard did not name the tagging API at all).
    expect(r.allowedTampering.some((c) => c.includes('[meshgov:consume:') && c.includes(' kinesis:'))).toBe(false);
    expect(r.gainedAccess.length).toBeGreaterThan(0);
  }, 120_000);

  it('dropping the managed-resource statement lets anyone change ordinary tags of a managed stream', async () => {
    const weak = mutateGuard(state, (st) => st.filter((s) => s.Sid !== 'DenyTagChangesOnManagedResources'));
    const r = await proveTamper(mesh, weak, TODAY, { perCharacter: false, extraKeys: ['team'] }, in333(mesh));
    expect(r.allowedTampering.some((c) => c.endsWith('[team]'))).toBe(true);
  }, 120_000);

  it('dropping the key statement lets anyone create a stream with a grant tag for itself', async () => {
    const weak = mutateGuard(state, (st) => st.filter((s) => s.Sid !== 'DenyGovernanceTagKeys'));
    const r = await proveTamper(mesh, weak, TODAY, { perCharacter: false }, in333(mesh));
    expect(r.allowedTampering.some((c) => c.includes('kinesis:CreateStream'))).toBe(true);
    expect(r.allowedTampering.some((c) => c.includes('tag:TagResources'))).toBe(true);
  }, 120_000);
});

describe('iam proof, tamper dimension: generated mesh (20 domains)', () => {
  it('denies every tagging path in every letter case', async () => {
    const { mesh: g } = loadText(
      'generated-a.yaml',
      generateMesh({ domains: 20, streamsPerDomain: 1, grantsPerStream: 3, domainsPerAccount: 2, seed: 7 }),
      TODAY,
    );
    const r = await proveTamper(g, render(g), TODAY, {
      perCharacter: false,
      keys: 'own',
      extraKeys: ['team'],
      sampleEvery: 100,
    });
    report(`generated-a (${g.streams.length} streams, ${g.grants.length} grants)`, r);
    expectSealed(r);
  }, 300_000);
});

/**
 * Risk from effect (issue: the plan as a contract, defect 2): adding a grant rewrites a statement of the grantee's
 * identity policy and must be safe; revoking one is destructive. The live policy here is what render produced before
 * the grant, the desired one what it produces after: the exact shapes a real plan compares.
 */
import { describe, expect, it } from 'vitest';
import type { Grant, Mesh } from '../../src/core/model/types.js';
import { computePlan } from '../../src/core/plan/index.js';
import type { LiveRolePolicy, LiveState } from '../../src/core/plan/live.js';
import { renderMesh } from '../../src/core/render/index.js';
import type { DesiredState } from '../../src/core/render/types.js';
import { EXAMPLE_TODAY, exampleMesh } from '../support/example-mesh.js';
import { clock } from './builders.js';

const { mesh } = exampleMesh();
const render = (m: Mesh): DesiredState => renderMesh(m, { today: EXAMPLE_TODAY }).value;

/** The example plus one more consume grant for fraud-scorer (222222222222) on a stream of its own account, which its Consume statement does not reach yet. */
function withExtraGrant(): Mesh {
  const template = mesh.grants.find((g) => g.principal.role === 'fraud-scorer' && g.access === 'consume') as Grant;
  const extra: Grant = {
    ...structuredClone(template),
    id: 'fraud-reads-own-scores',
    stream: 'risk.fraud-scores.v1',
    pattern: 'replay',
  };
  delete extra.consumerName;
  return { ...mesh, grants: [...mesh.grants, extra] };
}

/** Only the IAM of the desired state, so the plan compares policies and nothing else. */
function iamOnly(s: DesiredState): DesiredState {
  return { ...s, accounts: s.accounts.map((a) => ({ ...a, streams: [], consumers: [] })) };
}
function liveIam(s: DesiredState): LiveState {
  return {
    region: s.region,
    notChecked: [],
    accounts: s.accounts.map((a) => ({
      account: a.account,
      streams: [],
      iam: a.iam
        .filter(
          (i) => i.roleName !== undefined && ['identity-policy', 'fanout-policy', 'governance-policy'].includes(i.kind),
        )
        .map((i): LiveRolePolicy => ({
          role: i.roleName as string,
          policyName: i.name,
          kind: 'managed',
          document: structuredClone(i.document),
        })),
    })),
  };
}
const iamChanges = (from: DesiredState, to: DesiredState) =>
  computePlan({ desired: iamOnly(to), live: liveIam(from), meshDigest: 'd', clock }).changes.filter(
    (c) => c.resourceType === 'iam-policy',
  );

describe('identity policy risk follows from effect', () => {
  const before = render(mesh);
  const after = render(withExtraGrant());

  it('adding a grant rewrites the grantee policy, and is safe', () => {
    const changes = iamChanges(before, after);
    expect(changes.map((c) => `${c.action} ${c.address} ${c.risk}`)).toEqual([
      'update 222222222222/iam/role/fraud-scorer/policy/meshgov-fraud-scorer safe',
    ]);
    expect(changes[0]?.reasons.join(' ')).toContain('keeps every grant of the live policy');
  });

  it('revoking it again is destructive, and says what is lost', () => {
    const changes = iamChanges(after, before);
    expect(changes.map((c) => `${c.action} ${c.address} ${c.risk}`)).toEqual([
      'update 222222222222/iam/role/fraud-scorer/policy/meshgov-fraud-scorer destructive',
    ]);
    expect(changes[0]?.reasons.join(' ')).toContain('no longer granted: kinesis:');
    expect(changes[0]?.reasons.join(' ')).toContain('arn:aws:kinesis:eu-west-1:222222222222:stream/*');
  });
});

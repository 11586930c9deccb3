/**
 * THE PROOF for the example mesh: every (principal, stream/consumer/account, action) cell is allowed by the
 * rendered policies, evaluated by @cloud-copilot/iam-simulate, if and only if the mesh declares it. Then: the
 * proof fails when one statement is widened, re-tagging cannot buy access, and the organisation pin holds.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import type { Mesh } from '../../src/core/model/types.js';
import { renderMesh } from '../../src/core/render/index.js';
import type { DesiredState } from '../../src/core/render/types.js';
import { loadFile } from './load.js';
import { addAction, clone, roleStatement, streamPolicyStatement } from './mutate.js';
import type { Principal, PrincipalPolicies, Resource } from './proof.js';
import { consumerArnOf, policiesFor, principalsOf, prove, resourcesOf, simulate } from './proof.js';

const TODAY = '2026-11-26';
const { mesh } = loadFile('mesh.yaml', TODAY);
const render = (m: Mesh, today = TODAY): DesiredState => {
  const r = renderMesh(m, { today });
  expect(r.diagnostics).toEqual([]);
  return r.value;
};
const state = render(mesh);

function report(label: string, r: { cells: number; allowed: number; expected: number }): void {
  console.log(`[iam-proof] ${label}: ${r.cells} cells, ${r.allowed} allowed (${r.expected} expected)`);
}

describe('iam proof: example mesh', () => {
  it('allows exactly the declared cells (organisation: guard SCP)', async () => {
    const r = await prove(mesh, state, TODAY);
    report('mesh.yaml', r);
    expect(r.unexpectedAllows).toEqual([]);
    expect(r.missingAllows).toEqual([]);
    expect(r.allowed).toBe(r.expected);
    expect(r.allowed).toBeGreaterThan(0);
  });

  it('allows exactly the declared cells without an organisation (guard as permissions boundary)', async () => {
    const noOrg: Mesh = { ...mesh };
    delete noOrg.organizationId;
    const s = render(noOrg);
    expect(s.accounts.flatMap((a) => a.iam).some((a) => a.kind === 'guard-scp')).toBe(false);
    const r = await prove(noOrg, s, TODAY);
    report('mesh.yaml without organisation', r);
    expect(r.unexpectedAllows).toEqual([]);
    expect(r.missingAllows).toEqual([]);
  });

  it('stops rendering a grant once it expired, and the proof agrees', async () => {
    const later = '2027-02-01'; // partner-settlement-reads-refunds expired on 2027-01-31
    const s = render(mesh, later);
    const refunds = s.accounts.flatMap((a) => a.streams).find((x) => x.name === 'payments.refunds.v1');
    expect(refunds?.resourcePolicy).toBeUndefined();
    expect(Object.keys(refunds?.tags ?? {})).not.toContain('meshgov:consume:999999999999:acme-settlement-reader');
    const r = await prove(mesh, s, later);
    report('mesh.yaml on 2027-02-01', r);
    expect(r.unexpectedAllows).toEqual([]);
    expect(r.missingAllows).toEqual([]);
    // The proof itself must notice when an expired grant is still rendered.
    const stale = await prove(mesh, state, later);
    expect(stale.unexpectedAllows).toContain(
      'arn:aws:iam::999999999999:role/acme-settlement-reader arn:aws:kinesis:eu-west-1:111111111111:stream/payments.refunds.v1 kinesis:GetRecords',
    );
  });
});

describe('iam proof: widening one statement is caught', () => {
  const cases: { name: string; widen: (s: DesiredState) => void; cell: string }[] = [
    {
      name: 'an extra action on a consumer statement',
      widen: (s) =>
        addAction(
          roleStatement(s, '222222222222', 'identity-policy', 'risk-alerts-lambda', 'Consume'),
          'kinesis:PutRecord',
        ),
      cell: 'arn:aws:iam::222222222222:role/risk-alerts-lambda arn:aws:kinesis:eu-west-1:222222222222:stream/risk.fraud-scores.v1 kinesis:PutRecord',
    },
    {
      name: 'a dropped ABAC condition on a producer statement',
      widen: (s) => {
        delete roleStatement(s, '333333333333', 'identity-policy', 'web-tracker', 'Produce').Condition;
      },
      cell: 'arn:aws:iam::333333333333:role/web-tracker arn:aws:kinesis:eu-west-1:333333333333:stream/customer.notifications.v1 kinesis:PutRecord',
    },
    {
      name: 'kinesis:* instead of the producer set',
      widen: (s) => {
        roleStatement(s, '333333333333', 'identity-policy', 'notifier', 'Produce').Action = 'kinesis:*';
      },
      cell: 'arn:aws:iam::333333333333:role/notifier arn:aws:kinesis:eu-west-1:333333333333:stream/customer.notifications.v1 kinesis:DeleteStream',
    },
    {
      name: "an extra action in an external principal's resource policy statement",
      widen: (s) => {
        addAction(
          streamPolicyStatement(s, 'payments.refunds.v1', 'PartnerSettlementReadsRefunds'),
          'kinesis:PutRecords',
        );
      },
      cell: 'arn:aws:iam::999999999999:role/acme-settlement-reader arn:aws:kinesis:eu-west-1:111111111111:stream/payments.refunds.v1 kinesis:PutRecords',
    },
    {
      name: 'Resource "*" on the fanout intermediary\'s policy with its tag condition gone',
      widen: (s) => {
        const st = roleStatement(s, '333333333333', 'fanout-policy', 'push-gateway', 'FanoutRead');
        st.Resource = '*';
        delete st.Condition;
      },
      cell: 'arn:aws:iam::333333333333:role/push-gateway arn:aws:kinesis:eu-west-1:333333333333:stream/customer.clickstream.v1 kinesis:GetRecords',
    },
  ];
  it.each(cases)('$name', async ({ widen, cell }) => {
    const mutated = clone(state);
    widen(mutated);
    const r = await prove(mesh, mutated, TODAY);
    expect(r.unexpectedAllows).toContain(cell);
    expect(r.missingAllows).toEqual([]);
  });
});

describe('tag tampering guard', () => {
  const streams = resourcesOf(mesh, state, TODAY);
  const resource = (arn: string): Resource => {
    const r = streams.find((x) => x.arn === arn);
    if (!r) throw new Error(`no resource ${arn}`);
    return r;
  };
  const clickstream = resource('arn:aws:kinesis:eu-west-1:333333333333:stream/customer.clickstream.v1');
  const notifications = resource('arn:aws:kinesis:eu-west-1:333333333333:stream/customer.notifications.v1');
  const efo = resource(consumerArnOf(mesh, '111111111111', 'payments.transactions.v1', 'fraud-scorer'));
  const webTracker = principalsOf(mesh).find((p) => p.role === 'web-tracker') as Principal;
  const governance = principalsOf(mesh).find(
    (p) => p.kind === 'governance' && p.account === '333333333333',
  ) as Principal;
  // A domain team gave its role tagging rights of its own (or is an account admin): only the guard stands in the way.
  const withTagging = (p: Principal, m: Mesh, s: DesiredState): PrincipalPolicies => {
    const pol = policiesFor(p, m, s);
    return {
      ...pol,
      identity: [
        ...pol.identity,
        {
          name: 'domain-admin',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Sid: 'DomainAdmin', Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }],
          },
        },
      ],
    };
  };
  const ownKey = 'meshgov:consume:333333333333:web-tracker';
  const variants = [
    { label: 'guard SCP', m: mesh, s: state },
    {
      label: 'guard permissions boundary',
      m: (() => {
        const x: Mesh = { ...mesh };
        delete x.organizationId;
        return x;
      })(),
      s: undefined as DesiredState | undefined,
    },
  ].map((v) => ({ ...v, s: v.s ?? render(v.m) }));

  it.each(variants)(
    'denies adding, removing or creating governance tags to anyone but the governance role ($label)',
    async ({ m, s }) => {
      const admin = withTagging(webTracker, m, s);
      const sim = (action: string, r: Resource, tagKeys: string[]) =>
        simulate(m, admin, { principal: webTracker, action, resource: r, tagKeys });
      expect(await sim('kinesis:AddTagsToStream', notifications, [ownKey])).toBe('Denied');
      expect(await sim('kinesis:TagResource', notifications, [ownKey])).toBe('Denied');
      expect(
        await sim('kinesis:RemoveTagsFromStream', clickstream, ['meshgov:consume:222222222222:fraud-scorer']),
      ).toBe('Denied');
      expect(await sim('kinesis:UntagResource', clickstream, ['meshgov:domain'])).toBe('Denied');
      expect(
        await sim(
          'kinesis:CreateStream',
          { ...notifications, arn: 'arn:aws:kinesis:eu-west-1:333333333333:stream/sneaky', tags: {} },
          [ownKey, 'meshgov:mesh'],
        ),
      ).toBe('Denied');
      expect(await sim('kinesis:RegisterStreamConsumer', notifications, [ownKey])).toBe('Denied');
      // A managed stream's tags belong to the governance role, whatever the key.
      expect(await sim('kinesis:AddTagsToStream', notifications, ['team'])).toBe('Denied');
      // And the governance role may set governance tags.
      expect(
        await simulate(m, policiesFor(governance, m, s), {
          principal: governance,
          action: 'kinesis:AddTagsToStream',
          resource: notifications,
          tagKeys: [ownKey],
        }),
      ).toBe('Allowed');
    },
  );

  it('denies re-tagging an EFO consumer across accounts too', async () => {
    const admin111 = principalsOf(mesh).find(
      (p) => p.kind === 'unrelated' && p.account === '111111111111',
    ) as Principal;
    const r = await simulate(mesh, withTagging(admin111, mesh, state), {
      principal: admin111,
      action: 'kinesis:TagResource',
      resource: efo,
      tagKeys: ['meshgov:consume:111111111111:proof-unrelated'],
    });
    expect(r).toBe('Denied');
  });

  it('so a role cannot buy itself access: the tag it would need is exactly what the guard denies', async () => {
    // web-tracker produces to customer.clickstream.v1 only; its ABAC statement covers its account's streams
    // that carry its produce tag.
    const produceKey = 'meshgov:produce:333333333333:web-tracker';
    const pol = policiesFor(webTracker, mesh, state);
    const write = (tags?: Record<string, string>) =>
      simulate(mesh, pol, {
        principal: webTracker,
        action: 'kinesis:PutRecord',
        resource: notifications,
        ...(tags ? { tags } : {}),
      });
    expect(await write()).toBe('Denied');
    // Counterfactual: had the tag been added, ABAC would let it write. This is why the guard must hold.
    expect(await write({ ...notifications.tags, [produceKey]: 'allow' })).toBe('Allowed');
    expect(
      await simulate(mesh, withTagging(webTracker, mesh, state), {
        principal: webTracker,
        action: 'kinesis:AddTagsToStream',
        resource: notifications,
        tagKeys: [produceKey],
      }),
    ).toBe('Denied');
    expect(
      await simulate(mesh, withTagging(webTracker, mesh, state), {
        principal: webTracker,
        action: 'kinesis:TagResource',
        resource: notifications,
        tagKeys: [produceKey],
      }),
    ).toBe('Denied');
  });
  // Mutations of the guard, and every letter case of every key: test/proof/iam-proof-tamper.test.ts.
});

describe('organisation pin on resource policies', () => {
  const analytics = principalsOf(mesh).find((p) => p.role === 'customer-analytics') as Principal;
  const transactions = (s: DesiredState) =>
    resourcesOf(mesh, s, TODAY).find((r) => r.arn.endsWith(':stream/payments.transactions.v1')) as Resource;
  const read = (s: DesiredState, org: string) =>
    simulate(mesh, policiesFor(analytics, mesh, s), {
      principal: analytics,
      action: 'kinesis:GetRecords',
      resource: transactions(s),
      context: { 'aws:PrincipalOrgID': org },
    });

  it('lets a granted cross-account role read only while its account is in the organisation', async () => {
    expect(await read(state, 'o-acme1234ab')).toBe('Allowed');
    expect(await read(state, 'o-elsewhere1')).toBe('Denied');
  });

  it('fails when the aws:PrincipalOrgID condition is dropped (mutation)', async () => {
    const mutated = clone(state);
    delete streamPolicyStatement(mutated, 'payments.transactions.v1', 'AnalyticsReplaysTransactions').Condition;
    expect(await read(mutated, 'o-elsewhere1')).toBe('Allowed');
  });
});

describe('governance trust (role chaining from the home account)', () => {
  const gov = (account: string) => `arn:aws:iam::${account}:role/meshgov/meshgov-governance`;
  const artefact = (account: string, kind: string) =>
    state.accounts.find((a) => a.account === account)?.iam.find((i) => i.kind === kind);
  async function assume(
    principal: string,
    principalAccount: string,
    identity: { name: string; policy: unknown }[],
    target: string,
  ) {
    const res = await runSimulation(
      {
        request: {
          principal,
          action: 'sts:AssumeRole',
          resource: { resource: gov(target), accountId: target },
          contextVariables: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': principalAccount },
        },
        identityPolicies: identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: artefact(target, 'trust-policy')?.document,
      },
      {},
    );
    if (res.resultType !== 'single') throw new Error(JSON.stringify(res));
    return res.overallResult;
  }
  const homePolicy = [{ name: 'gov', policy: artefact('111111111111', 'governance-policy')?.document }];

  it.each(['222222222222', '333333333333'])(
    'the home governance role may assume the governance role in %s',
    async (target) => {
      expect(await assume(gov('111111111111'), '111111111111', homePolicy, target)).toBe('Allowed');
    },
  );

  it("nobody else may, not even an admin of the home account or another account's governance role", async () => {
    const admin = [
      {
        name: 'admin',
        policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
      },
    ];
    expect(await assume('arn:aws:iam::111111111111:role/admin', '111111111111', admin, '222222222222')).not.toBe(
      'Allowed',
    );
    expect(await assume(gov('333333333333'), '333333333333', admin, '222222222222')).not.toBe('Allowed');
    expect(await assume('arn:aws:iam::999999999999:role/admin', '999999999999', admin, '222222222222')).not.toBe(
      'Allowed',
    );
  });
});

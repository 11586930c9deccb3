import { beforeAll, describe, expect, it } from 'vitest';
import { loadKinesisActionCatalog } from '../../src/adapters/aws/iam-analysis.js';
import { resourcePolicyChecks, resourcePolicyTagTampering } from '../../src/core/audit/access.js';
import type { ActionCatalog } from '../../src/core/audit/identity-reach.js';
import { identityChecks } from '../../src/core/audit/identity-reach.js';
import type { Grant } from '../../src/core/model/types.js';
import { guardBoundary } from '../../src/core/render/guard.js';
import type { PolicyStatement } from '../../src/core/render/types.js';
import {
  A,
  B,
  C,
  FRAUD_CONSUMER_ARN,
  GOV,
  ORDERS_ARN,
  ORG,
  OUTSIDER,
  liveStream,
  livePolicyOf,
  roleArn,
  world,
} from './builders.js';

let catalog: ActionCatalog;
beforeAll(async () => {
  catalog = await loadKinesisActionCatalog();
});

type World = ReturnType<typeof world>;
function rp(mutate: (w: World) => void) {
  const w = world();
  mutate(w);
  return resourcePolicyChecks(w.ctx).findings;
}
function addStatement(w: World, s: PolicyStatement) {
  const stream = liveStream(w.live, 'orders');
  livePolicyOf(stream).Statement.push(s);
}
const ids = (fs: { code: string }[]) => fs.map((f) => f.code);

describe('resource-policy principals', () => {
  it('nothing to report on the rendered policies', () => {
    expect(resourcePolicyChecks(world().ctx).findings).toEqual([]);
    expect(resourcePolicyTagTampering(world().ctx)).toEqual([]);
  });

  it('public-principal: Principal "*" without a restricting condition', () => {
    const f = rp((w) =>
      addStatement(w, {
        Sid: 'Open',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
        Resource: ORDERS_ARN,
      }),
    );
    expect(f).toMatchObject([
      {
        code: 'public-principal',
        severity: 'error',
        resource: `${A}/stream/orders`,
        evidence: { statement: { Sid: 'Open' } },
      },
    ]);
  });

  it('public-principal: Allow with NotPrincipal allows everyone else', () => {
    const f = rp((w) =>
      addStatement(w, {
        Sid: 'AllButOne',
        Effect: 'Allow',
        NotPrincipal: { AWS: roleArn(B, 'x') },
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
      }),
    );
    expect(f).toMatchObject([
      { code: 'public-principal', severity: 'error', evidence: { statement: { Sid: 'AllButOne' } } },
    ]);
  });

  it('wildcard-principal (a warning, not public) when aws:PrincipalOrgID narrows it; a negated condition does not count', () => {
    const narrowed = rp((w) =>
      addStatement(w, {
        Sid: 'Org',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      }),
    );
    expect(narrowed).toMatchObject([{ code: 'wildcard-principal', severity: 'warning' }]);
    const negated = rp((w) =>
      addStatement(w, {
        Sid: 'Not',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-other' } },
      }),
    );
    expect(ids(negated)).toEqual(['public-principal']);
  });

  it('out-of-org-principal: an account outside the organisation named in the policy', () => {
    const f = rp((w) =>
      addStatement(w, {
        Sid: 'Partner',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OUTSIDER}:root` },
        Action: [
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        Resource: ORDERS_ARN,
      }),
    );
    expect(f).toMatchObject([
      {
        code: 'out-of-org-principal',
        severity: 'error',
        evidence: {
          principal: `arn:aws:iam::${OUTSIDER}:root`,
          principalAccount: OUTSIDER,
          organisationAccountsFrom: 'organizations',
        },
      },
    ]);
  });

  it('out-of-org uses the mesh accounts when Organizations was not read, and says so', () => {
    const w = world();
    delete w.live.organization;
    addStatement(w, {
      Sid: 'P',
      Effect: 'Allow',
      Principal: { AWS: OUTSIDER },
      Action: 'kinesis:GetRecords',
      Resource: ORDERS_ARN,
    });
    const r = resourcePolicyChecks(w.ctx);
    expect(r.findings).toMatchObject([
      { code: 'out-of-org-principal', evidence: { organisationAccountsFrom: 'mesh' } },
    ]);
    expect(r.notes?.[0]).toMatch(/Organizations was not read/);
  });

  it('an external principal declared by a grant is not reported', () => {
    const f = rp((w) => {
      w.mesh.grants.push({
        ...(w.mesh.grants[2] as Grant),
        id: 'partner',
        principal: { kind: 'role', account: OUTSIDER, role: 'reader', path: '/', external: true },
        expires: '2027-01-31',
      });
      addStatement(w, {
        Sid: 'Partner',
        Effect: 'Allow',
        Principal: { AWS: roleArn(OUTSIDER, 'reader') },
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
      });
    });
    expect(f).toEqual([]);
  });

  it('undeclared-principal: an in-organisation role no grant declares; an account root broader than a role grant', () => {
    const role = rp((w) =>
      addStatement(w, {
        Sid: 'Hand',
        Effect: 'Allow',
        Principal: { AWS: roleArn(B, 'batch-export') },
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
      }),
    );
    expect(role).toMatchObject([
      { code: 'undeclared-principal', severity: 'error', evidence: { principal: roleArn(B, 'batch-export') } },
    ]);
    const root = rp((w) =>
      addStatement(w, {
        Sid: 'Acct',
        Effect: 'Allow',
        Principal: { AWS: B },
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
      }),
    );
    expect(root).toMatchObject([{ code: 'undeclared-principal', evidence: { principal: `arn:aws:iam::${B}:root` } }]);
  });

  it('the governance role and Deny statements are never reported', () => {
    const f = rp((w) => {
      addStatement(w, {
        Sid: 'Gov',
        Effect: 'Allow',
        Principal: { AWS: GOV(A) },
        Action: 'kinesis:*',
        Resource: ORDERS_ARN,
      });
      addStatement(w, {
        Sid: 'DenyAll',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kinesis:DeleteStream',
        Resource: ORDERS_ARN,
      });
    });
    expect(f).toEqual([]);
  });
});

describe('undeclared-consumer', () => {
  it('an EFO consumer nobody declared', () => {
    const f = rp((w) => {
      liveStream(w.live, 'orders').consumers.push({
        name: 'shadow-reader',
        arn: `${ORDERS_ARN}/consumer/shadow-reader:1764000000`,
        status: 'ACTIVE',
        tags: {},
      });
    });
    expect(f).toMatchObject([
      {
        code: 'undeclared-consumer',
        severity: 'error',
        resource: `${A}/stream/orders/consumer/shadow-reader`,
        evidence: { consumerArn: `${ORDERS_ARN}/consumer/shadow-reader:1764000000` },
      },
    ]);
  });
  it('the declared consumer is not reported', () => {
    expect(ids(rp(() => undefined))).not.toContain('undeclared-consumer');
  });
});

describe('expired-grant-in-force', () => {
  it('an expired grant whose tag and policy statement are still live', () => {
    const w = world();
    w.ctx.today = '2027-04-01'; // analytics-replays-orders expired on 2027-03-31
    const f = resourcePolicyChecks(w.ctx).findings;
    expect(f).toMatchObject([
      {
        code: 'expired-grant-in-force',
        severity: 'error',
        evidence: {
          grant: 'analytics-replays-orders',
          expired: '2027-03-31',
          stillInForceThrough: [
            `stream tag meshgov:consume:${C}:analytics=allow`,
            'stream resource policy statement analyticsreplaysorders',
          ],
        },
      },
    ]);
  });
  it('an expired grant already removed from the stream is not reported; on its expiry day a grant is still valid', () => {
    const w = world();
    w.ctx.today = '2027-04-01';
    const s = liveStream(w.live, 'orders');
    delete s.tags[`meshgov:consume:${C}:analytics`];
    livePolicyOf(s).Statement = livePolicyOf(s).Statement.filter((x) => x.Sid !== 'analyticsreplaysorders');
    expect(resourcePolicyChecks(w.ctx).findings).toEqual([]);
    const onTheDay = world();
    onTheDay.ctx.today = '2027-03-31';
    expect(resourcePolicyChecks(onTheDay.ctx).findings).toEqual([]);
  });
  it('an expired EFO grant whose consumer is still registered', () => {
    const w = world();
    w.ctx.today = '2027-10-01'; // fraud-reads-orders expired 2027-09-30 (analytics too)
    const f = resourcePolicyChecks(w.ctx).findings.find(
      (x) => (x.evidence as { grant: string }).grant === 'fraud-reads-orders',
    );
    expect((f?.evidence as { stillInForceThrough: string[] }).stillInForceThrough).toContain(
      `registered consumer ${FRAUD_CONSUMER_ARN}`,
    );
  });
});

describe('identity policies (IAM analysis)', () => {
  function idc(mutate: (w: World) => void) {
    const w = world();
    mutate(w);
    return identityChecks(w.ctx, catalog);
  }
  const addPrincipal = (w: World, account: string, principalArn: string, ...Statement: PolicyStatement[]) => {
    w.live.accounts
      .find((a) => a.account === account)
      ?.identityPolicies?.push({ principalArn, documents: [{ Version: '2012-10-17', Statement }] });
  };

  it('grant-shaped policies, an ABAC policy and the governance admin policy produce nothing', () => {
    const r = idc(() => undefined);
    expect(r.findings).toEqual([]);
    expect(r.checksRun).toEqual(['identity-policy-overreach', 'tag-tampering']);
  });

  it('the read-only role may read stream metadata, but not records', () => {
    const meta = {
      Sid: 'Meta',
      Effect: 'Allow' as const,
      Action: [
        'kinesis:DescribeStreamSummary',
        'kinesis:ListShards',
        'kinesis:GetResourcePolicy',
        'kinesis:ListTagsForResource',
      ],
      Resource: `arn:aws:kinesis:eu-west-1:${A}:stream/*`,
    };
    const reader = `arn:aws:iam::${A}:role/meshgov/meshgov-reader`;
    const quiet = idc((w) => {
      w.ctx.mesh.governanceRole.readOnlyName = 'meshgov-reader';
      addPrincipal(w, A, reader, meta);
    });
    expect(quiet.findings).toEqual([]);
    // The same reads on a role that is not the read-only role are overreach.
    const other = idc((w) => addPrincipal(w, A, roleArn(A, 'meshgov-reader'), meta));
    expect(other.findings.map((f) => f.code)).toEqual(['identity-policy-overreach']);
    // And the read-only role reading records is overreach too.
    const widened = idc((w) => {
      w.ctx.mesh.governanceRole.readOnlyName = 'meshgov-reader';
      addPrincipal(w, A, reader, { ...meta, Action: [...meta.Action, 'kinesis:GetRecords'] });
    });
    expect(widened.findings.map((f) => f.code)).toEqual(['identity-policy-overreach']);
  });

  it('identity-policy-overreach: a wildcard identity policy (kinesis:Get* on stream/*) reaches a stream with no grant', () => {
    const r = idc((w) =>
      addPrincipal(w, A, roleArn(A, 'reporting'), {
        Sid: 'ReadAll',
        Effect: 'Allow',
        Action: ['kinesis:Get*', 'kinesis:List*', 'kinesis:Describe*'],
        Resource: `arn:aws:kinesis:eu-west-1:${A}:stream/*`,
      }),
    );
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0];
    expect(f).toMatchObject({
      code: 'identity-policy-overreach',
      severity: 'error',
      resource: `${A}/principal/${roleArn(A, 'reporting')}`,
      account: A,
    });
    const beyond = (f?.evidence as { beyondGrants: { resource: string; actions: string[] }[] }).beyondGrants;
    expect(beyond.map((b) => b.resource)).toEqual([ORDERS_ARN, FRAUD_CONSUMER_ARN]);
    // kinesis:Get* expanded from the catalog: GetRecords, GetResourcePolicy, GetShardIterator
    expect(beyond[0]?.actions).toEqual(
      expect.arrayContaining([
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:GetResourcePolicy',
        'kinesis:ListStreamConsumers',
      ]),
    );
    expect(beyond[0]?.actions).not.toContain('kinesis:PutRecord');
    expect(beyond[1]?.actions).toEqual([
      'kinesis:DescribeStreamConsumer',
      'kinesis:GetResourcePolicy',
      'kinesis:ListTagsForResource',
    ]);
  });

  it('identity-policy-overreach: "*" on "*" reaches admin actions and tags; NotAction is expanded too', () => {
    const r = idc((w) =>
      addPrincipal(w, C, `arn:aws:iam::${C}:user/ops`, { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }),
    );
    const over = r.findings.find((f) => f.code === 'identity-policy-overreach');
    const actions = (over?.evidence as { beyondGrants: { resource: string; actions: string[] }[] }).beyondGrants.find(
      (b) => b.resource.endsWith('stream/clicks'),
    )?.actions;
    expect(actions).toEqual(
      expect.arrayContaining([
        'kinesis:DeleteStream',
        'kinesis:GetRecords',
        'kinesis:UpdateShardCount',
        'kinesis:PutRecord',
      ]),
    );
    expect(r.findings.find((f) => f.code === 'tag-tampering')).toMatchObject({ severity: 'error' });
    const notAction = idc((w) =>
      addPrincipal(w, C, roleArn(C, 'na'), {
        Sid: 'NotIam',
        Effect: 'Allow',
        NotAction: ['iam:*'],
        Resource: CLICKS(C),
      }),
    );
    expect(ids(notAction.findings)).toEqual(['identity-policy-overreach', 'tag-tampering']);
  });

  it('an unconditional explicit Deny removes the reach', () => {
    const r = idc((w) =>
      addPrincipal(
        w,
        A,
        roleArn(A, 'reporting'),
        { Sid: 'Wide', Effect: 'Allow', Action: 'kinesis:*', Resource: '*' },
        { Sid: 'D1', Effect: 'Deny', Action: 'kinesis:*', Resource: ORDERS_ARN },
        { Sid: 'D2', Effect: 'Deny', Action: 'kinesis:*', Resource: `${ORDERS_ARN}/consumer/*` },
        { Sid: 'D3', Effect: 'Deny', NotAction: 'kinesis:ListStreams', Resource: '*' },
      ),
    );
    expect(r.findings).toEqual([]);
  });

  it('cross-account reach needs the stream resource policy: a B role with kinesis:* reaches only what orders admits it to', () => {
    const r = idc((w) =>
      addPrincipal(w, B, roleArn(B, 'wide'), { Sid: 'Wide', Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }),
    );
    expect(r.findings).toEqual([]);
    const admitted = idc((w) => {
      addPrincipal(w, B, roleArn(B, 'wide'), { Sid: 'Wide', Effect: 'Allow', Action: 'kinesis:*', Resource: '*' });
      addStatement(w, {
        Sid: 'Wide',
        Effect: 'Allow',
        Principal: { AWS: roleArn(B, 'wide') },
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
      });
    });
    expect(admitted.findings).toMatchObject([
      {
        code: 'identity-policy-overreach',
        evidence: { beyondGrants: [{ resource: ORDERS_ARN, actions: ['kinesis:GetRecords'] }] },
      },
    ]);
  });

  it('ABAC conditions are evaluated against the stream tags: a tag the stream lacks means no reach', () => {
    const w = world();
    const analytics = w.live.accounts
      .find((a) => a.account === C)
      ?.identityPolicies?.find((p) => p.principalArn === roleArn(C, 'analytics'));
    expect(analytics).toBeDefined();
    // Adding the analytics grant tag to clicks (tag tampering by someone) makes the ABAC policy reach it.
    liveStream(w.live, 'clicks').tags[`meshgov:consume:${C}:analytics`] = 'allow';
    const r = identityChecks(w.ctx, catalog);
    expect(r.findings).toMatchObject([
      { code: 'identity-policy-overreach', resource: `${C}/principal/${roleArn(C, 'analytics')}` },
    ]);
  });

  it('unknown conditions make a finding conditional (warning)', () => {
    const r = idc((w) =>
      addPrincipal(w, A, roleArn(A, 'vpc-only'), {
        Sid: 'Vpc',
        Effect: 'Allow',
        Action: 'kinesis:GetRecords',
        Resource: ORDERS_ARN,
        Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } },
      }),
    );
    expect(r.findings).toMatchObject([
      {
        code: 'identity-policy-overreach',
        severity: 'warning',
        evidence: { beyondGrants: [{ actions: ['kinesis:GetRecords (conditional)'] }] },
      },
    ]);
  });

  it('tag-tampering: a producer allowed to tag its stream; the tag guard deny suppresses it', () => {
    const tagger = (w: World, guard: boolean) =>
      addPrincipal(
        w,
        A,
        roleArn(A, 'orders-writer'),
        {
          Sid: 'Tag',
          Effect: 'Allow',
          Action: ['kinesis:AddTagsToStream', 'kinesis:RemoveTagsFromStream'],
          Resource: ORDERS_ARN,
        },
        ...(guard
          ? [
              {
                Sid: 'Guard',
                Effect: 'Deny' as const,
                Action: [
                  'kinesis:AddTagsToStream',
                  'kinesis:RemoveTagsFromStream',
                  'kinesis:TagResource',
                  'kinesis:UntagResource',
                ],
                Resource: '*',
                Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['meshgov:*'] } },
              },
            ]
          : []),
      );
    const r = idc((w) => tagger(w, false));
    expect(r.findings).toMatchObject([
      {
        code: 'tag-tampering',
        severity: 'error',
        resource: `${A}/principal/${roleArn(A, 'orders-writer')}`,
        evidence: {
          resources: [{ resource: ORDERS_ARN, actions: ['kinesis:AddTagsToStream', 'kinesis:RemoveTagsFromStream'] }],
        },
      },
    ]);
    expect(idc((w) => tagger(w, true)).findings).toEqual([]);
  });

  describe('tag-tampering and the permissions boundary meshgov attached', () => {
    const tagging = {
      Sid: 'Tag',
      Effect: 'Allow' as const,
      Action: ['kinesis:AddTagsToStream', 'kinesis:RemoveTagsFromStream'],
      Resource: ORDERS_ARN,
    };
    const BOUNDARY_ARN = `arn:aws:iam::${A}:policy/meshgov/meshgov-tag-guard-boundary`;
    /** orders-writer may tag orders; its live boundary is `document`; meshgov renders its guard boundary for A. */
    function bounded(document: unknown, role = 'orders-writer') {
      return idc((w) => {
        addPrincipal(w, A, roleArn(A, 'orders-writer'), tagging);
        const desired = w.ctx.desired.accounts.find((a) => a.account === A);
        const rendered = guardBoundary(w.ctx.mesh);
        const name = 'meshgov-tag-guard-boundary';
        desired?.iam.push({ kind: 'permissions-boundary', account: A, name, grantIds: [], document: rendered });
        const live = w.live.accounts.find((a) => a.account === A);
        const boundary = { role, policyName: name, kind: 'boundary' as const, document, policyArn: BOUNDARY_ARN };
        live?.iam?.push(boundary);
      });
    }
    const allowAll = { Sid: 'BoundaryAllowsIdentityPolicies', Effect: 'Allow', Action: '*', Resource: '*' };

    it('is not reported for a role whose boundary is the guard meshgov attached (as read; Sids, order ignored)', () => {
      expect(bounded(guardBoundary(world().mesh)).findings).toEqual([]);
      // IAM role names are unique in any case: the boundary read for ORDERS-WRITER is this role's.
      expect(bounded(guardBoundary(world().mesh), 'ORDERS-WRITER').findings).toEqual([]);
      const reordered = guardBoundary(world().mesh);
      const statements = reordered.Statement.map((s, i) => ({ ...s, Sid: `S${i}` })).reverse();
      expect(bounded({ ...reordered, Statement: statements }).findings).toEqual([]);
    });

    it('is still reported when the boundary is named like the guard but its document does not deny the tagging', () => {
      const f = bounded({ Version: '2012-10-17', Statement: [allowAll] }).findings;
      const resource = `${A}/principal/${roleArn(A, 'orders-writer')}`;
      expect(f).toMatchObject([{ code: 'tag-tampering', severity: 'error', resource }]);
      // A weakened guard (its deny limited to a key no stream carries) is not the guard either.
      const weak = {
        Sid: 'DenyGovernanceTagKeys',
        Effect: 'Deny',
        Action: 'kinesis:AddTagsToStream',
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestTag/meshgov:never': 'x' } },
      };
      const weakened = { Version: '2012-10-17', Statement: [allowAll, weak] };
      expect(ids(bounded(weakened).findings)).toEqual(['tag-tampering']);
      // The foreign boundary meshgov never reads arrives with an empty statement list: nothing is denied.
      expect(ids(bounded({ Version: '2012-10-17', Statement: [] }).findings)).toEqual(['tag-tampering']);
    });

    it('is still reported when the guard boundary is on another role', () => {
      expect(ids(bounded(guardBoundary(world().mesh), 'orders-writer-2').findings)).toEqual(['tag-tampering']);
    });

    it('an unconditional Deny in any boundary holds too', () => {
      const denyTags = { Effect: 'Deny', Action: 'kinesis:*Tags*', Resource: '*' };
      const deny = { Version: '2012-10-17', Statement: [allowAll, denyTags] };
      expect(bounded(deny).findings).toEqual([]);
    });
  });

  it('tag-tampering through a resource policy statement', () => {
    const w = world();
    addStatement(w, {
      Sid: 'LetThemTag',
      Effect: 'Allow',
      Principal: { AWS: roleArn(B, 'fraud-scorer') },
      Action: 'kinesis:TagResource',
      Resource: ORDERS_ARN,
    });
    expect(resourcePolicyTagTampering(w.ctx)).toMatchObject([
      {
        code: 'tag-tampering',
        evidence: { principals: [roleArn(B, 'fraud-scorer')], actions: ['kinesis:TagResource'] },
      },
    ]);
  });

  it('says which checks could not run when IAM was not read', () => {
    const w = world();
    for (const a of w.live.accounts) delete a.identityPolicies;
    w.live.notChecked.push('IAM: no emulator on the local target');
    const r = identityChecks(w.ctx, catalog);
    expect(r.checksRun).toEqual([]);
    expect(r.checksNotRun).toEqual([
      { check: 'identity-policy-overreach (identity policies)', reason: 'IAM: no emulator on the local target' },
      { check: 'tag-tampering (identity policies)', reason: 'IAM: no emulator on the local target' },
    ]);
  });
});

function CLICKS(account: string) {
  return `arn:aws:kinesis:eu-west-1:${account}:stream/clicks`;
}

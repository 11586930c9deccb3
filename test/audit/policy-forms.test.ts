/**
 * Audit on live policies in every form of the IAM grammar, and outside it (issue 14): every check reads policies
 * through the one policy model, so no form crashes a check, the public forms are public, and equivalent rewritings
 * (order, Sids, bare account id vs root ARN) are no drift.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKinesisActionCatalog } from '../../src/adapters/aws/iam-analysis.js';
import { resourcePolicyChecks, resourcePolicyTagTampering } from '../../src/core/audit/access.js';
import { driftChecks } from '../../src/core/audit/drift.js';
import type { ActionCatalog } from '../../src/core/audit/identity-reach.js';
import { identityChecks } from '../../src/core/audit/identity-reach.js';
import type { PolicyDocument } from '../../src/core/render/types.js';
import { A, B, ORDERS_ARN, liveStream, livePolicyOf, world } from './builders.js';

let catalog: ActionCatalog;
beforeAll(async () => {
  catalog = await loadKinesisActionCatalog();
});

type World = ReturnType<typeof world>;
const ids = (fs: { code: string }[]) => fs.map((f) => f.code).sort();

function withLivePolicy(policy: (rendered: PolicyDocument) => unknown): World {
  const w = world();
  const s = liveStream(w.live, 'orders');
  s.resourcePolicy = policy(structuredClone(livePolicyOf(s)));
  return w;
}

/** Every check that reads resource or identity policies. */
function allChecks(w: World) {
  return [
    ...resourcePolicyChecks(w.ctx).findings,
    ...resourcePolicyTagTampering(w.ctx),
    ...identityChecks(w.ctx, catalog).findings,
    ...driftChecks(w.ctx).findings,
  ];
}

describe('audit: public principals in every form', () => {
  const forms: [string, unknown][] = [
    ['"*"', '*'],
    ['{"AWS": "*"}', { AWS: '*' }],
    ['{"AWS": ["*", account]}', { AWS: ['*', B] }],
  ];
  it.each(forms)('Principal %s is public-principal', (_name, principal) => {
    const open = { Effect: 'Allow', Principal: principal, Action: 'kinesis:GetRecords', Resource: ORDERS_ARN };
    const w = withLivePolicy((d) => ({ ...d, Statement: [...d.Statement, open] }));
    expect(ids(resourcePolicyChecks(w.ctx).findings)).toContain('public-principal');
    expect(ids(driftChecks(w.ctx).findings)).toEqual(['resource-policy-drift']);
  });
});

describe('audit: live policies outside the grammar never crash a check', () => {
  it.each<[string, unknown]>([
    ['a string', 'policy'],
    ['null statements', { Version: '2012-10-17', Statement: [null, 7] }],
    ['a null principal', { Statement: { Effect: 'Allow', Principal: null, Action: 'kinesis:*' } }],
    ['numbers for strings', { Statement: { Effect: 'Allow', Principal: { AWS: 2 }, Action: [1], Condition: 5 } }],
  ])('%s: reported as drift, and every check runs', (_name, policy) => {
    const w = withLivePolicy(() => policy);
    expect(() => allChecks(w)).not.toThrow();
    expect(ids(driftChecks(w.ctx).findings)).toEqual(['resource-policy-drift']);
  });

  it('identity policies outside the grammar are read as far as they go', () => {
    const w = world();
    const account = w.live.accounts.find((a) => a.account === A);
    const documents = [null, 'x', { Statement: [null, { Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }];
    account?.identityPolicies?.push({ principalArn: `arn:aws:iam::${A}:role/odd`, documents });
    const r = identityChecks(w.ctx, catalog);
    const odd = r.findings.filter((f) => f.resource.includes('role/odd'));
    expect(ids(odd)).toEqual(['identity-policy-overreach', 'tag-tampering']);
  });
});

describe('audit: equivalent policies are no drift (issue 14, defect 4)', () => {
  it.each<[string, (d: PolicyDocument) => unknown]>([
    ['reordered statements', (d) => ({ ...d, Statement: [...d.Statement].reverse() })],
    [
      'renamed and dropped Sids',
      (d) => ({
        ...d,
        Statement: d.Statement.map((s, i) => ({ ...s, Sid: i === 0 ? 'Other' : undefined })),
      }),
    ],
    [
      'principals as lists, with duplicates',
      (d) => ({
        ...d,
        Statement: d.Statement.map((s) => {
          const aws = (s.Principal as { AWS: string }).AWS;
          return { ...s, Principal: { AWS: [aws, aws] } };
        }),
      }),
    ],
  ])('%s', (_name, rewrite) => {
    const w = withLivePolicy(rewrite);
    expect(driftChecks(w.ctx).findings).toEqual([]);
  });

  it('a root ARN in the mesh and a bare account id live are the same principal', () => {
    const w = world();
    const desired = w.desired.accounts.flatMap((a) => a.streams).find((s) => s.name === 'orders');
    const root = {
      Sid: 'Partner',
      Effect: 'Allow' as const,
      Principal: { AWS: `arn:aws:iam::${B}:root` },
      Action: 'kinesis:GetRecords',
      Resource: ORDERS_ARN,
    };
    desired?.resourcePolicy?.Statement.push(root);
    livePolicyOf(liveStream(w.live, 'orders')).Statement.push({ ...root, Sid: 'Renamed', Principal: { AWS: B } });
    expect(driftChecks(w.ctx).findings).toEqual([]);
  });
});

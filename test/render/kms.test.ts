/**
 * KMS rights for streams with a customer-managed key: key scoping (ARN, key id, alias, alias ARN), producer and
 * consumer identity statements with the Kinesis ViaService condition, the fanout intermediary, and the advisory
 * key-policy statements for principals outside the key's account, the last also evaluated with iam-simulate.
 */
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import type { Grant, Mesh, Stream } from '../../src/core/model/types.js';
import { fanoutPolicy } from '../../src/core/render/fanout-policy.js';
import { identityStatements, principalRoles } from '../../src/core/render/identity-policy.js';
import { renderMesh } from '../../src/core/render/index.js';
import { KMS_KEY_POLICY_ADVISORY, customerKey, keyPolicyArtefacts } from '../../src/core/render/kms.js';
import type { PolicyDocument, PolicyStatement } from '../../src/core/render/types.js';
import { A, B, EXT, TODAY, aGrant, aMesh, aPrincipal, aStream, reader } from './builders.js';

const KEY_ID = '11111111-2222-4333-8444-555555555555';
const KEY_ARN = `arn:aws:kms:eu-west-1:${A}:key/${KEY_ID}`;
const VIA = { StringEquals: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } };
const kms = (keyId: string): Stream['encryption'] => ({ type: 'KMS', keyId });

describe('customer-managed key scoping', () => {
  const mesh = aMesh();
  it.each([
    ['a key ARN', KEY_ARN, { keyId: KEY_ARN, account: A, region: 'eu-west-1', keyArn: KEY_ARN }],
    [
      "a key id: the ARN in the stream's account and region",
      KEY_ID,
      { keyId: KEY_ID, account: A, region: 'eu-west-1', keyArn: KEY_ARN },
    ],
    [
      "an alias name: aliases in the stream's account",
      'alias/orders',
      { keyId: 'alias/orders', account: A, region: 'eu-west-1', alias: 'alias/orders' },
    ],
    [
      "an alias ARN: the alias's own account and region",
      `arn:aws:kms:us-east-1:${B}:alias/shared/orders`,
      {
        keyId: `arn:aws:kms:us-east-1:${B}:alias/shared/orders`,
        account: B,
        region: 'us-east-1',
        alias: 'alias/shared/orders',
      },
    ],
  ])('%s', (_n, keyId, want) => {
    expect(customerKey(mesh, aStream({ encryption: kms(keyId) }))).toEqual(want);
  });

  it.each([
    ['the AWS-managed alias', kms('alias/aws/kinesis')],
    ['the AWS-managed alias ARN', kms(`arn:aws:kms:eu-west-1:${A}:alias/aws/kinesis`)],
    ['no encryption', { type: 'NONE' as const }],
  ])('none for %s', (_n, encryption) => {
    expect(customerKey(mesh, aStream({ encryption }))).toBeUndefined();
  });
});

describe('grantee identity statements', () => {
  const streams = [
    aStream({ name: 'by-arn', encryption: kms(KEY_ARN) }),
    aStream({ name: 'by-alias', encryption: kms('alias/orders') }),
    aStream({ name: 'managed', encryption: kms('alias/aws/kinesis') }),
  ];
  const mesh = aMesh({ streams });
  const byName = new Map(streams.map((s) => [s.name, s]));
  const statements = (grants: Grant[]): PolicyStatement[] =>
    identityStatements(mesh, principalRoles(mesh, grants)[0]!, byName);
  const kmsOnly = (ss: PolicyStatement[]) => ss.filter((s) => s.Sid.includes('Kms'));

  it('producers: GenerateDataKey on the key ARN, only through Kinesis in the mesh region', () => {
    expect(
      kmsOnly(statements([aGrant({ stream: 'by-arn', principal: aPrincipal({ account: B, role: 'w' }) })])),
    ).toEqual([
      { Sid: 'ProduceKms', Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: KEY_ARN, Condition: VIA },
    ]);
  });

  it('consumers: Decrypt, and an alias becomes key/* narrowed by kms:ResourceAliases', () => {
    const ss = statements([
      reader('r', B, { stream: 'by-arn' }),
      reader('r', B, { id: 'r-alias', stream: 'by-alias' }),
    ]);
    expect(kmsOnly(ss)).toEqual([
      { Sid: 'ConsumeKms', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: KEY_ARN, Condition: VIA },
      {
        Sid: `ConsumeKmsAlias${A}euwest1`,
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: `arn:aws:kms:eu-west-1:${A}:key/*`,
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/orders' }, ...VIA },
      },
    ]);
    expect(ss.map((s) => s.Sid)).toEqual(['Consume', 'ConsumeKms', `ConsumeKmsAlias${A}euwest1`]);
  });

  it('nothing for the AWS-managed key or unencrypted streams', () => {
    expect(
      kmsOnly(
        statements([
          aGrant({ stream: 'managed', principal: aPrincipal({ account: B, role: 'w' }) }),
          reader('w', B, { stream: 'managed' }),
        ]),
      ),
    ).toEqual([]);
  });

  it('the fanout intermediary gets Decrypt too', () => {
    const g = reader('push', B, { stream: 'by-arn', pattern: 'fanout', fanout: { target: 'appsync' } });
    expect(fanoutPolicy(mesh, streams[0]!, g).Statement.map((s) => s.Sid)).toEqual(['FanoutRead', 'FanoutKms']);
    expect(fanoutPolicy(mesh, streams[2]!, { ...g, stream: 'managed' }).Statement.map((s) => s.Sid)).toEqual([
      'FanoutRead',
    ]);
  });
});

describe('advisory key-policy statements', () => {
  const stream = aStream({ name: 'orders', encryption: kms(KEY_ARN) });
  const grants = [
    aGrant({ id: 'b-writes', principal: aPrincipal({ account: B, role: 'writer' }) }),
    reader('reader', B),
    reader('partner', EXT, {
      id: 'partner-reads',
      principal: aPrincipal({ account: EXT, role: 'partner', external: true }),
    }),
    reader('local', A, { id: 'local-reads' }),
  ];
  const mesh: Mesh = aMesh({ streams: [stream], grants });
  const streamArn = `arn:aws:kinesis:eu-west-1:${A}:stream/orders`;
  const [art] = keyPolicyArtefacts(mesh, grants);
  const doc = art?.document as PolicyDocument & { advisory: string; key: string };

  it("lists the principals outside the key's account, by access, scoped to Kinesis and the streams' encryption context", () => {
    expect(art).toMatchObject({
      kind: 'kms-key-policy-statements',
      account: A,
      name: `meshgov-kms-${A}-${KEY_ID}`,
      grantIds: ['b-writes', 'partner-reads', 'reader-reads'],
    });
    expect(doc.advisory).toBe(KMS_KEY_POLICY_ADVISORY);
    expect(doc.advisory).toMatch(/does not own KMS key policies/);
    expect(doc.key).toBe(KEY_ARN);
    const condition = {
      StringEquals: {
        'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com',
        'kms:EncryptionContext:aws:kinesis:arn': streamArn,
      },
    };
    expect(doc.Statement).toEqual([
      {
        Sid: 'MeshgovProducers',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${B}:role/writer` },
        Action: ['kms:GenerateDataKey'],
        Resource: '*',
        Condition: condition,
      },
      {
        Sid: 'MeshgovConsumers',
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${B}:role/reader`, `arn:aws:iam::${EXT}:role/partner`] },
        Action: ['kms:Decrypt'],
        Resource: '*',
        Condition: condition,
      },
    ]);
  });

  it("is absent when every grantee is in the key's account, and for the AWS-managed key", () => {
    expect(keyPolicyArtefacts(mesh, [reader('local', A)])).toEqual([]);
    const managed = aMesh({ streams: [aStream({ encryption: kms('alias/aws/kinesis') })], grants });
    expect(keyPolicyArtefacts(managed, grants)).toEqual([]);
  });

  it("asks for DescribeKey for the governance role of a stream account other than the key's", () => {
    const elsewhere = aMesh({ streams: [aStream({ account: B, encryption: kms(KEY_ARN) })] });
    expect(keyPolicyArtefacts(elsewhere, [])[0]?.document).toMatchObject({
      Statement: [
        {
          Sid: 'MeshgovGovernance',
          Principal: { AWS: `arn:aws:iam::${B}:role/meshgov-governance` },
          Action: ['kms:DescribeKey'],
        },
      ],
    });
  });

  it("renderMesh emits it in the key's account, drops expired grants, and never lets the plan treat it as a role policy", () => {
    const expired = reader('gone', B, { id: 'gone-reads', expires: '2026-01-01' });
    const { value } = renderMesh({ ...mesh, grants: [...grants, expired] }, { today: TODAY });
    const arts = value.accounts.flatMap((a) => a.iam).filter((i) => i.kind === 'kms-key-policy-statements');
    expect(arts.map((i) => [i.account, i.roleName])).toEqual([[A, undefined]]);
    expect(JSON.stringify(arts)).not.toContain('gone');
  });

  describe('evaluated with iam-simulate: a cross-account consumer decrypts only through Kinesis, and only with the statements added', () => {
    const { value } = renderMesh(mesh, { today: TODAY });
    const identity =
      value.accounts
        .find((a) => a.account === B)
        ?.iam.filter((i) => i.kind === 'identity-policy' && i.roleName === 'reader')
        .map((i) => ({ name: i.name, policy: i.document as PolicyDocument })) ?? [];
    const defaultKeyPolicy: PolicyStatement = {
      Sid: 'EnableIAMUserPermissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${A}:root` },
      Action: 'kms:*',
      Resource: '*',
    };
    // iam-simulate's validating entry point drops the context key `kms:EncryptionContext:aws:kinesis:arn` (its
    // variable part has colons), so evaluate without that step, handing over the key policy pre-validated as
    // test/proof/proof.ts does.
    const decide = (keyPolicy: PolicyStatement[], context: Record<string, string>): string =>
      runUnsafeSimulation(
        {
          request: {
            principal: `arn:aws:iam::${B}:role/reader`,
            action: 'kms:Decrypt',
            resource: { resource: KEY_ARN, accountId: A },
            contextVariables: { 'aws:PrincipalAccount': B, ...context },
          },
          identityPolicies: identity,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: {
            __validated: true,
            policyDocument: { Version: '2012-10-17', Statement: keyPolicy },
            metadata: { name: 'key-policy' },
          },
        } as unknown as Simulation,
        {},
      );
    const viaKinesis = {
      'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com',
      'kms:EncryptionContext:aws:kinesis:arn': streamArn,
    };
    const advised = [defaultKeyPolicy, ...doc.Statement];

    it('allowed via Kinesis once the key owner added the statements', () => {
      expect(identity.length).toBeGreaterThan(0);
      expect(decide(advised, viaKinesis)).toBe('Allowed');
    });
    it('denied with the default key policy alone (cross-account)', () => {
      expect(decide([defaultKeyPolicy], viaKinesis)).not.toBe('Allowed');
    });
    it('denied when called directly rather than through Kinesis', () => {
      expect(
        decide(advised, {
          'kms:ViaService': 's3.eu-west-1.amazonaws.com',
          'kms:EncryptionContext:aws:kinesis:arn': streamArn,
        }),
      ).not.toBe('Allowed');
    });
    it("a producer in the key's account: its identity policy and the default key policy suffice, through Kinesis only", () => {
      const local = aMesh({
        streams: [stream],
        grants: [aGrant({ id: 'a-writes', principal: aPrincipal({ account: A, role: 'local-writer' }) })],
      });
      const policies =
        renderMesh(local, { today: TODAY })
          .value.accounts.find((a) => a.account === A)
          ?.iam.filter((i) => i.roleName === 'local-writer')
          .map((i) => ({ name: i.name, policy: i.document as PolicyDocument })) ?? [];
      const run = (via: string) =>
        runUnsafeSimulation(
          {
            request: {
              principal: `arn:aws:iam::${A}:role/local-writer`,
              action: 'kms:GenerateDataKey',
              resource: { resource: KEY_ARN, accountId: A },
              contextVariables: { 'aws:PrincipalAccount': A, 'kms:ViaService': via },
            },
            identityPolicies: policies,
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: {
              __validated: true,
              policyDocument: { Version: '2012-10-17', Statement: [defaultKeyPolicy] },
              metadata: { name: 'key-policy' },
            },
          } as unknown as Simulation,
          {},
        );
      expect(run('kinesis.eu-west-1.amazonaws.com')).toBe('Allowed');
      expect(run('kinesis.us-east-1.amazonaws.com')).not.toBe('Allowed');
    });
    it("denied for another stream's encryption context", () => {
      expect(
        decide(advised, {
          ...viaKinesis,
          'kms:EncryptionContext:aws:kinesis:arn': `arn:aws:kinesis:eu-west-1:${A}:stream/other`,
        }),
      ).not.toBe('Allowed');
    });
  });
});

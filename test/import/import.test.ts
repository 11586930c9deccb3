/**
 * importMesh on hand-built live state (pure): domains from tags, classification choice, grants from stream and
 * consumer policies, waivers for rule errors, and a result that validates. Also the document edit itself:
 * comments and untouched lines survive byte for byte.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { applyAdditions } from '../../src/core/import/document.js';
import {
  IMPORT_CLASSIFICATION,
  decideClassification,
  decideDomain,
  idFromSid,
  importMesh,
} from '../../src/core/import/index.js';
import type { ImportInput } from '../../src/core/import/index.js';
import { commonLines } from '../../src/core/import/line-diff.js';
import { sidFor } from '../../src/core/render/grants.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY } from '../support/example-mesh.js';
import { aClassification } from '../support/builders.js';
import { aLiveStream, validateText } from './support.js';

const EXAMPLE = readFileSync(EXAMPLE_MESH_FILE, 'utf8');
const SPLIT = fileURLToPath(new URL('../fixtures/valid/split/mesh.yaml', import.meta.url));

function input(
  streams: ImportInput['streams'],
  o: Partial<ImportInput> = {},
  file = EXAMPLE_MESH_FILE,
  text = EXAMPLE,
): ImportInput {
  const v = validateText(file, text, EXAMPLE_TODAY);
  if (!v.mesh || !v.ok)
    throw new Error(
      `fixture does not validate: ${v.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => d.message)
        .join('; ')}`,
    );
  return {
    text,
    mesh: v.mesh,
    streams,
    today: EXAMPLE_TODAY,
    check: (t) => validateText(file, t, EXAMPLE_TODAY).diagnostics,
    ...o,
  };
}

type Doc = {
  domains: {
    name: string;
    accounts: string[];
    streams?: Record<string, unknown>[];
    grants?: Record<string, unknown>[];
  }[];
  classifications: { name: string }[];
  waivers: { rule: string; target: string }[];
};
const streamsOf = (doc: Doc): Record<string, Record<string, unknown>> =>
  Object.fromEntries(
    doc.domains.flatMap((d) => (d.streams ?? []).map((s) => [s['name'] as string, { domain: d.name, ...s }])),
  );

/** Lines of `a` appear in `b` in the same order, unchanged. */
function isSubsequence(a: string, b: string): boolean {
  return commonLines(a.split('\n'), b.split('\n')).length === a.split('\n').length;
}

describe('importMesh (hand-built live state)', () => {
  it('extends the example mesh: the result validates, keeps every original line and the comment above a domain', () => {
    const r = importMesh(
      input([
        aLiveStream({
          name: 'payments.chargebacks.v1',
          account: '111111111111',
          tags: { domain: 'payments', env: 'prod' },
          retentionHours: 168,
          encryption: {
            type: 'KMS',
            keyId: 'arn:aws:kms:eu-west-1:111111111111:key/6f1c2a7e-3b4d-4e5f-9a8b-1c2d3e4f5a6b',
          },
        }),
        aLiveStream({ name: 'ops-metrics', account: '222222222222' }),
      ]),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(validateText(EXAMPLE_MESH_FILE, r.text, EXAMPLE_TODAY).ok).toBe(true);
    expect(isSubsequence(EXAMPLE, r.text)).toBe(true);
    expect(r.text).toContain(
      '# yaml-language-server: $schema=./schema/mesh.schema.json\n#\n# The Acme streaming data mesh',
    );
    // Flow collections the user wrote without padding keep it even though most of the file pads them.
    expect(r.text).toContain('    accounts: ["111111111111"]\n');
    const doc = parse(r.text) as Doc;
    const s = streamsOf(doc);
    expect(s['payments.chargebacks.v1']).toMatchObject({
      domain: 'payments',
      classification: 'confidential',
      retentionHours: 168,
      tags: { domain: 'payments', env: 'prod' },
    });
    expect(s['ops-metrics']).toMatchObject({ domain: 'imported', classification: 'internal', account: '222222222222' });
    expect(r.imported.map((i) => `${i.account}/${i.name}:${i.domain}`)).toEqual([
      '111111111111/payments.chargebacks.v1:payments',
      '222222222222/ops-metrics:imported',
    ]);
  });

  it('a comment above a domain survives byte for byte when streams and grants are added to that domain', () => {
    const text =
      'apiVersion: meshgov/v1\nmesh: { name: m, region: eu-west-1, governanceRole: { name: gov } }\naccounts:\n  - { id: "111111111111", alias: a, environment: dev }\nclassifications:\n  - { name: internal, level: 1, retention: { minHours: 24, maxHours: 720 }, encryption: aws-managed }\ndomains:\n\n    # The orders domain.   Owned by team X (odd spacing kept).\n    - name: orders\n      owner: {team: x, contact: x@example.com}\n      accounts: [ "111111111111" ]\n';
    const out = applyAdditions(text, {
      domains: [],
      domainAccounts: [],
      classifications: [],
      waivers: [],
      streams: [
        {
          domain: 'orders',
          name: 'orders.v1',
          account: '111111111111',
          classification: 'internal',
          retentionHours: 24,
          capacity: { mode: 'on-demand' },
          encryption: { type: 'NONE' },
          enhancedMonitoring: [],
          tags: {},
          comments: [],
        },
      ],
      grants: [],
    });
    expect(out.text.startsWith(text)).toBe(true);
    expect(out.text).toContain('    # The orders domain.   Owned by team X (odd spacing kept).\n    - name: orders\n');
    expect(out.paths.get('stream/orders.v1')).toEqual(['domains', 0, 'streams', 0]);
  });

  it('keeps a CRLF file CRLF', () => {
    const text =
      'apiVersion: meshgov/v1\r\n# domains below\r\ndomains:\r\n  - name: orders\r\n    owner: { team: x, contact: x@example.com }\r\n    accounts: ["111111111111"]\r\n';
    const out = applyAdditions(text, {
      domains: [],
      domainAccounts: [],
      classifications: [],
      waivers: [],
      grants: [],
      streams: [
        {
          domain: 'orders',
          name: 'orders.v1',
          account: '111111111111',
          classification: 'internal',
          retentionHours: 24,
          capacity: { mode: 'on-demand' },
          encryption: { type: 'NONE' },
          enhancedMonitoring: [],
          tags: {},
          comments: ['TODO'],
        },
      ],
    });
    expect(out.text.startsWith(text)).toBe(true);
    expect(out.text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(out.text).toContain('\r\n    streams:\r\n      # TODO\r\n      - name: orders.v1\r\n');
  });

  it('assigns domains from --domain-from-tag first, adds the account to an existing domain, and marks new domains', () => {
    const r = importMesh(
      input(
        [
          aLiveStream({
            name: 'customer.reviews.v1',
            account: '111111111111',
            tags: { 'team-domain': 'Customer', domain: 'payments' },
          }),
          aLiveStream({ name: 'fraud.cases.v1', account: '222222222222', tags: { 'meshgov:domain': 'fraud' } }),
        ],
        { domainTags: ['team-domain', 'meshgov:domain', 'domain'] },
      ),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const doc = parse(r.text) as Doc;
    expect(streamsOf(doc)['customer.reviews.v1']?.domain).toBe('customer');
    expect(doc.domains.find((d) => d.name === 'customer')?.accounts).toEqual(['333333333333', '111111111111']);
    expect(r.notes).toContainEqual({
      severity: 'info',
      subject: 'domain/customer',
      message: 'account 111111111111 added to domain customer; its existing streams now name their account',
    });
    expect(streamsOf(doc)['customer.clickstream.v1']?.['account']).toBe('333333333333');
    expect(r.text).toContain(
      '      - name: customer.clickstream.v1\n        account: "333333333333"\n        description: Web and app clickstream, pseudonymised.\n',
    );
    expect(doc.domains.find((d) => d.name === 'fraud')).toMatchObject({
      owner: { team: 'TODO', contact: 'TODO' },
      accounts: ['222222222222'],
    });
    expect(r.text).toContain('# TODO(meshgov import): set owner.team and owner.contact of domain fraud.');
    // Governance tags are never copied into user tags (they are reserved; render adds them).
    expect(streamsOf(doc)['fraud.cases.v1']?.['tags']).toBeUndefined();
  });

  it('adds a marked catch-all classification when none fits, and skips names the mesh already declares', () => {
    const r = importMesh(
      input([
        aLiveStream({
          name: 'archive.raw',
          account: '111111111111',
          retentionHours: 8760,
          encryption: { type: 'NONE' },
        }),
        aLiveStream({ name: 'payments.refunds.v1', account: '111111111111' }),
      ]),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const doc = parse(r.text) as Doc;
    expect(doc.classifications.map((c) => c.name)).toContain(IMPORT_CLASSIFICATION);
    expect(streamsOf(doc)['archive.raw']?.['classification']).toBe(IMPORT_CLASSIFICATION);
    expect(r.text).toContain(
      '# TODO(meshgov import): a catch-all added by import; reclassify its streams and remove it.',
    );
    expect(r.imported.map((i) => i.name)).toEqual(['archive.raw']);
    expect(
      r.notes.some(
        (n) => n.subject === '111111111111/stream/payments.refunds.v1' && /already declared/.test(n.message),
      ),
    ).toBe(true);
  });

  it('turns stream and consumer policies into grants (efo absorbs the stream statement) and reports the rest', () => {
    const arn = 'arn:aws:kinesis:eu-west-1:111111111111:stream/payments.ledger.v1';
    const r = importMesh(
      input([
        aLiveStream({
          name: 'payments.ledger.v1',
          account: '111111111111',
          arn,
          resourcePolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'LedgerReader',
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::222222222222:role/ledger-efo' },
                Action: [
                  'kinesis:GetRecords',
                  'kinesis:GetShardIterator',
                  'kinesis:ListShards',
                  'kinesis:DescribeStreamSummary',
                ],
                Resource: arn,
              },
              {
                Sid: 'Auditors',
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::333333333333:root' },
                Action: 'kinesis:GetRecords',
                Resource: arn,
                Condition: { Bool: { 'aws:SecureTransport': 'true' } },
              },
              { Sid: 'Nobody', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kinesis:*', Resource: arn },
            ],
          },
          consumers: [
            {
              name: 'ledger',
              arn: `${arn}/consumer/ledger:1`,
              status: 'ACTIVE',
              tags: {},
              resourcePolicy: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'LedgerReader',
                    Effect: 'Allow',
                    Principal: { AWS: 'arn:aws:iam::222222222222:role/ledger-efo' },
                    Action: ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'],
                    Resource: `${arn}/consumer/ledger:*`,
                  },
                ],
              },
            },
          ],
        }),
      ]),
    );
    expect(r.grants.map((g) => [g.id, g.access, g.pattern, g.consumer, g.principal.role])).toEqual([
      ['ledger-reader', 'consume', 'efo', 'ledger', 'ledger-efo'],
    ]);
    expect(r.text).toContain(
      '# meshgov import: could not express statement 2 (Sid Auditors) of the stream resource policy: condition Bool aws:SecureTransport is not modelled by meshgov',
    );
    expect(r.text).toContain(
      '# meshgov import: could not express statement 3 (Sid Nobody) of the stream resource policy: Deny statements cannot be expressed as grants',
    );
    expect(r.notes.filter((n) => /could not express/.test(n.message))).toHaveLength(2);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('marks principals outside the mesh external with a justification that passes the length rule, and waives the expiry rule', () => {
    const arn = 'arn:aws:kinesis:eu-west-1:111111111111:stream/payments.partners.v1';
    const r = importMesh(
      input([
        aLiveStream({
          name: 'payments.partners.v1',
          account: '111111111111',
          arn,
          retentionHours: 168,
          encryption: {
            type: 'KMS',
            keyId: 'arn:aws:kms:eu-west-1:111111111111:key/6f1c2a7e-3b4d-4e5f-9a8b-1c2d3e4f5a6b',
          },
          resourcePolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'partner_read',
                Effect: 'Allow',
                Principal: { AWS: 'arn:aws:iam::999999999999:role/partner' },
                Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
                Resource: arn,
              },
            ],
          },
        }),
      ]),
    );
    expect(r.grants[0]).toMatchObject({
      id: 'partner-reads-payments-partners-v1',
      external: true,
      principal: { account: '999999999999', role: 'partner' },
    });
    expect(r.grants[0]?.justification?.length).toBeGreaterThanOrEqual(30);
    const doc = parse(r.text) as Doc;
    expect(doc.waivers).toContainEqual(
      expect.objectContaining({
        rule: 'grant-expiry-required-for-external',
        target: 'grant/partner-reads-payments-partners-v1',
        expires: '2027-03-01',
      }),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('sends streams of a domain declared in an included file to the import domain (only the root file is edited)', () => {
    const text = readFileSync(SPLIT, 'utf8');
    const r = importMesh(
      input(
        [aLiveStream({ name: 'payments.extra.v1', account: '111111111111', tags: { domain: 'payments' } })],
        {},
        SPLIT,
        text,
      ),
    );
    expect(streamsOf(parse(r.text) as Doc)['payments.extra.v1']?.domain).toBe('imported');
    expect(
      r.notes.some((n) => n.subject === 'domain/payments' && /import edits only the root file/.test(n.message)),
    ).toBe(true);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(isSubsequence(text, r.text)).toBe(true);
  });
});

describe('decisions', () => {
  const classes = [
    aClassification({ name: 'public', level: 0, minRetentionHours: 24, maxRetentionHours: 168, encryption: 'none' }),
    aClassification({
      name: 'internal',
      level: 1,
      minRetentionHours: 24,
      maxRetentionHours: 720,
      encryption: 'aws-managed',
    }),
    aClassification({
      name: 'confidential',
      level: 2,
      minRetentionHours: 168,
      maxRetentionHours: 2160,
      encryption: 'customer-managed',
    }),
    aClassification({
      name: 'restricted',
      level: 3,
      minRetentionHours: 72,
      maxRetentionHours: 720,
      encryption: 'customer-managed',
    }),
  ];
  const CMK = {
    type: 'KMS' as const,
    keyId: 'arn:aws:kms:eu-west-1:111111111111:key/6f1c2a7e-3b4d-4e5f-9a8b-1c2d3e4f5a6b',
  };
  it.each([
    ['unencrypted, 24 h', { retentionHours: 24, encryption: { type: 'NONE' as const }, tags: {} }, 'public', 'fit'],
    [
      'AWS-managed key, 48 h',
      { retentionHours: 48, encryption: { type: 'KMS' as const, keyId: 'alias/aws/kinesis' }, tags: {} },
      'internal',
      'fit',
    ],
    [
      'customer key, 168 h: least sensitive exact match',
      { retentionHours: 168, encryption: CMK, tags: {} },
      'confidential',
      'fit',
    ],
    [
      'customer key, 96 h: only restricted has the bounds',
      { retentionHours: 96, encryption: CMK, tags: {} },
      'restricted',
      'fit',
    ],
    [
      'customer key, 24 h: no exact match, the most sensitive fit',
      { retentionHours: 24, encryption: CMK, tags: {} },
      'internal',
      'fit',
    ],
    [
      'a classification tag that fits',
      { retentionHours: 168, encryption: CMK, tags: { classification: 'Restricted' } },
      'restricted',
      'tag',
    ],
    [
      'a classification tag that does not fit is ignored',
      { retentionHours: 24, encryption: { type: 'NONE' as const }, tags: { 'meshgov:classification': 'confidential' } },
      'public',
      'fit',
    ],
    [
      'nothing fits',
      { retentionHours: 8760, encryption: { type: 'NONE' as const }, tags: {} },
      IMPORT_CLASSIFICATION,
      'none-fits',
    ],
  ])('%s', (_name, stream, expected, how) => {
    expect(decideClassification(classes, stream)).toMatchObject({ classification: expected, how });
  });

  it('domains: first usable tag in order, values made into names, else the import domain', () => {
    expect(decideDomain({ domain: 'Risk Team', 'meshgov:domain': 'risk' }, ['meshgov:domain', 'domain'])).toEqual({
      domain: 'risk',
      fromTag: 'meshgov:domain',
    });
    expect(decideDomain({ domain: 'Risk Team' }, ['meshgov:domain', 'domain'])).toEqual({
      domain: 'risk-team',
      fromTag: 'domain',
    });
    expect(decideDomain({ domain: '!!!' }, ['domain'])).toEqual({ domain: 'imported' });
  });

  it('grant ids from Sids render back to the same Sid, or are not used', () => {
    for (const sid of ['RiskReadsOrders', 'FraudScorerEfo', 'A1b2']) expect(sidFor(idFromSid(sid) as string)).toBe(sid);
    expect(idFromSid('AllowKCLRead')).toBeUndefined();
    expect(idFromSid('allow_read')).toBeUndefined();
    expect(idFromSid(undefined)).toBeUndefined();
  });
});

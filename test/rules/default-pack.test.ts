/**
 * Table test of the default rule pack: for every rule in policies/, a mesh fragment that passes (no diagnostic at
 * all) and one that fails, with the finding's code and line:column, computed from the fixture text.
 */
import { describe, expect, it } from 'vitest';
import type { MeshParts } from './helpers.js';
import { check, defaultPack, meshYaml, position, where, withCode } from './helpers.js';

const CMK = 'arn:aws:kms:eu-west-1:111111111111:key/6f1c2a7e-3b4d-4e5f-9a8b-1c2d3e4f5a6b';

/** A consume grant from the risk account that passes every default rule. */
function reader(
  id: string,
  stream: string,
  extra = '',
  principal = '{ account: "222222222222", role: reader }',
): string {
  return [
    `  - id: ${id}`,
    `    stream: ${stream}`,
    `    principal: ${principal}`,
    '    access: consume',
    ...(extra.includes('pattern:') ? [] : ['    pattern: replay']),
    ...(extra.includes('expires:') ? [] : ['    expires: 2026-12-31']),
    ...(extra.includes('justification:') || extra.includes('#nojustification')
      ? []
      : ['    justification: Reads orders for the test suite.']),
    ...(extra ? [extra.replace(/#nojustification\n?/, '').replace(/\n$/, '')].filter((l) => l !== '') : []),
  ].join('\n');
}

function stream(name: string, lines: string): string {
  return [
    `      - name: ${name}`,
    ...lines
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => `        ${l}`),
  ].join('\n');
}

const EXTERNAL = '{ account: "999999999999", role: partner-reader }';

interface Case {
  rule: string;
  pass: MeshParts;
  fail: MeshParts;
  /** [line needle, token on that line, optional: start searching at the first line containing this]. */
  at: [string, string?, string?];
  /** Text the message must contain (names the offending item). */
  names: string;
}

const CASES: Case[] = [
  {
    rule: 'stream-encryption-kms-required',
    pass: {
      streams: stream(
        'payments.news.v1',
        'classification: public\nretentionHours: 24\ncapacity: { mode: on-demand }\nencryption: { type: NONE }\nschema: https://s.example/n.json',
      ),
    },
    fail: {
      streams: stream(
        'payments.plain.v1',
        'classification: internal\nretentionHours: 24\ncapacity: { mode: on-demand }\nencryption: { type: NONE }\nschema: https://s.example/n.json',
      ),
    },
    at: ['type: NONE', 'NONE'],
    names: 'payments.plain.v1',
  },
  {
    rule: 'stream-encryption-meets-classification',
    pass: {
      streams: stream(
        'payments.cards.v1',
        `classification: confidential\nretentionHours: 48\ncapacity: { mode: on-demand }\nencryption: { type: KMS, keyId: "${CMK}" }\nschema: https://s.example/c.json`,
      ),
    },
    fail: {
      streams: stream(
        'payments.cards.v1',
        'classification: confidential\nretentionHours: 48\ncapacity: { mode: on-demand }\nencryption: { type: KMS }\nschema: https://s.example/c.json',
      ),
    },
    at: ['encryption: { type: KMS }', '{'],
    names: 'payments.cards.v1',
  },
  {
    rule: 'restricted-stream-customer-managed-key',
    pass: {
      streams: stream(
        'payments.secrets.v1',
        `classification: restricted\nretentionHours: 48\ncapacity: { mode: on-demand }\nencryption:\n  type: KMS\n  keyId: ${CMK}\nschema: https://s.example/s.json`,
      ),
    },
    fail: {
      streams: stream(
        'payments.secrets.v1',
        'classification: restricted\nretentionHours: 48\ncapacity: { mode: on-demand }\nencryption:\n  type: KMS\n  keyId: alias/aws/kinesis\nschema: https://s.example/s.json',
      ),
    },
    at: ['type: KMS', 'type', 'payments.secrets.v1'],
    names: 'payments.secrets.v1',
  },
  {
    rule: 'grant-external-requires-justification',
    pass: {
      grants: reader(
        'partner-reads',
        'payments.orders.v1',
        '    external: true\n    justification: Settlement partner reconciles orders daily (contract ACME-42).',
        EXTERNAL,
      ),
    },
    fail: {
      grants: reader(
        'partner-reads',
        'payments.orders.v1',
        '    external: true\n    justification: Partner needs it.',
        EXTERNAL,
      ),
    },
    at: ['justification: Partner needs it.', 'Partner'],
    names: 'partner-reads',
  },
  {
    rule: 'grant-expiry-required-for-external',
    pass: {
      grants: reader(
        'partner-reads',
        'payments.orders.v1',
        '    external: true\n    expires: 2026-09-30\n    justification: Settlement partner reconciles orders daily (contract ACME-42).',
        EXTERNAL,
      ),
    },
    fail: {
      grants: reader(
        'partner-reads',
        'payments.orders.v1',
        '    external: true\n    justification: Settlement partner reconciles orders daily (contract ACME-42).',
        EXTERNAL,
      ).replace('    expires: 2026-12-31\n', ''),
    },
    at: ['- id: partner-reads', 'id:'],
    names: 'partner-reads',
  },
  {
    rule: 'grant-expiry-within-one-year',
    pass: { grants: reader('long-reader', 'payments.orders.v1', '    expires: 2027-05-31') },
    fail: { grants: reader('long-reader', 'payments.orders.v1', '    expires: 2028-01-31') },
    at: ['expires: 2028-01-31', '2028'],
    names: 'long-reader',
  },
  {
    rule: 'grant-justification-required',
    pass: { grants: reader('quiet-reader', 'payments.orders.v1') },
    fail: { grants: reader('quiet-reader', 'payments.orders.v1', '#nojustification') },
    at: ['- id: quiet-reader', 'id:'],
    names: 'quiet-reader',
  },
  {
    rule: 'restricted-stream-filtered-or-approved',
    pass: {
      streams: stream(
        'payments.secrets.v1',
        `classification: restricted\nretentionHours: 48\ncapacity: { mode: on-demand }\nencryption: { type: KMS, keyId: "${CMK}" }\nschema: https://s.example/s.json`,
      ),
      grants: reader('secret-reader', 'payments.secrets.v1', '    approvedBy: head-of-payments@acme.example'),
    },
    fail: {
      streams: stream(
        'payments.secrets.v1',
        `classification: restricted\nretentionHours: 48\ncapacity: { mode: on-demand }\nencryption: { type: KMS, keyId: "${CMK}" }\nschema: https://s.example/s.json`,
      ),
      grants: reader('secret-reader', 'payments.secrets.v1'),
    },
    at: ['pattern: replay', 'replay', 'secret-reader'],
    names: 'secret-reader',
  },
  {
    rule: 'stream-owner-contact',
    pass: {
      streams: stream(
        'payments.refunds.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/r.json\ncontact: "#refunds-oncall"',
      ),
    },
    fail: {
      streams: stream(
        'payments.refunds.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/r.json\ncontact: ask bob',
      ),
    },
    at: ['contact: ask bob', 'ask bob'],
    names: 'payments.refunds.v1',
  },
  {
    rule: 'stream-schema-reference-required',
    pass: {
      streams: stream(
        'payments.refunds.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/r.json',
      ),
    },
    fail: {
      streams: stream(
        'payments.refunds.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }',
      ),
    },
    at: ['- name: payments.refunds.v1', 'name:'],
    names: 'payments.refunds.v1',
  },
  {
    rule: 'stream-naming-convention',
    pass: {
      streams: stream(
        'payments.refunds.v2',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/r.json',
      ),
    },
    fail: {
      streams: stream(
        'risk.refunds.v2',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/r.json',
      ),
    },
    at: ['- name: risk.refunds.v2', 'risk.refunds.v2'],
    names: 'risk.refunds.v2',
  },
  {
    rule: 'producer-in-owning-domain',
    pass: {
      grants:
        '  - id: pay-writer\n    stream: payments.orders.v1\n    principal: { account: "111111111111", role: writer }\n    access: produce\n    justification: Writes orders.',
    },
    fail: {
      grants:
        '  - id: risk-writer\n    stream: payments.orders.v1\n    principal: { account: "222222222222", role: writer }\n    access: produce\n    justification: Writes orders.',
    },
    at: ['principal: { account: "222222222222"', '"222222222222"'],
    names: 'risk-writer',
  },
  {
    rule: 'provisioned-shards-within-quota',
    pass: {
      streams: stream(
        'payments.big.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 150 }\nthroughput: { writeMiBPerSecond: 100 }\nschema: https://s.example/b.json',
      ),
    },
    fail: {
      streams: stream(
        'payments.big.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 250 }\nthroughput: { writeMiBPerSecond: 100 }\nschema: https://s.example/b.json',
      ),
    },
    at: ['shards: 250', '250'],
    names: 'payments.big.v1',
  },
  {
    rule: 'account-shard-quota',
    pass: {
      rules: 'rules:\n  account-shard-quota: { params: { maxShardsPerAccount: 200 } }',
      streams: [
        stream(
          'payments.big.v1',
          'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 150 }\nthroughput: { writeMiBPerSecond: 100 }\nschema: https://s.example/b.json',
        ),
        stream(
          'payments.big.v2',
          'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 50 }\nthroughput: { writeMiBPerSecond: 30 }\nschema: https://s.example/b.json',
        ),
      ].join('\n'),
    },
    fail: {
      rules: 'rules:\n  account-shard-quota: { params: { maxShardsPerAccount: 200 } }',
      streams: [
        stream(
          'payments.big.v1',
          'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 150 }\nthroughput: { writeMiBPerSecond: 100 }\nschema: https://s.example/b.json',
        ),
        stream(
          'payments.big.v2',
          'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 51 }\nthroughput: { writeMiBPerSecond: 30 }\nschema: https://s.example/b.json',
        ),
      ].join('\n'),
    },
    at: ['shards: 51', '51'],
    names: 'payments.big.v2',
  },
  {
    rule: 'readers-per-stream-limit',
    pass: {
      rules: 'rules:\n  readers-per-stream-limit: { params: { max: 1 } }',
      grants: reader('reader-a', 'payments.orders.v1'),
    },
    fail: {
      rules: 'rules:\n  readers-per-stream-limit: { params: { max: 1 } }',
      grants: [reader('reader-a', 'payments.orders.v1'), reader('reader-b', 'payments.orders.v1')].join('\n'),
    },
    at: ['- name: payments.orders.v1', 'payments.orders.v1'],
    names: 'payments.orders.v1',
  },
  {
    rule: 'efo-consumers-within-budget',
    pass: {
      rules: 'rules:\n  efo-consumers-within-budget: { params: { max: 1 } }',
      grants: reader('fast-a', 'payments.orders.v1', '    pattern: efo\n    consumer: fast-a'),
    },
    fail: {
      rules: 'rules:\n  efo-consumers-within-budget: { params: { max: 1 } }',
      grants: [
        reader('fast-a', 'payments.orders.v1', '    pattern: efo\n    consumer: fast-a'),
        reader('fast-b', 'payments.orders.v1', '    pattern: efo\n    consumer: fast-b'),
      ].join('\n'),
    },
    at: ['consumer: fast-b', 'fast-b'],
    names: 'fast-b',
  },
  {
    rule: 'replay-retention-sufficient',
    pass: { grants: reader('replayer', 'payments.orders.v1', '    replayHours: 48') },
    fail: { grants: reader('replayer', 'payments.orders.v1', '    replayHours: 72') },
    at: ['replayHours: 72', '72'],
    names: 'replayer',
  },
  {
    rule: 'provisioned-stream-declares-throughput',
    pass: {
      streams: stream(
        'payments.small.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 1 }\nthroughput: { writeRecordsPerSecond: 10 }\nschema: https://s.example/b.json',
      ),
    },
    fail: {
      streams: stream(
        'payments.small.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: provisioned, shards: 1 }\nschema: https://s.example/b.json',
      ),
    },
    at: ['- name: payments.small.v1', 'name:'],
    names: 'payments.small.v1',
  },
  {
    rule: 'no-grants-to-deprecated-streams',
    pass: {
      streams: stream(
        'payments.old.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/o.json\ndeprecated: true',
      ),
    },
    fail: {
      streams: stream(
        'payments.old.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/o.json\ndeprecated: true',
      ),
      grants: reader('late-reader', 'payments.old.v1'),
    },
    at: ['stream: payments.old.v1', 'payments.old.v1'],
    names: 'late-reader',
  },
  {
    rule: 'prod-stream-deletion-protection',
    pass: {
      streams: stream(
        'payments.kept.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/k.json\ndeletionProtection: true',
      ),
    },
    fail: {
      streams: stream(
        'payments.kept.v1',
        'classification: internal\nretentionHours: 48\ncapacity: { mode: on-demand }\nschema: https://s.example/k.json\ndeletionProtection: false',
      ),
    },
    at: ['deletionProtection: false', 'false'],
    names: 'payments.kept.v1',
  },
  {
    rule: 'mesh-organization-required',
    pass: {},
    fail: { organizationId: false },
    at: ['  name: test', 'name'],
    names: 'test',
  },
  {
    // payments: payments.orders.v1 on-demand ($0.044 x 730 = $32.12 at the shipped eu-west-1 prices, no throughput
    // declared) plus 10 provisioned shards ($0.017 x 10 x 730 = $124.10): $156.22 a month.
    rule: 'cost-within-cap',
    pass: {
      rules: 'rules:\n  cost-within-cap: { params: { maxDomainMonthlyUSD: 157 } }',
      streams: stream(
        'payments.big.v1',
        'classification: internal\nretentionHours: 24\ncapacity: { mode: provisioned, shards: 10 }\nthroughput: { writeMiBPerSecond: 0 }\nschema: https://s.example/b.json',
      ),
    },
    fail: {
      rules: 'rules:\n  cost-within-cap: { params: { maxDomainMonthlyUSD: 156 } }',
      streams: stream(
        'payments.big.v1',
        'classification: internal\nretentionHours: 24\ncapacity: { mode: provisioned, shards: 10 }\nthroughput: { writeMiBPerSecond: 0 }\nschema: https://s.example/b.json',
      ),
    },
    at: ['      - name: payments.orders.v1', '-'],
    names: 'payments',
  },
  {
    rule: 'domain-description-required',
    pass: {},
    fail: { paymentsDescription: false },
    at: ['  - name: payments', 'name'],
    names: 'payments',
  },
];

describe('default rule pack', () => {
  it('has at least 15 rules, each covered by a case below', () => {
    const ids = defaultPack()
      .map((r) => r.id)
      .sort();
    expect(ids.length).toBeGreaterThanOrEqual(15);
    expect(CASES.map((c) => c.rule).sort()).toEqual(ids);
  });

  it('the base fixture is clean', () => {
    const r = check(meshYaml());
    expect(r.mesh).toBeDefined();
    expect(r.diagnostics).toEqual([]);
  });

  describe.each(CASES)('$rule', (c) => {
    it('passes the compliant fragment without any diagnostic', () => {
      const r = check(meshYaml(c.pass));
      expect(r.mesh).toBeDefined();
      expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    });

    it('reports the non-compliant fragment at the offending node', () => {
      const text = meshYaml(c.fail);
      const r = check(text);
      expect(r.mesh).toBeDefined();
      const found = withCode(r.diagnostics, c.rule);
      expect(found).toHaveLength(1);
      const d = found[0]!;
      const rule = defaultPack().find((x) => x.id === c.rule)!;
      expect(d.file).toBe('mesh.yaml');
      expect(d.severity).toBe(rule.severity);
      expect(d.ruleId).toBe(c.rule);
      expect(where(d)).toBe(position(text, c.at[0], c.at[1], c.at[2]));
      expect(d.message).toContain(c.names);
      expect(d.message).not.toMatch(/\{\{/);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { check, meshYaml, position, where, withCode } from './helpers.js';

/** A payments stream without a schema: fails stream-schema-reference-required (error). */
const NO_SCHEMA =
  '      - name: payments.refunds.v1\n        classification: internal\n        retentionHours: 48\n        capacity: { mode: on-demand }';

describe('waivers', () => {
  const waiver = (target: string, expires = '2026-12-31', rule = 'stream-schema-reference-required') =>
    `waivers:\n  - rule: ${rule}\n    target: ${target}\n    justification: Schema is being registered in ticket DATA-123.\n    expires: ${expires}`;

  it('an active waiver turns the finding into info carrying the justification', () => {
    const r = check(meshYaml({ streams: NO_SCHEMA, waivers: waiver('stream/payments.refunds.v1') }));
    const [d, ...rest] = withCode(r.diagnostics, 'stream-schema-reference-required');
    expect(rest).toEqual([]);
    expect(d?.severity).toBe('info');
    expect(d?.waivedBy).toBe('Schema is being registered in ticket DATA-123.');
    expect(r.ok).toBe(true);
  });

  it('a waiver for another target waives nothing', () => {
    const r = check(meshYaml({ streams: NO_SCHEMA, waivers: waiver('stream/payments.orders.v1') }));
    expect(withCode(r.diagnostics, 'stream-schema-reference-required').map((d) => d.severity)).toEqual(['error']);
    expect(r.ok).toBe(false);
  });

  it('an expired waiver waives nothing and is itself an error (semantic check waiver-expired)', () => {
    const text = meshYaml({ streams: NO_SCHEMA, waivers: waiver('stream/payments.refunds.v1', '2026-05-31') });
    const r = check(text);
    expect(withCode(r.diagnostics, 'stream-schema-reference-required').map((d) => d.severity)).toEqual(['error']);
    expect(withCode(r.diagnostics, 'waiver-expired').map(where)).toEqual([
      position(text, 'expires: 2026-05-31', '2026'),
    ]);
  });

  it('a waiver naming an unknown rule is an error at its rule key, with a suggestion', () => {
    const text = meshYaml({
      waivers: waiver('stream/payments.orders.v1', '2026-12-31', 'stream-schema-reference-requried'),
    });
    const r = check(text);
    const ds = withCode(r.diagnostics, 'waiver-unknown-rule');
    expect(ds.map(where)).toEqual([position(text, 'rule: stream-schema-reference-requried', 'stream-schema')]);
    expect(ds[0]?.message).toContain('Did you mean `stream-schema-reference-required`?');
  });

  it('waives consumer, grant, domain and mesh targets by their addresses', () => {
    const efo = (id: string) =>
      `  - id: ${id}\n    stream: payments.orders.v1\n    principal: { account: "222222222222", role: r }\n    access: consume\n    pattern: efo\n    consumer: ${id}\n    expires: 2026-12-31\n    justification: Fast path.`;
    const text = meshYaml({
      organizationId: false,
      paymentsDescription: false,
      rules: 'rules:\n  efo-consumers-within-budget: { params: { max: 1 } }',
      grants: [
        efo('fast-a'),
        efo('fast-b'),
        '  - id: quiet\n    stream: payments.orders.v1\n    principal: { account: "222222222222", role: q }\n    access: consume\n    pattern: replay\n    expires: 2026-12-31',
      ].join('\n'),
      waivers: [
        'waivers:',
        '  - { rule: efo-consumers-within-budget, target: consumer/payments.orders.v1/fast-b, justification: Second EFO reader approved., expires: 2026-12-31 }',
        '  - { rule: grant-justification-required, target: grant/quiet, justification: Legacy grant under review., expires: 2026-12-31 }',
        '  - { rule: domain-description-required, target: domain/payments, justification: Description being written., expires: 2026-12-31 }',
        '  - { rule: mesh-organization-required, target: mesh, justification: Accounts are not in an organisation yet., expires: 2026-12-31 }',
      ].join('\n'),
    });
    const r = check(text);
    const rules = [
      'efo-consumers-within-budget',
      'grant-justification-required',
      'domain-description-required',
      'mesh-organization-required',
    ];
    for (const code of rules) {
      const ds = withCode(r.diagnostics, code);
      expect(ds.map((d) => [d.severity, d.waivedBy !== undefined])).toEqual([['info', true]]);
    }
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });
});

describe('rule settings', () => {
  it('the governance file may turn a rule off', () => {
    const r = check(
      meshYaml({ streams: NO_SCHEMA, rules: 'rules:\n  stream-schema-reference-required: { severity: off }' }),
    );
    expect(withCode(r.diagnostics, 'stream-schema-reference-required')).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('the governance file may lower a severity and relax a parameter', () => {
    const grant =
      '  - id: long\n    stream: payments.orders.v1\n    principal: { account: "222222222222", role: r }\n    access: consume\n    pattern: replay\n    expires: 2027-12-31\n    justification: Long study.';
    const strict = check(meshYaml({ grants: grant }));
    expect(withCode(strict.diagnostics, 'grant-expiry-within-one-year').map((d) => d.severity)).toEqual(['error']);
    const relaxed = check(
      meshYaml({ grants: grant, rules: 'rules:\n  grant-expiry-within-one-year: { params: { maxDays: 730 } }' }),
    );
    expect(withCode(relaxed.diagnostics, 'grant-expiry-within-one-year')).toEqual([]);
    const warned = check(
      meshYaml({ grants: grant, rules: 'rules:\n  grant-expiry-within-one-year: { severity: warning }' }),
    );
    expect(withCode(warned.diagnostics, 'grant-expiry-within-one-year').map((d) => d.severity)).toEqual(['warning']);
  });

  it('a domain may tighten a rule for its own entities only', () => {
    const thin = (name: string) =>
      `      - name: ${name}\n        classification: internal\n        retentionHours: 48\n        capacity: { mode: provisioned, shards: 1 }\n        schema: https://s.example/x.json`;
    const text = meshYaml({
      streams: thin('payments.thin.v1'),
      paymentsExtra: '    rules:\n      provisioned-stream-declares-throughput: { severity: error }',
    }).replace(
      '        schema: https://schemas.acme.example/scores.json',
      `        schema: https://schemas.acme.example/scores.json\n${thin('risk.thin.v1')}`,
    );
    const r = check(text);
    const ds = withCode(r.diagnostics, 'provisioned-stream-declares-throughput');
    expect(ds.map((d) => [d.message.includes('payments.thin.v1') ? 'payments' : 'risk', d.severity]).sort()).toEqual([
      ['payments', 'error'],
      ['risk', 'warning'],
    ]);
  });

  it('a domain tightening a parameter applies it to its streams', () => {
    const big =
      '      - name: payments.big.v1\n        classification: internal\n        retentionHours: 48\n        capacity: { mode: provisioned, shards: 20 }\n        throughput: { writeMiBPerSecond: 15 }\n        schema: https://s.example/b.json';
    const text = meshYaml({
      streams: big,
      paymentsExtra: '    rules:\n      provisioned-shards-within-quota: { params: { maxShards: 16 } }',
    });
    const ds = withCode(check(text).diagnostics, 'provisioned-shards-within-quota');
    expect(ds.map(where)).toEqual([position(text, 'shards: 20', '20')]);
    expect(ds[0]?.message).toContain('budget is 16');
  });

  it('a domain relaxing a severity is an error at its setting, and is ignored', () => {
    const text = meshYaml({
      streams: NO_SCHEMA,
      paymentsExtra: '    rules:\n      stream-schema-reference-required: { severity: warning }',
    });
    const r = check(text);
    expect(withCode(r.diagnostics, 'rule-override-relaxes').map(where)).toEqual([
      position(text, 'stream-schema-reference-required: { severity: warning }', 'warning'),
    ]);
    expect(withCode(r.diagnostics, 'stream-schema-reference-required').map((d) => d.severity)).toEqual(['error']);
  });

  it('a domain relaxing a parameter (or changing a fixed one) is an error at that parameter', () => {
    const text = meshYaml({
      paymentsExtra:
        '    rules:\n      provisioned-shards-within-quota:\n        params:\n          maxShards: 400\n      stream-naming-convention:\n        params:\n          pattern: ".*"',
    });
    const r = check(text);
    expect(withCode(r.diagnostics, 'rule-override-relaxes').map(where).sort()).toEqual(
      [position(text, 'maxShards: 400', '400'), position(text, 'pattern: ".*"', '".*"')].sort(),
    );
  });

  it('unknown rules and parameters in settings are errors with suggestions', () => {
    const text = meshYaml({
      rules:
        'rules:\n  stream-namng-convention: { severity: warning }\n  readers-per-stream-limit: { params: { maximum: 3, max: "3" } }',
    });
    const r = check(text);
    const unknown = withCode(r.diagnostics, 'rule-unknown');
    expect(unknown.map(where)).toEqual([position(text, 'stream-namng-convention:', 'stream-namng-convention')]);
    expect(unknown[0]?.message).toContain('`stream-naming-convention`');
    expect(withCode(r.diagnostics, 'rule-param-unknown').map(where)).toEqual([position(text, 'maximum: 3', 'maximum')]);
    expect(withCode(r.diagnostics, 'rule-param-type').map(where)).toEqual([position(text, 'max: "3"', '"3"')]);
  });

  it('a parameter named like an inherited member (constructor, toString) is unknown, not taken as declared', () => {
    const text = meshYaml({
      rules: 'rules:\n  readers-per-stream-limit: { params: { constructor: 3, toString: 4, __proto__: 5 } }',
    });
    const r = check(text);
    expect(withCode(r.diagnostics, 'rule-param-unknown').map(where).sort()).toEqual(
      [
        position(text, 'constructor: 3', 'constructor'),
        position(text, 'toString: 4', 'toString'),
        position(text, '__proto__: 5', '__proto__'),
      ].sort(),
    );
    expect(withCode(r.diagnostics, 'rule-param-type')).toEqual([]);
  });

  it('parameters that make a rule schema invalid are an error at the setting, and are ignored', () => {
    const text = meshYaml({
      rules: 'rules:\n  stream-owner-contact:\n    params: { pattern: "([" }',
      paymentsContact: 'nobody',
    });
    const r = check(text);
    expect(withCode(r.diagnostics, 'rule-param-invalid').map(where)).toEqual([
      position(text, 'params: { pattern: "(["', '{'),
    ]);
    // The default pattern still applies.
    expect(withCode(r.diagnostics, 'stream-owner-contact').map(where)).toEqual([
      position(text, 'contact: nobody', 'nobody'),
    ]);
  });

  it('a rule pointing at another entity: the domain owner contact when the stream has none', () => {
    const text = meshYaml({ paymentsContact: 'nobody' });
    const ds = withCode(check(text).diagnostics, 'stream-owner-contact');
    expect(ds.map(where)).toEqual([position(text, 'contact: nobody', 'nobody')]);
  });
});

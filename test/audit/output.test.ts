import { describe, expect, it } from 'vitest';
import { audit } from '../../src/core/audit/audit.js';
import type { AuditReport } from '../../src/core/audit/findings.js';
import { auditFails } from '../../src/core/audit/findings.js';
import { parseAuditReport } from '../../src/core/audit/parse-report.js';
import { formatAuditJson } from '../../src/output/audit/json.js';
import { formatAuditMarkdown, mermaidShardChart } from '../../src/output/audit/markdown.js';
import { fingerprints } from '../../src/core/findings/finding.js';
import { formatResult } from '../../src/output/formats.js';
import type { FormatContext } from '../../src/output/formats.js';
import { formatAuditText } from '../../src/output/audit/text.js';
import { plainStyle } from '../../src/output/style.js';
import { A, aSnapshot, flat, liveStream, world } from './builders.js';

const MiB = 1024 * 1024;
const SARIF: FormatContext = { style: plainStyle, version: '0.1.0', relativize: (f) => f, meshFile: 'mesh.yaml' };

function aReport(): AuditReport {
  const w = world();
  liveStream(w.live, 'orders').retentionHours = 24; // retention-out-of-policy (error)
  liveStream(w.live, 'orders').consumers.push({
    name: 'evil|<img src=x onerror=alert(1)>@octocat #1',
    arn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders/consumer/evil:1',
    status: 'ACTIVE',
    tags: {},
  });
  const shards = ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'].map((shardId, i) => ({
    shardId,
    bytes: flat(60, (i === 2 ? 0.9 : 0.1) * MiB * 60),
    records: flat(60, 60),
  }));
  const metrics = aSnapshot([{ account: A, stream: 'orders', shards }]);
  return audit({
    mesh: w.mesh,
    desired: w.desired,
    live: w.live,
    metrics,
    today: '2026-11-26',
    options: { generatedAt: '2026-11-26T03:00:00.000Z' },
  });
}

describe('audit JSON', () => {
  it('is {"formatVersion":1, ..., "findings":[...]} and round-trips to the same report', () => {
    const report = aReport();
    const text = formatAuditJson(report);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'formatVersion',
      'mesh',
      'generatedAt',
      'window',
      'summary',
      'findings',
      'checksRun',
      'checksNotRun',
      'notes',
      'shardCharts',
    ]);
    expect(parsed['formatVersion']).toBe(1);
    // A saved report reads back to the same report.
    expect(parseAuditReport(parsed)).toEqual({ report: JSON.parse(JSON.stringify(report)) as AuditReport });
    const findings = parsed['findings'] as Record<string, unknown>[];
    const codes = ['retention-out-of-policy', 'undeclared-consumer', 'hot-shard', 'skewed-stream'];
    // The shared names of the one finding type (as validate's JSON), and formatVersion 1's names beside them.
    expect(findings.map((f) => f['code'])).toEqual(codes);
    expect(findings.map((f) => f['id'])).toEqual(codes);
    for (const f of findings) {
      expect(typeof f['message']).toBe('string');
      expect(f['title']).toBe(f['message']);
      expect(f['docsUrl']).toBe(f['help']);
    }
    expect(findings[2]?.['help']).toBe(
      'https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-resharding.html',
    );
    // Without an IAM action catalog, the identity checks say they did not run.
    expect(parsed['checksNotRun']).toEqual([
      { check: 'identity-policy-overreach (identity policies)', reason: 'the IAM action catalog was not loaded' },
      { check: 'tag-tampering (identity policies)', reason: 'the IAM action catalog was not loaded' },
    ]);
  });
});

describe('audit JSON of formatVersion 1 written before the shared names', () => {
  const legacy = {
    id: 'retention-drift',
    severity: 'warning',
    resource: '111111111111/stream/orders',
    account: '111111111111',
    title: 'orders keeps data 24 h',
    evidence: {},
    remediation: 'apply',
    docsUrl: 'https://docs.aws.amazon.com/x',
  };
  const saved = (finding: Record<string, unknown>) => ({
    ...JSON.parse(formatAuditJson({ ...aReport(), findings: [] })),
    findings: [finding],
    summary: { error: 0, warning: 0, info: 0, [String(finding['severity'])]: 1 },
  });

  it('reads id, title and docsUrl as code, message and help', () => {
    expect(parseAuditReport(saved(legacy)).report?.findings).toEqual([
      {
        code: 'retention-drift',
        severity: 'warning',
        resource: '111111111111/stream/orders',
        account: '111111111111',
        message: 'orders keeps data 24 h',
        evidence: {},
        remediation: 'apply',
        help: 'https://docs.aws.amazon.com/x',
      },
    ]);
  });

  it('refuses a finding whose two names disagree, naming the path', () => {
    expect(parseAuditReport(saved({ ...legacy, code: 'hot-shard' }))).toEqual({
      problem: expect.stringContaining('findings.0.id must equal findings.0.code'),
    });
    expect(parseAuditReport(saved({ ...legacy, help: 'https://example.com' }))).toEqual({
      problem: expect.stringContaining('findings.0.docsUrl must equal findings.0.help'),
    });
    const { id: _id, ...noCode } = legacy;
    expect(parseAuditReport(saved(noCode))).toEqual({ problem: expect.stringContaining('findings.0.id must be') });
  });
});

describe('audit text', () => {
  it('lists each finding with resource, evidence and fix, and a summary; no colour codes with the plain style', () => {
    const out = formatAuditText(aReport(), plainStyle);
    expect(out).toContain(`${A}/stream/orders/shard/shardId-000000000002`);
    expect(out).toContain('evidence: liveHours=24, declaredHours=168');
    expect(out).toMatch(/fix: Split shardId-000000000002/);
    expect(out).toContain(
      'Checks not run:\n  - identity-policy-overreach (identity policies): the IAM action catalog was not loaded',
    );
    expect(out.trimEnd().split('\n').pop()).toBe('✖ 2 errors, 2 warnings, 0 info');
    expect(out.includes(String.fromCharCode(27))).toBe(false);
  });
});

describe('audit markdown', () => {
  it('has a table, details, a mermaid xychart per stream and escapes user strings', () => {
    const md = formatAuditMarkdown(aReport());
    expect(md).toContain('| Severity | Check | Resource | Finding |');
    expect(md).toContain(
      '```mermaid\nxychart-beta\n    title "orders: peak write load per shard"\n    x-axis "shard" ["0", "1", "2"]\n    y-axis "% of per-shard write limit" 0 --> 110\n    bar [10, 10, 90]\n    line [80, 80, 80]\n```',
    );
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/[^`]@octocat/);
    // The consumer name appears only escaped: no raw pipe can split the table row.
    const row = md.split('\n').find((l) => l.includes('undeclared-consumer') && l.startsWith('|'));
    expect(row?.split(/(?<!\\)\|/).length).toBe(6);
  });
  it('keeps mermaid strings inside their quotes', () => {
    const chart = mermaidShardChart({
      account: A,
      stream: 'a"b\n]c',
      metric: 'write-bytes-peak',
      unit: 'percent-of-limit',
      threshold: 80,
      shards: [{ shardId: 'shardId-000000000007', value: 12.5 }],
      omitted: 0,
    });
    expect(chart).toContain('title "a_b__c: peak write load per shard"');
    expect(chart).toContain('x-axis "shard" ["7"]');
  });
  it('stays under the size limit by dropping details, then rows, and says so', () => {
    const report = aReport();
    const many = Array.from({ length: 3000 }, (_v, i) => ({
      ...(report.findings[0] as AuditReport['findings'][number]),
      resource: `${A}/stream/s${i}`,
    }));
    const big = { ...report, findings: many };
    const md = formatAuditMarkdown(big);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toMatch(/more findings not listed: see the JSON report/);
    const small = formatAuditMarkdown(report);
    expect(small).toContain('### Details');
    expect(small).not.toContain('not listed');
  });
  it('shows the chargeback, and drops it first (saying so) when the report would not fit', () => {
    const report = aReport();
    const domain = (i: number) => ({ domain: `d${i}`, monthlyUSD: 10, streams: [] });
    const chargeback: NonNullable<AuditReport['chargeback']> = {
      currency: 'USD',
      hoursPerMonth: 730,
      totalUSD: 20,
      domains: [domain(1), domain(2)],
      assumptions: ['a month is 730 hours'],
      prices: { kind: 'shipped', region: 'eu-west-1', asOf: '2026-12-01', ageDays: 0, source: 'test', unconfirmed: [] },
    };
    const md = formatAuditMarkdown({ ...report, chargeback });
    expect(md).toContain('### Monthly cost per domain (chargeback)');
    expect(md).toContain('| d1 | 0 | $10.00 | 50.0% |');
    // 5,000 domains do not fit: the findings and their details stay, the chargeback goes.
    const huge = { ...chargeback, domains: Array.from({ length: 5000 }, (_v, i) => domain(i)) };
    const cut = formatAuditMarkdown({ ...report, chargeback: huge });
    expect(cut.length).toBeLessThanOrEqual(60_000);
    expect(cut).not.toContain('(chargeback)');
    expect(cut).toContain('_The monthly cost per domain did not fit: see the JSON report._');
    expect(cut).toContain('### Details');
  });
  it('says so when there are no findings', () => {
    const w = world();
    expect(formatAuditMarkdown(audit({ ...w, metrics: undefined, today: '2026-11-26' }))).toContain('No findings.');
  });
});

describe('audit SARIF', () => {
  it('is SARIF 2.1.0 with one rule per check, levels mapped and a location for every result', () => {
    const sarif = JSON.parse(formatResult('audit', 'sarif', aReport(), SARIF)) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
            logicalLocations: { fullyQualifiedName: string }[];
          }[];
          partialFingerprints: Record<string, string>;
        }[];
      }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual([
      'hot-shard',
      'retention-out-of-policy',
      'skewed-stream',
      'undeclared-consumer',
    ]);
    expect(run?.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['retention-out-of-policy', 'error'],
      ['undeclared-consumer', 'error'],
      ['hot-shard', 'warning'],
      ['skewed-stream', 'warning'],
    ]);
    for (const r of run?.results ?? []) {
      expect(r.locations[0]?.physicalLocation.artifactLocation.uri).toBe('mesh.yaml');
      expect(r.partialFingerprints['meshgovAudit/v1']).toBe(
        `${r.ruleId}#${r.locations[0]?.logicalLocations[0]?.fullyQualifiedName}`,
      );
    }
  });

  it('gives two different unauthorized principals on one stream two fingerprints (code scanning keeps two alerts)', () => {
    const w = world();
    const foreign = ['arn:aws:iam::555555555555:role/intruder', 'arn:aws:iam::666666666666:role/other'];
    liveStream(w.live, 'orders').resourcePolicy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Two', Effect: 'Allow', Principal: { AWS: foreign }, Action: 'kinesis:GetRecords', Resource: '*' },
        {
          Sid: 'Again',
          Effect: 'Allow',
          Principal: { AWS: foreign[0] },
          Action: 'kinesis:GetShardIterator',
          Resource: '*',
        },
      ],
    };
    const report = audit({
      mesh: w.mesh,
      desired: w.desired,
      live: w.live,
      metrics: undefined,
      today: '2026-11-26',
      options: { generatedAt: 'now' },
    });
    const sarif = JSON.parse(formatResult('audit', 'sarif', report, SARIF)) as {
      runs: {
        results: {
          ruleId: string;
          partialFingerprints: Record<string, string>;
          properties: { evidence: { principal?: string } };
        }[];
      }[];
    };
    const results = sarif.runs[0]?.results ?? [];
    const aboutForeign = results.filter((r) => foreign.includes(r.properties.evidence.principal ?? ''));
    // One per principal per statement: intruder twice (two statements), other once.
    expect(aboutForeign.map((r) => r.properties.evidence.principal).sort()).toEqual([
      foreign[0],
      foreign[0],
      foreign[1],
    ]);
    const prints = results.map((r) => r.partialFingerprints['meshgovAudit/v1']);
    expect(new Set(prints).size).toBe(results.length);
    for (const r of aboutForeign)
      expect(r.partialFingerprints['meshgovAudit/v1']).toContain(r.properties.evidence.principal);
  });

  it('never lets two findings share a fingerprint, even without a subject', () => {
    const f = {
      code: 'x',
      severity: 'error' as const,
      resource: 'r',
      account: '1',
      message: 't',
      evidence: {},
      remediation: 'r',
    };
    const prints = fingerprints([f, f, { ...f, subject: 's' }, f], (file) => file);
    expect(prints.map((p) => p.value)).toEqual(['x#r', 'x#r#2', 'x#r#s', 'x#r#3']);
  });
});

describe('--fail-on', () => {
  const f = (severity: 'error' | 'warning' | 'info') => ({ severity });
  it('fails on errors, on warnings and above, or never', () => {
    expect(auditFails([f('warning'), f('info')], 'error')).toBe(false);
    expect(auditFails([f('error')], 'error')).toBe(true);
    expect(auditFails([f('warning')], 'warning')).toBe(true);
    expect(auditFails([f('info')], 'warning')).toBe(false);
    expect(auditFails([f('error')], 'never')).toBe(false);
    expect(auditFails([], 'warning')).toBe(false);
  });
});

describe('audit SARIF locations', () => {
  it("are relative to the same root as validate's: the checkout on GitHub Actions, not the working directory", async () => {
    const { formatAudit } = await import('../../src/cli/audit-run.js');
    const { mkdtempSync, mkdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const repo = mkdtempSync(join(tmpdir(), 'meshgov-sarif-root-'));
    mkdirSync(join(repo, 'gov'));
    const io = {
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      now: () => new Date(),
      cwd: join(repo, 'gov'),
      env: { GITHUB_WORKSPACE: repo },
    };
    const sarif = JSON.parse(formatAudit(aReport(), 'sarif', io, { meshFile: 'mesh.yaml', noColor: true })) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const uris = new Set(sarif.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri));
    expect([...uris]).toEqual(['gov/mesh.yaml']);
  });
});

describe('waived findings in text and markdown', () => {
  it("are listed apart, not counted, with the waiver's expiry and its (escaped) justification", async () => {
    const { formatAuditText } = await import('../../src/output/audit/text.js');
    const { plainStyle } = await import('../../src/output/style.js');
    const report = aReport();
    const first = report.findings[0] as AuditReport['findings'][number];
    const waived = [
      {
        ...first,
        waivedBy: 'Known <img src=x> | accepted',
        waiver: { target: 'stream/orders', expires: '2027-01-31' },
      },
    ];
    const text = formatAuditText({ ...report, waived }, plainStyle);
    expect(text).toContain('Waived (1, not counted):');
    expect(text).toContain(`  - ${first.code} ${first.resource} until 2027-01-31: Known <img src=x> | accepted`);
    const md = formatAuditMarkdown({ ...report, waived });
    expect(md).toContain('<summary>1 waived finding (not counted)</summary>');
    expect(md).toContain('` 2027-01-31 `');
    expect(md).not.toContain('<img src=x>');
    expect(md).not.toMatch(/Known [^\n]*[^\\]\| accepted/);
    // Without waived findings nothing is said.
    expect(formatAuditText(report, plainStyle)).not.toContain('Waived');
    expect(formatAuditMarkdown(report)).not.toContain('waived finding');
  });
});

describe('a hostile saved audit report', () => {
  const one = {
    code: 'retention-drift',
    severity: 'warning',
    resource: '111111111111/stream/orders',
    account: '111111111111',
    message: 'orders keeps data 24 h',
    evidence: {},
    remediation: 'apply',
  };
  const saved = (finding: Record<string, unknown>, summary = { error: 0, warning: 1, info: 0 }) => ({
    ...JSON.parse(formatAuditJson({ ...aReport(), findings: [] })),
    findings: [finding],
    summary,
  });

  it('evidence nested 5,000 deep is refused with its path, not a stack overflow in a renderer', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(parseAuditReport(saved({ ...one, evidence: deep }))).toEqual({
      problem: 'findings.0.evidence is nested deeper than 32 levels',
    });
    let ok: Record<string, unknown> = {};
    for (let i = 0; i < 30; i++) ok = { a: ok };
    expect(parseAuditReport(saved({ ...one, evidence: ok })).report?.findings[0]?.evidence).toEqual(ok);
  });

  it('a 50 MB message or evidence is refused with its path (the markdown renderer re-escapes text per pass)', () => {
    expect(parseAuditReport(saved({ ...one, message: 'x'.repeat(16_385) }))).toEqual({
      problem: 'findings.0.message is longer than 16384 characters (16385)',
    });
    expect(parseAuditReport(saved({ ...one, evidence: { big: 'x'.repeat(300_000) } }))).toEqual({
      problem: 'findings.0.evidence holds more than 262144 characters',
    });
  });

  it("a summary that is not the findings' own count is refused (the issue header shows it)", () => {
    expect(parseAuditReport(saved(one, { error: 0, warning: 0, info: 0 }))).toEqual({
      problem: 'summary.warning is 0, but the report holds 1 such findings',
    });
    expect(parseAuditReport(saved(one, { error: -5, warning: 1, info: 0 }))).toEqual({
      problem: 'summary.error must be a whole number from 0',
    });
    expect(parseAuditReport(saved(one, { error: 0, warning: 1.5, info: 0 }))).toEqual({
      problem: 'summary.warning must be a whole number from 0',
    });
  });
});

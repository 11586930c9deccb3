/**
 * The one formatter registry (issue #18 §1): every command's `--format` choices are the registry's, an unsupported
 * (kind, format) is a usage error, and validate's and audit's SARIF and annotations come from one writer each, with
 * one rule and fingerprint shape.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { EXIT_USAGE, ExitError } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/program.js';
import { formatFor, formatContext } from '../../src/cli/validation.js';
import type { AuditReport, Finding as AuditFinding } from '../../src/core/audit/findings.js';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic.js';
import { OUTPUT_FORMATS, UnsupportedFormat, formatResult, formatsOf } from '../../src/output/formats.js';
import type { FormatContext } from '../../src/output/formats.js';
import { plainStyle } from '../../src/output/style.js';
import { captureIO } from '../support/capture-io.js';

const ROOT = join(import.meta.dirname, '..', '..');

function formatChoices(path: readonly string[]): readonly string[] | undefined {
  const program = buildProgram(captureIO(ROOT, { now: new Date(0) }), () => {}, COMMANDS);
  let cmd: Command | undefined = program;
  for (const name of path) cmd = cmd?.commands.find((c) => c.name() === name);
  const option = cmd?.options.find((o: Option) => o.long === '--format');
  return option?.argChoices;
}

describe('--format choices', () => {
  it.each([
    [['validate'], 'validate'],
    [['audit'], 'audit'],
    [['plan'], 'plan'],
    [['rules', 'list'], 'rules'],
  ] as const)('of %j are the registry formats of %s', (path, kind) => {
    expect(formatChoices(path)).toEqual(formatsOf(kind));
  });

  it('of render are `files` (a directory, not a printed format) then the registry formats of render', () => {
    expect(formatChoices(['render'])).toEqual(['files', ...formatsOf('render')]);
  });

  it('name only the five output formats, and the ones each command documents', () => {
    expect(OUTPUT_FORMATS).toEqual(['text', 'json', 'sarif', 'github', 'markdown']);
    expect(formatsOf('validate')).toEqual(['text', 'json', 'sarif', 'github', 'markdown']);
    expect(formatsOf('audit')).toEqual(['text', 'markdown', 'json', 'sarif', 'github']);
    expect(formatsOf('plan')).toEqual(['text', 'markdown', 'json']);
    expect(formatsOf('rules')).toEqual(['text', 'json']);
    expect(formatsOf('render')).toEqual(['json']);
  });
});

const CONTEXT: FormatContext = { style: plainStyle, version: '9.9.9', relativize: (f) => f, meshFile: 'mesh.yaml' };

describe('an unsupported (kind, format)', () => {
  it.each([
    ['plan', 'sarif'],
    ['rules', 'github'],
    ['render', 'text'],
    // Names on every object are not formats.
    ['validate', 'toString'],
    ['validate', '__proto__'],
    ['audit', 'constructor'],
    ['validate', 'TEXT'],
  ] as const)('%s as %s throws UnsupportedFormat naming the formats there are', (kind, format) => {
    expect(() => formatResult(kind, format, undefined as never, CONTEXT)).toThrow(UnsupportedFormat);
    expect(() => formatResult(kind, format, undefined as never, CONTEXT)).toThrow(
      `${kind} has no ${format} output; use one of ${formatsOf(kind).join(', ')}.`,
    );
  });

  it('is the CLI usage error (exit 64), not a fallback to text', () => {
    const io = captureIO(ROOT, { now: new Date(0) });
    let thrown: unknown;
    try {
      formatFor('plan', 'sarif', undefined as never, formatContext(io));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ExitError);
    expect((thrown as ExitError).exitCode).toBe(EXIT_USAGE);
    expect((thrown as ExitError).message).toBe(
      '--format sarif: plan has no sarif output; use one of text, markdown, json.',
    );
  });
});

const diagnostic: Diagnostic = {
  code: 'stream-encryption-required',
  severity: 'error',
  message: 'Stream `orders` is not encrypted.',
  file: 'mesh.yaml',
  line: 12,
  column: 7,
  path: ['domains', 0, 'streams', 0],
};

const declared: AuditFinding = {
  code: 'retention-drift',
  severity: 'warning',
  resource: '111111111111/stream/orders',
  account: '111111111111',
  message: 'orders keeps data 24 h; the mesh declares 48 h',
  evidence: { liveHours: 24 },
  remediation: 'Run `meshgov apply`',
  location: { file: 'mesh.yaml', line: 12, column: 7 },
};
const outside: AuditFinding = {
  code: 'undeclared-principal',
  severity: 'error',
  resource: '111111111111/stream/orders',
  account: '111111111111',
  subject: 'arn:aws:iam::999999999999:root',
  message: 'The resource policy of orders names 999999999999',
  evidence: {},
  remediation: 'Remove the statement',
  help: 'https://example.com/rp',
};

function report(findings: AuditFinding[]): AuditReport {
  return {
    formatVersion: 1,
    mesh: 'acme',
    generatedAt: '2026-11-26T03:00:00.000Z',
    window: { start: '2026-11-25T03:00:00.000Z', end: '2026-11-26T03:00:00.000Z', periodSeconds: 480 },
    findings,
    checksRun: [],
    checksNotRun: [],
    notes: [],
    summary: { error: 1, warning: 1, info: 0 },
  };
}

interface SarifLog {
  runs: {
    tool: { driver: { name: string; version: string; rules: Record<string, unknown>[] } };
    results: Record<string, unknown>[];
  }[];
}

describe('validate and audit SARIF', () => {
  const v = JSON.parse(
    formatResult('validate', 'sarif', { diagnostics: [diagnostic, diagnostic], ruleMeta: new Map() }, CONTEXT),
  ) as SarifLog;
  const a = JSON.parse(formatResult('audit', 'sarif', report([outside, declared]), CONTEXT)) as SarifLog;

  it('have one driver and the same result shape: rule, level, message, a mesh location, one fingerprint', () => {
    for (const log of [v, a]) {
      expect(log.runs).toHaveLength(1);
      expect(log.runs[0]?.tool.driver).toMatchObject({ name: 'meshgov', version: '9.9.9' });
      for (const r of log.runs[0]?.results ?? []) {
        expect(Object.keys(r).slice(0, 6)).toEqual([
          'ruleId',
          'ruleIndex',
          'level',
          'message',
          'locations',
          'partialFingerprints',
        ]);
        expect(Object.keys(r['partialFingerprints'] as object)).toHaveLength(1);
      }
      for (const rule of log.runs[0]?.tool.driver.rules ?? []) {
        expect(Object.keys(rule)).toEqual(
          expect.arrayContaining(['id', 'name', 'shortDescription', 'defaultConfiguration']),
        );
      }
    }
  });

  it("point each result at its own rule: the rule at ruleIndex has the result's ruleId", () => {
    const results = a.runs[0]?.results ?? [];
    expect(results.map((r) => r['ruleId'])).toEqual(['undeclared-principal', 'retention-drift']);
    for (const r of results) expect(a.runs[0]?.tool.driver.rules[r['ruleIndex'] as number]?.['id']).toBe(r['ruleId']);
  });

  it('carry the remediation of an audit finding in its message', () => {
    const texts = (a.runs[0]?.results ?? []).map((r) => (r['message'] as { text: string }).text);
    expect(texts[0]).toContain('Remove the statement');
    expect(texts[1]).toContain('Run `meshgov apply`');
  });

  it('fingerprint each kind as documented, twins apart', () => {
    const prints = (log: SarifLog) => log.runs[0]?.results.map((r) => r['partialFingerprints']);
    expect(prints(v)).toEqual([
      { 'meshgovPath/v1': 'mesh.yaml#domains.0.streams.0#stream-encryption-required' },
      { 'meshgovPath/v1': 'mesh.yaml#domains.0.streams.0#stream-encryption-required#2' },
    ]);
    expect(prints(a)).toEqual([
      { 'meshgovAudit/v1': 'undeclared-principal#111111111111/stream/orders#arn:aws:iam::999999999999:root' },
      { 'meshgovAudit/v1': 'retention-drift#111111111111/stream/orders' },
    ]);
  });

  it('locate an audit finding at its declaration, else at line 1 of the mesh file, with the resource', () => {
    const locations = a.runs[0]?.results.map((r) => r['locations']);
    expect(locations).toEqual([
      [
        {
          physicalLocation: {
            artifactLocation: { uri: 'mesh.yaml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 1, startColumn: 1 },
          },
          logicalLocations: [{ fullyQualifiedName: '111111111111/stream/orders', kind: 'resource' }],
        },
      ],
      [
        {
          physicalLocation: {
            artifactLocation: { uri: 'mesh.yaml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 12, startColumn: 7 },
          },
          logicalLocations: [{ fullyQualifiedName: '111111111111/stream/orders', kind: 'resource' }],
        },
      ],
    ]);
  });
});

describe('audit --format github', () => {
  it('annotates through the validate writer: declared findings at their line, others at line 1', () => {
    expect(formatResult('audit', 'github', report([outside, declared]), CONTEXT)).toBe(
      '::error file=mesh.yaml,line=1,col=1,title=meshgov undeclared-principal::' +
        'The resource policy of orders names 999999999999. Remove the statement\n' +
        '::warning file=mesh.yaml,line=12,col=7,title=meshgov retention-drift::' +
        'orders keeps data 24 h; the mesh declares 48 h. Run `meshgov apply`\n',
    );
  });
});

/** Every .ts file under src/. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('one writer of each', () => {
  const src = sources(join(ROOT, 'src')).map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') }));
  it('one file writes SARIF logs', () => {
    expect(src.filter((f) => f.text.includes('sarif-2.1.0.json')).map((f) => f.file)).toEqual([
      'src/output/findings/sarif.ts',
    ]);
  });
  it('one file writes workflow annotations (strings that start with a workflow command)', () => {
    const command = /[`'"]::(error|warning|notice|\$\{)/;
    expect(src.filter((f) => command.test(f.text)).map((f) => f.file)).toEqual(['src/output/findings/github.ts']);
  });
});

/** Workflow annotations: at most GitHub's 10 per kind per step, and nothing silently lost beyond that. */
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Severity } from '../../src/core/diagnostics/diagnostic.js';
import { formatGithub } from '../../src/output/findings/github.js';

function findings(counts: Record<Severity, number>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const severity of ['error', 'warning', 'info'] as const) {
    for (let i = 0; i < counts[severity]; i++) {
      out.push({
        code: `c-${severity}`,
        severity,
        message: `finding ${severity} ${i}`,
        file: 'mesh.yaml',
        line: i + 1,
        column: 3,
        path: [],
      });
    }
  }
  return out;
}

const commands = (out: string, kind: string) => out.split('\n').filter((l) => l.startsWith(`::${kind} `));

describe('formatGithub', () => {
  it('annotates at most 10 of each kind, says so in one notice, and lists every other finding in the log', () => {
    // The validate step of the issue: 66 findings.
    const all = findings({ error: 12, warning: 50, info: 4 });
    const out = formatGithub(all, { fullListCommand: 'meshgov validate mesh.yaml' });
    expect(commands(out, 'error')).toHaveLength(10);
    expect(commands(out, 'warning')).toHaveLength(10);
    const notices = commands(out, 'notice');
    expect(notices.length).toBeLessThanOrEqual(10);
    const summary = notices.filter((l) => l.includes('title=meshgov%3A not every finding is annotated'));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain('66 findings: 12 errors, 50 warnings, 4 info.');
    expect(summary[0]).toContain(
      "annotated 10 errors, 10 warnings, 4 info; the other 42 are listed in this step's log; `meshgov validate mesh.yaml` lists them all.",
    );
    // Every finding is somewhere: annotated, or a plain (indented, so never a command) log line.
    for (const d of all) {
      const annotated = out.split('\n').filter((l) => l.startsWith('::') && l.endsWith(`::${d.message}`));
      const listed = out
        .split('\n')
        .filter((l) => l === `  mesh.yaml:${d.line}:3: ${d.severity}: ${d.message} [${d.code}]`);
      expect(annotated.length + listed.length, d.message).toBe(1);
    }
  });

  it('keeps a place for the notice: 10 info findings over the limit leave 9 annotated', () => {
    const out = formatGithub(findings({ error: 0, warning: 11, info: 10 }));
    expect(commands(out, 'notice')).toHaveLength(10);
    expect(out).toContain('annotated 0 errors, 10 warnings, 9 info; the other 2 are listed');
  });

  it('adds nothing when every finding fits', () => {
    const all = findings({ error: 10, warning: 10, info: 10 });
    const out = formatGithub(all);
    expect(out.split('\n').filter((l) => l !== '')).toHaveLength(30);
    expect(out).not.toContain('not every finding');
  });

  it('a hostile message or file name cannot start a workflow command or run a control sequence', () => {
    const evil: Diagnostic = {
      code: 'x',
      severity: 'error',
      message: 'a\n::add-mask::x\r\u001b[2J',
      file: '::error file=x::y',
      line: 1,
      column: 1,
      path: [],
    };
    const out = formatGithub([...findings({ error: 10, warning: 0, info: 0 }), evil]);
    expect(
      out
        .split('\n')
        .filter((l) => l.startsWith('::'))
        .every((l) => /^::(error|notice) /.test(l)),
    ).toBe(true);
    expect(out).not.toContain('\u001b');
    expect(out).toContain('  ::error file=x::y:1:1: error: a%0A::add-mask::x<U+000D><U+001B>[2J [x]');
  });
});

describe('validate SARIF fingerprints', () => {
  it('keep two findings of one rule at one path apart', async () => {
    const { formatSarif } = await import('../../src/output/findings/sarif.js');
    const d: Diagnostic = {
      code: 'filter-bad-operator',
      severity: 'error',
      message: 'a',
      file: 'mesh.yaml',
      line: 3,
      column: 5,
      path: ['grants', 0, 'filter'],
    };
    const log = JSON.parse(
      formatSarif([d, { ...d, message: 'b', column: 9 }, { ...d, code: 'other' }], { version: '0' }),
    ) as {
      runs: { results: { partialFingerprints: Record<string, string> }[] }[];
    };
    expect(log.runs[0]?.results.map((r) => r.partialFingerprints['meshgovPath/v1'])).toEqual([
      'mesh.yaml#grants.0.filter#filter-bad-operator',
      'mesh.yaml#grants.0.filter#filter-bad-operator#2',
      'mesh.yaml#grants.0.filter#other',
    ]);
  });

  it('escapes a hostile message and file name so no second workflow command can start, and names the file from the root', () => {
    // The workflow-command escapes of @actions/core: % -> %25, LF -> %0A in data; also : -> %3A and , -> %2C in
    // properties. A carriage return is shown, never sent (the log viewer would start a new line at it).
    const hostile: Diagnostic = {
      code: 'c',
      severity: 'error',
      message: 'a%0A::error::x\rb\nc',
      file: 'dir/a,b%c:d.yaml',
      line: 2,
      column: 3,
      path: [],
    };
    expect(formatGithub([hostile], { relativize: (f) => `meshes/${f}` })).toBe(
      '::error file=meshes/dir/a%2Cb%25c%3Ad.yaml,line=2,col=3,title=meshgov c::a%250A::error::x<U+000D>b%0Ac\n',
    );
  });
});

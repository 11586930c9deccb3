/**
 * The built CLI (`node bin/meshgov.js`, after `npm run build`) on good, bad and hostile input: exit codes 0/1/64,
 * output formats, and never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BIN = 'bin/meshgov.js';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', MESHGOV_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const STACK = /^\s+at /m;

describe('meshgov validate (built CLI)', () => {
  it('is built', () => {
    expect(existsSync('dist/cli/main.js'), 'run `npm run build` first').toBe(true);
  });

  it('exits 0 on the example mesh.yaml', () => {
    const r = run('validate', 'mesh.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 errors');
    expect(r.stderr).toBe('');
  });

  it('validates ./mesh.yaml when no file is given', () => {
    const r = run('validate', '--format', 'json');
    expect(r.code).toBe(0);
    expect(
      (JSON.parse(r.stdout) as { diagnostics: { file: string }[] }).diagnostics.every((d) => d.file === 'mesh.yaml'),
    ).toBe(true);
  });

  it('validates the split mesh (root and two included domain files) clean', () => {
    const r = run('validate', 'test/fixtures/valid/split/mesh.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 errors');
  });

  it('exits 1 with located errors on an invalid mesh', () => {
    const r = run('validate', 'test/fixtures/malformed/unknown-key-typo.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('test/fixtures/malformed/unknown-key-typo.yaml:26:9');
    expect(r.stdout).toContain('Did you mean `retentionHours`?');
  });

  it.each([
    ['an unknown option', ['validate', '--bogus', 'mesh.yaml']],
    ['an unknown format', ['validate', '--format', 'xml', 'mesh.yaml']],
    ['too many files', ['validate', 'mesh.yaml', 'other.yaml']],
  ])('exits 64 on %s', (_what, args) => {
    const r = run(...args);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/error:/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--help exits 0 and lists validate', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('validate');
    const sub = run('validate', '--help');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--format');
  });

  it('--format json prints {"diagnostics":[{file,line,column,severity,code,message}]}', () => {
    const r = run('validate', '--format', 'json', 'test/fixtures/malformed/crlf.yaml');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[] };
    expect(out.diagnostics).toHaveLength(3);
    for (const d of out.diagnostics) {
      expect(d).toMatchObject({ file: 'test/fixtures/malformed/crlf.yaml', severity: 'error' });
      expect(typeof d['line']).toBe('number');
      expect(typeof d['column']).toBe('number');
      expect(typeof d['code']).toBe('string');
      expect(typeof d['message']).toBe('string');
    }
    expect(out.diagnostics.map((d) => [d['code'], d['line'], d['column']])).toEqual([
      ['schema-range', 26, 25],
      ['schema-missing-key', 33, 9],
      ['schema-unknown-key', 37, 9],
    ]);
  });

  it('--format json on a valid mesh prints an empty error list', () => {
    const r = run('validate', '--format', 'json', 'mesh.yaml');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { diagnostics: { severity: string }[] };
    expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('--format github prints workflow annotations', () => {
    const r = run('validate', '--format', 'github', 'test/fixtures/malformed/include-semantic-error.yaml');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    // Guardrail rules may add warnings and notices; every line is an annotation, and exactly one is this error.
    for (const line of lines) expect(line).toMatch(/^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,.*::\S/);
    const errors = lines.filter((l) => l.includes('title=meshgov ref-'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^::error file=test\/fixtures\/malformed\/parts\/semantic-error\.domain\.yaml,line=12,col=17,.*title=meshgov ref-unknown-stream::Grant `risk-reads-scores` names stream/,
    );
  });

  it('--format sarif prints a SARIF 2.1.0 log with regions', () => {
    const r = run('validate', '--format', 'sarif', 'test/fixtures/malformed/retention-below-24.yaml');
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as {
      version: string;
      $schema: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
          }[];
        }[];
      }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toContain('sarif');
    const run0 = log.runs[0];
    expect(run0?.tool.driver.name).toBe('meshgov');
    expect(run0?.tool.driver.rules.map((x) => x.id)).toContain('schema-range');
    expect(run0?.results).toHaveLength(1);
    const res = run0?.results[0];
    expect(res?.ruleId).toBe('schema-range');
    expect(res?.level).toBe('error');
    expect(res?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      'test/fixtures/malformed/retention-below-24.yaml',
    );
    expect(res?.locations[0]?.physicalLocation.region).toMatchObject({ startLine: 26, startColumn: 25 });
  });

  it.each([
    'binary-garbage.yaml',
    'invalid-utf8.yaml',
    'alias-bomb.yaml',
    'deep-flow.yaml',
    'deep-block.yaml',
    'empty.yaml',
    'comment-only.yaml',
    'top-level-scalar.yaml',
    'null-document.yaml',
    'crlf-bom-syntax.yaml',
    'yaml-complex-key.yaml',
    'proto-key.yaml',
    'include-escape.yaml',
    'inject-tag.yaml',
  ])('hostile %s: exit 1, located diagnostics, no stack trace', (name) => {
    const r = run('validate', '--format', 'json', `test/fixtures/malformed/${name}`);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(STACK);
    const out = JSON.parse(r.stdout) as { diagnostics: { line: number; column: number; severity: string }[] };
    expect(out.diagnostics.filter((d) => d.severity === 'error').length).toBeGreaterThan(0);
    for (const d of out.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(1);
    }
  });

  it.each([
    ['a missing file', 'test/fixtures/malformed/does-not-exist.yaml'],
    ['a directory', 'test/fixtures/malformed'],
  ])('reports %s as a diagnostic (exit 1)', (_what, file) => {
    const r = run('validate', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:1:1`);
    expect(r.stdout).toContain('file-unreadable');
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('meshgov schema (built CLI)', () => {
  it.each(['mesh', 'domain'])('prints the %s schema as draft 2020-12 JSON', (kind) => {
    const r = run('schema', '--kind', kind);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toMatch(new RegExp(`/${kind}\\.schema\\.json$`));
  });

  it('exits 64 on an unknown kind', () => {
    const r = run('schema', '--kind', 'nope');
    expect(r.code).toBe(64);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('the launcher (built CLI)', () => {
  it('exits with the command’s code while a timer is still armed (what an aborted SDK retry leaves)', () => {
    // A preload arms a 10-minute timer; Node would wait for it if the launcher only set process.exitCode.
    const arm = 'data:text/javascript,setTimeout(() => undefined, 600000)';
    for (const [file, code] of [
      ['mesh.yaml', 0],
      ['test/fixtures/malformed/unknown-key-typo.yaml', 1],
    ] as const) {
      const r = spawnSync(process.execPath, ['--import', arm, BIN, 'validate', file], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(r.signal, 'killed by the timeout: the process waited for the timer').toBeNull();
      expect(r.status).toBe(code);
      // What was written before the exit is all there.
      expect(r.stdout).toMatch(/\d+ errors?, \d+ warnings?/);
    }
  });

  it('exits 1 and says so when its output cannot be written (a full disk), not 0', () => {
    for (const args of [
      ['validate', 'mesh.yaml'],
      ['render', '--format', 'json', 'mesh.yaml'],
    ]) {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'],
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('meshgov: output was lost: writing to stdout failed (ENOSPC).');
      expect(r.stderr).not.toMatch(STACK);
    }
  });
});

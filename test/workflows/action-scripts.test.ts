/**
 * The GitHub Action's scripts (action/run.sh, action/install.sh) with a fake `meshgov` and `npm` on the PATH that
 * record their arguments: the argument list built from the inputs, the outputs written to $GITHUB_OUTPUT, the exit
 * code (plan's "changes pending" is a success), the token only for report, and hostile inputs that must stay data.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  /** meshgov's arguments, one per element, when it ran. */
  argv: string[] | undefined;
  /** GITHUB_TOKEN as meshgov saw it (`<unset>` when absent). */
  token: string | undefined;
  outputs: Record<string, string>;
  dir: string;
  npm: string[] | undefined;
}

/** A fake executable that records its arguments and environment, prints `out`, writes `--out` files, exits `code`. */
function fake(bin: string, name: string): void {
  writeFileSync(
    join(bin, name),
    `#!/usr/bin/env bash
printf '%s\\n' "$@" > "$FAKE_DIR/${name}.argv"
printf '%s' "\${GITHUB_TOKEN-<unset>}" > "$FAKE_DIR/${name}.token"
if [ "$1" = "--version" ]; then echo "\${FAKE_VERSION:-none}"; exit 0; fi
prev=""
for a in "$@"; do
  if [ "$prev" = "--out" ] && [ -z "\${FAKE_NO_FILES:-}" ]; then echo '{}' > "$a"; fi
  prev="$a"
done
echo "output of ${name}"
exit "\${FAKE_EXIT:-0}"
`,
  );
  chmodSync(join(bin, name), 0o755);
}

function run(script: 'run.sh' | 'install.sh', env: Record<string, string>): Result {
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-action-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  fake(bin, 'meshgov');
  fake(bin, 'npm');
  const output = join(dir, 'github-output');
  writeFileSync(output, '');
  const r = spawnSync('bash', [join(REPO, 'action', script)], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      GITHUB_OUTPUT: output,
      FAKE_DIR: dir,
      GITHUB_TOKEN: 'ambient-token',
      ...env,
    },
  });
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(output, 'utf8')
    .split('\n')
    .filter((l) => l !== '')) {
    const eq = line.indexOf('=');
    outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return {
    code: r.status,
    stdout: r.stdout,
    dir,
    outputs,
    argv: read('meshgov.argv')?.split('\n').slice(0, -1),
    token: read('meshgov.token'),
    npm: read('npm.argv')?.split('\n').slice(0, -1),
  };
}

const inputs = (o: Record<string, string>): Record<string, string> => ({
  MESHGOV_MESH_FILE: 'mesh.yaml',
  MESHGOV_ARGS: '',
  MESHGOV_PLAN_PATH: 'plan.json',
  MESHGOV_AUDIT_PATH: 'audit.json',
  MESHGOV_STDOUT_FILE: '',
  MESHGOV_GITHUB_TOKEN: 'input-token',
  ...o,
});

describe('action/run.sh', () => {
  it('plan: mesh file, --out, --detailed-exitcode, the args; stdout to the file; changes pending is a success', () => {
    const r = run(
      'run.sh',
      inputs({
        MESHGOV_COMMAND: 'plan',
        MESHGOV_ARGS: '--format markdown',
        MESHGOV_STDOUT_FILE: 'plan.md',
        FAKE_EXIT: '2',
      }),
    );
    expect(r.argv).toEqual(['plan', 'mesh.yaml', '--out', 'plan.json', '--detailed-exitcode', '--format', 'markdown']);
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ 'exit-code': '2', 'plan-path': 'plan.json', 'has-changes': 'true' });
    expect(readFileSync(join(r.dir, 'plan.md'), 'utf8')).toBe('output of meshgov\n');
    expect(r.stdout).not.toContain('output of meshgov');
  });

  it('plan: no changes is has-changes=false; a failed plan fails the step with no has-changes and no plan-path', () => {
    const none = run('run.sh', inputs({ MESHGOV_COMMAND: 'plan' }));
    expect(none.code).toBe(0);
    expect(none.outputs).toEqual({ 'exit-code': '0', 'plan-path': 'plan.json', 'has-changes': 'false' });
    const failed = run('run.sh', inputs({ MESHGOV_COMMAND: 'plan', FAKE_EXIT: '1', FAKE_NO_FILES: '1' }));
    expect(failed.code).toBe(1);
    expect(failed.outputs).toEqual({ 'exit-code': '1' });
  });

  it('audit: --out the audit path, and audit-path only when the report was written', () => {
    const r = run(
      'run.sh',
      inputs({
        MESHGOV_COMMAND: 'audit',
        MESHGOV_AUDIT_PATH: 'out.json',
        MESHGOV_ARGS: '--out audit.md --fail-on never',
      }),
    );
    expect(r.argv).toEqual(['audit', 'mesh.yaml', '--out', 'out.json', '--out', 'audit.md', '--fail-on', 'never']);
    expect(r.outputs).toEqual({ 'exit-code': '0', 'audit-path': 'out.json' });
    const none = run('run.sh', inputs({ MESHGOV_COMMAND: 'audit', FAKE_EXIT: '1', FAKE_NO_FILES: '1' }));
    expect(none.code).toBe(1);
    expect(none.outputs).toEqual({ 'exit-code': '1' });
  });

  it('report github gets --mesh-file and the token input; every other command runs without any token', () => {
    const report = run(
      'run.sh',
      inputs({ MESHGOV_COMMAND: 'report github', MESHGOV_ARGS: '--kind plan --input plan.md' }),
    );
    expect(report.argv).toEqual([
      'report',
      'github',
      '--mesh-file',
      'mesh.yaml',
      '--kind',
      'plan',
      '--input',
      'plan.md',
    ]);
    expect(report.token).toBe('input-token');
    for (const command of ['validate', 'plan', 'apply', 'audit', 'import', 'render']) {
      const r = run('run.sh', inputs({ MESHGOV_COMMAND: command }));
      expect(r.argv?.slice(0, 2), command).toEqual([command, 'mesh.yaml']);
      expect(r.token, command).toBe('<unset>');
    }
    const rules = run('run.sh', inputs({ MESHGOV_COMMAND: 'rules list' }));
    expect(rules.argv).toEqual(['rules', 'list']);
  });

  it('keeps hostile args as data: no command substitution, no globbing, no separators', () => {
    const hostile = '$(touch pwned) `touch pwned2` ; touch pwned3 && * --x=$HOME';
    const r = run('run.sh', inputs({ MESHGOV_COMMAND: 'validate', MESHGOV_ARGS: hostile }));
    expect(r.argv).toEqual([
      'validate',
      'mesh.yaml',
      '$(touch',
      'pwned)',
      '`touch',
      'pwned2`',
      ';',
      'touch',
      'pwned3',
      '&&',
      '*',
      '--x=$HOME',
    ]);
    for (const f of ['pwned', 'pwned2', 'pwned3']) expect(existsSync(join(r.dir, f))).toBe(false);
  });

  it('refuses an unknown or empty command, and multi-line values that would forge outputs', () => {
    for (const command of ['rm', '--version', '', 'init']) {
      const r = run('run.sh', inputs({ MESHGOV_COMMAND: command }));
      expect(r.code, command).toBe(64);
      expect(r.stdout).toContain('::error title=meshgov action::');
      expect(r.argv, command).toBeUndefined();
      expect(r.outputs).toEqual({ 'exit-code': '64' });
    }
    const forged = run(
      'run.sh',
      inputs({ MESHGOV_COMMAND: 'plan', MESHGOV_PLAN_PATH: 'plan.json\nhas-changes=false' }),
    );
    expect(forged.code).toBe(64);
    expect(forged.stdout).toContain('input PLAN_PATH must be a single line');
    expect(forged.outputs).toEqual({ 'exit-code': '64' });
  });
});

describe('action/install.sh', () => {
  it('installs exactly the pinned version globally, and skips the install when that version is there', () => {
    const fresh = run('install.sh', { MESHGOV_VERSION: '0.1.0' });
    expect(fresh.code).toBe(0);
    expect(fresh.npm).toEqual(['install', '--global', '--no-audit', '--no-fund', 'meshgov@0.1.0']);
    const older = run('install.sh', { MESHGOV_VERSION: '0.1.0', FAKE_VERSION: '0.0.9' });
    expect(older.npm).toEqual(['install', '--global', '--no-audit', '--no-fund', 'meshgov@0.1.0']);
    const same = run('install.sh', { MESHGOV_VERSION: '0.1.0', FAKE_VERSION: '0.1.0' });
    expect(same.code).toBe(0);
    expect(same.npm).toBeUndefined();
    expect(same.stdout).toContain('meshgov 0.1.0 is installed');
  });

  it('refuses anything but an exact version (ranges, tags, URLs, paths, options)', () => {
    for (const version of [
      'latest',
      '^0.1.0',
      '0.1',
      '0.1.0 --registry=http://evil',
      'file:../x',
      'https://x/y.tgz',
      '',
      '1.2.3\n4.5.6',
    ]) {
      const r = run('install.sh', { MESHGOV_VERSION: version });
      expect(r.code, version).toBe(64);
      expect(r.stdout).toContain('input version must be an exact version');
      expect(r.npm, version).toBeUndefined();
    }
  });
});

/**
 * Includes that are symbolic links: the real path must stay below the mesh directory (and, in CI, the checkout),
 * and nothing of a refused file's content may reach any output format.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileReader } from '../../src/adapters/fs/reader.js';
import { main } from '../../src/cli/main.js';
import { SourceReadError } from '../../src/core/model/load.js';
import { captureIO } from '../support/capture-io.js';

const SPLIT = 'test/fixtures/valid/split';
const MARKER = 'SECRET_MARKER_5f1e2d';
/** The include entry of domains/risk.yaml in the split fixture's mesh.yaml (1-based line and column). */
const RISK_ENTRY = { line: 14, column: 5 };

let base: string;
let repo: string;
let meshDir: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'meshgov-symlink-'));
  repo = join(base, 'repo');
  meshDir = join(repo, 'meshes');
  mkdirSync(join(repo, '.git'), { recursive: true });
  cpSync(SPLIT, meshDir, { recursive: true });
  writeFileSync(join(base, 'outside.env'), `GITHUB_TOKEN=${MARKER}\nAWS_SECRET_ACCESS_KEY=${MARKER}\n`);
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

async function validate(format: string, env: Record<string, string> = {}, file = 'meshes/mesh.yaml') {
  const io = captureIO(repo, { env: { NO_COLOR: '1', ...env }, now: new Date('2026-06-01T00:00:00Z') });
  const code = await main(['validate', '--format', format, file], io);
  return { code, out: io.out(), err: io.err() };
}

function linkRiskTo(target: string): void {
  rmSync(join(meshDir, 'domains/risk.yaml'));
  symlinkSync(target, join(meshDir, 'domains/risk.yaml'));
}

describe('symbolic links in includes', () => {
  it.each(['text', 'json', 'markdown', 'github', 'sarif'])(
    'refuses a link to an outside secret file and quotes nothing of it (%s)',
    async (format) => {
      linkRiskTo(join(base, 'outside.env'));
      const r = await validate(format);
      expect(r.code).toBe(1);
      expect(r.out + r.err).not.toContain(MARKER);
      expect(r.out + r.err).not.toContain('GITHUB_TOKEN');
      expect(r.out).toContain('include-outside');
    },
  );

  it('reports the refusal located at the include entry, naming the real path', async () => {
    linkRiskTo(join(base, 'outside.env'));
    const r = await validate('json');
    const diags = (
      JSON.parse(r.out) as {
        diagnostics: { file: string; code: string; line: number; column: number; message: string }[];
      }
    ).diagnostics;
    expect(diags.map((d) => [d.file, d.code, d.line, d.column])).toEqual([
      ['meshes/mesh.yaml', 'include-outside', RISK_ENTRY.line, RISK_ENTRY.column],
    ]);
    expect(diags[0]?.message).toContain(join(base, 'outside.env'));
  });

  it('refuses a link to /etc/passwd without quoting it', async () => {
    linkRiskTo('/etc/passwd');
    const r = await validate('markdown');
    expect(r.code).toBe(1);
    expect(r.out).toContain('include-outside');
    expect(r.out).not.toMatch(/root:x?:?0/);
  });

  it('refuses a linked directory component that leads outside', async () => {
    mkdirSync(join(base, 'elsewhere'));
    cpSync(join(SPLIT, 'domains'), join(base, 'elsewhere'), { recursive: true });
    rmSync(join(meshDir, 'domains'), { recursive: true });
    symlinkSync(join(base, 'elsewhere'), join(meshDir, 'domains'));
    const r = await validate('json');
    const codes = (JSON.parse(r.out) as { diagnostics: { code: string; line: number }[] }).diagnostics.map((d) => [
      d.code,
      d.line,
    ]);
    expect(codes).toEqual([
      ['include-outside', 13],
      ['include-outside', 14],
    ]);
  });

  it('refuses a link to a file of the same repository outside the mesh directory', async () => {
    mkdirSync(join(repo, 'other'));
    cpSync(join(SPLIT, 'domains/risk.yaml'), join(repo, 'other/risk.yaml'));
    linkRiskTo('../../other/risk.yaml');
    const r = await validate('json');
    expect(r.code).toBe(1);
    expect(r.out).toContain('include-outside');
  });

  it('accepts a link that stays inside the mesh directory', async () => {
    mkdirSync(join(meshDir, 'shared'));
    cpSync(join(SPLIT, 'domains/risk.yaml'), join(meshDir, 'shared/risk.yaml'));
    linkRiskTo('../shared/risk.yaml');
    const r = await validate('text');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('says an included file that is not a mesh file is not one, without quoting it', async () => {
    rmSync(join(meshDir, 'domains/risk.yaml'));
    writeFileSync(join(meshDir, 'domains/risk.yaml'), readFileSync(join(base, 'outside.env')));
    const r = await validate('markdown');
    expect(r.code).toBe(1);
    expect(r.out).toContain('it is a string, not a mesh file');
    expect(r.out).not.toContain(MARKER);
  });
});

describe('in CI (GITHUB_WORKSPACE set)', () => {
  it('refuses a root mesh file whose real path is outside the checkout', async () => {
    writeFileSync(join(base, 'mesh.yaml'), readFileSync(join(SPLIT, 'mesh.yaml')));
    rmSync(join(meshDir, 'mesh.yaml'));
    symlinkSync(join(base, 'mesh.yaml'), join(meshDir, 'mesh.yaml'));
    const ci = await validate('json', { GITHUB_WORKSPACE: repo });
    expect((JSON.parse(ci.out) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code)).toEqual([
      'file-outside',
    ]);
    // Outside CI the user named the file: it is read (and its includes are then resolved next to the link).
    const local = await validate('json');
    expect(local.out).not.toContain('file-outside');
  });

  it('refuses a mesh file named outside the checkout', async () => {
    writeFileSync(join(base, 'mesh.yaml'), `apiVersion: ${MARKER}\n`);
    const ci = await validate('text', { GITHUB_WORKSPACE: repo }, join(base, 'mesh.yaml'));
    expect(ci.code).toBe(1);
    expect(ci.out).toContain('file-outside');
    expect(ci.out).not.toContain(MARKER);
  });

  it('refuses a rule file under ./policies that links outside the checkout', async () => {
    mkdirSync(join(repo, 'policies'));
    writeFileSync(join(base, 'rule.yaml'), `id: ${MARKER}\n`);
    symlinkSync(join(base, 'rule.yaml'), join(repo, 'policies/linked.yaml'));
    const io = captureIO(repo, {
      env: { NO_COLOR: '1', GITHUB_WORKSPACE: repo },
      now: new Date('2026-06-01T00:00:00Z'),
    });
    const code = await main(['validate', '--format', 'json', 'meshes/mesh.yaml'], io);
    expect(code).toBe(1);
    expect(io.out()).toContain('rule-file-unreadable');
    expect(io.out()).not.toContain(MARKER);
  });

  it('refuses the rule files of a ./policies folder that is itself a link leading outside the checkout', async () => {
    mkdirSync(join(base, 'elsewhere'));
    writeFileSync(join(base, 'elsewhere', 'db.yaml'), `id: ${MARKER}\n`);
    symlinkSync(join(base, 'elsewhere'), join(repo, 'policies'));
    for (const format of ['json', 'markdown']) {
      const io = captureIO(repo, {
        env: { NO_COLOR: '1', GITHUB_WORKSPACE: repo },
        now: new Date('2026-06-01T00:00:00Z'),
      });
      const code = await main(['validate', '--format', format, 'meshes/mesh.yaml'], io);
      expect(code).toBe(1);
      expect(io.out()).toContain('rule-file-unreadable');
      expect(io.out() + io.err()).not.toContain(MARKER);
    }
  });
});

describe('in CI, run from a working directory outside the checkout (reached through a link)', () => {
  it('confines the ./policies it finds there to the checkout as well', async () => {
    const outside = join(base, 'outside');
    cpSync(SPLIT, outside, { recursive: true });
    mkdirSync(join(outside, 'policies'));
    writeFileSync(join(outside, 'policies', 'db.yaml'), `id: ${MARKER}\n`);
    symlinkSync(outside, join(repo, 'sub'));
    // process.cwd() is the physical path, outside the checkout.
    const io = captureIO(outside, {
      env: { NO_COLOR: '1', GITHUB_WORKSPACE: repo },
      now: new Date('2026-06-01T00:00:00Z'),
    });
    const code = await main(['validate', '--format', 'json', 'mesh.yaml'], io);
    expect(code).toBe(1);
    expect(io.out()).toContain('rule-file-unreadable');
    expect(io.out() + io.err()).not.toContain(MARKER);
  });
});

describe('names that start with two dots', () => {
  it('an include called `..risk.yaml` at the top of the mesh directory is inside it', async () => {
    const mesh = readFileSync(join(meshDir, 'mesh.yaml'), 'utf8');
    cpSync(join(meshDir, 'domains/risk.yaml'), join(meshDir, '..risk.yaml'));
    rmSync(join(meshDir, 'domains/risk.yaml'));
    writeFileSync(join(meshDir, 'mesh.yaml'), mesh.replace('domains/risk.yaml', '..risk.yaml'));
    const r = await validate('json');
    expect(r.out).not.toContain('include-outside');
    expect(r.code).toBe(0);
  });
});

describe('fileReader', () => {
  it('returns a SourceReadError "outside" for an escaping include and "refused" for a directory', () => {
    linkRiskTo(join(base, 'outside.env'));
    const reader = fileReader({ cwd: repo });
    const outside = reader.read('meshes/domains/risk.yaml', 'meshes');
    expect(outside).toBeInstanceOf(SourceReadError);
    expect((outside as SourceReadError).reason).toBe('outside');
    expect((outside as SourceReadError).message).not.toContain(MARKER);
    const dir = reader.read('meshes/domains', 'meshes');
    expect((dir as SourceReadError).reason).toBe('refused');
    expect((dir as SourceReadError).message).toContain('directory');
    // Without a confinement (the root file outside CI) the same link is read.
    expect(reader.read('meshes/domains/risk.yaml')).toContain(MARKER);
  });
});

/**
 * `meshgov render` in-process: files written by account and kind, byte-for-byte deterministic, compared against the
 * committed golden directory (refresh with UPDATE_GOLDEN=1), JSON output, safe handling of the output directory.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parse as parseYaml } from 'yaml';

const GOLDEN = 'test/fixtures/render-golden';
const tmp = mkdtempSync(join(tmpdir(), 'meshgov-render-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function io(): CliIO & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    stdout: { write: (s: string) => void (o.out += s), isTTY: false },
    stderr: { write: (s: string) => void (o.err += s), isTTY: false },
    env: { NO_COLOR: '1' },
    cwd: process.cwd(),
    now: () => new Date('2026-11-26T12:00:00Z'),
  };
  return o;
}

async function run(...args: string[]) {
  const i = io();
  const code = await main(args, i);
  return { code, stdout: i.out, stderr: i.err };
}

/** Every file under `dir` (relative path -> bytes). */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('meshgov render --out', () => {
  it('writes the same bytes twice, and matches the golden directory', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    expect((await run('render', 'mesh.yaml', '--out', a)).code).toBe(0);
    expect((await run('render', 'mesh.yaml', '--out', b)).code).toBe(0);
    const ta = tree(a);
    expect(ta.size).toBeGreaterThan(20);
    expect(tree(b)).toEqual(ta);
    // Re-rendering into the same directory changes nothing.
    expect((await run('render', 'mesh.yaml', '--out', a)).code).toBe(0);
    expect(tree(a)).toEqual(ta);

    if (process.env['UPDATE_GOLDEN'] === '1') {
      rmSync(GOLDEN, { recursive: true, force: true });
      for (const [p, bytes] of ta) {
        mkdirSync(join(GOLDEN, p, '..'), { recursive: true });
        writeFileSync(join(GOLDEN, p), bytes);
      }
    }
    const golden = tree(GOLDEN);
    expect(
      [...ta.keys()],
      `golden file list differs; if the change is intended run UPDATE_GOLDEN=1 npx vitest run test/cli/render-cli.test.ts`,
    ).toEqual([...golden.keys()]);
    for (const [p, bytes] of ta)
      expect(bytes.toString('utf8'), `${p} differs from ${GOLDEN}`).toBe(golden.get(p)?.toString('utf8'));
  });

  it('removes only the files a previous render wrote and this one does not', async () => {
    const dir = join(tmp, 'stale');
    // The example without its fanout grant: the intermediary's policy file must go, nothing else of ours may stay.
    const text = readFileSync('mesh.yaml', 'utf8');
    const without = text.replace(/^ {6}- id: push-gateway-fans-out-notifications\n(?: {8}.*\n)+/m, '');
    expect(without).not.toBe(text);
    const smaller = join(tmp, 'smaller.yaml');
    writeFileSync(smaller, without);
    expect((await run('render', 'mesh.yaml', '--out', dir)).code).toBe(0);
    const gone = [...tree(dir).keys()].find((p) => p.includes('/fanout-policy/'));
    expect(gone).toBeDefined();
    writeFileSync(join(dir, 'NOTES.md'), 'mine');
    const r = await run('render', smaller, '--out', dir);
    expect(r.code, r.stdout).toBe(0);
    const after = tree(dir);
    expect(after.has(gone as string)).toBe(false);
    expect(existsSync(join(dir, '333333333333/iam/fanout-policy'))).toBe(false);
    expect(after.get('NOTES.md')?.toString()).toBe('mine');
    const manifest = JSON.parse(after.get('meshgov-render.json')?.toString() ?? '{}') as { files: string[] };
    expect(
      [...after.keys()].filter((p) => p !== 'NOTES.md' && p !== '.meshgov-render' && p !== 'meshgov-render.json'),
    ).toEqual(manifest.files);
  });

  it('refuses a non-empty directory it did not write, touching nothing', async () => {
    const dir = join(tmp, 'foreign');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'x');
    const r = await run('render', 'mesh.yaml', '--out', dir);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('not empty');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('writes nothing and exits 1 with located diagnostics for an invalid mesh', async () => {
    const dir = join(tmp, 'invalid');
    const r = await run('render', 'test/fixtures/malformed/unknown-key-typo.yaml', '--out', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unknown-key-typo\.yaml:\d+:\d+/);
    expect(existsSync(dir)).toBe(false);
  });

  it('says which part of --out is a file instead of a raw ENOTDIR', async () => {
    writeFileSync(join(tmp, 'plain-file'), 'x');
    const r = await run('render', 'mesh.yaml', '--out', join(tmp, 'plain-file', 'sub'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `meshgov: cannot write --out ${join(tmp, 'plain-file', 'sub')}: ${join(tmp, 'plain-file')} is a file, not a directory.\n`,
    );
    expect(r.stderr).not.toContain('ENOTDIR');
  });

  it('needs --out unless --format json', async () => {
    const r = await run('render', 'mesh.yaml');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--out');
  });
});

describe('meshgov render --format json', () => {
  it('prints one deterministic document with every artefact', async () => {
    const a = await run('render', 'mesh.yaml', '--format', 'json');
    const b = await run('render', 'mesh.yaml', '--format', 'json');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const doc = JSON.parse(a.stdout) as { accounts: { account: string; iam: unknown[] }[] };
    expect(doc.accounts.map((x) => x.account)).toEqual(['111111111111', '222222222222', '333333333333']);
  });

  it('prints diagnostics as JSON for an invalid mesh', async () => {
    const r = await run('render', 'test/fixtures/malformed/unknown-key-typo.yaml', '--format', 'json');
    expect(r.code).toBe(1);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
  });
});

describe('meshgov render --github-repo (drift-event templates, docs/events.md)', () => {
  const HUB = ['--events-account', '999999999999'];
  it('writes the hub template and the two templates of every account, and says once why they are missing', async () => {
    const dir = join(tmp, 'events');
    const r = await run('render', 'mesh.yaml', '--out', dir, '--github-repo', 'acme/mesh', ...HUB);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('drift-event templates not rendered');
    const events = [...tree(dir).keys()].filter((p) => p.includes('/events/'));
    expect(events).toEqual([
      ...['111111111111', '222222222222', '333333333333'].flatMap((a) => [
        `${a}/events/meshgov-drift-iam.template.json`,
        `${a}/events/meshgov-drift-kinesis.template.json`,
      ]),
      '999999999999/events/meshgov-drift-hub.template.json',
    ]);
    const t = JSON.parse(readFileSync(join(dir, events[1] as string), 'utf8')) as {
      Resources: Record<string, unknown>;
    };
    expect(Object.keys(t.Resources)).toContain('KinesisGovernanceChanges');
    // Re-rendering without the repository removes them (the marker lists them) and says why, once.
    const again = await run('render', 'mesh.yaml', '--out', dir);
    expect(again.code).toBe(0);
    expect(again.stderr.match(/drift-event templates not rendered/g)).toHaveLength(1);
    expect([...tree(dir).keys()].filter((p) => p.includes('/events/'))).toEqual([]);
  });

  it('adds driftEvents to --format json', async () => {
    const r = await run('render', 'mesh.yaml', '--format', 'json', '--github-repo', 'acme/mesh', ...HUB);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { driftEvents: { account: string; kind: string; region: string }[] };
    expect(doc.driftEvents.map((d) => `${d.account}/${d.kind}@${d.region}`)).toContain('222222222222/iam@us-east-1');
  });

  it.each(['acme', 'acme/../x', 'acme/mesh/dispatches?x=', '-x/y'])('refuses --github-repo %j (64)', async (repo) => {
    const dir = join(tmp, 'bad-repo');
    const r = await run('render', 'mesh.yaml', '--out', dir, '--github-repo', repo, ...HUB);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--github-repo');
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    ['12345678901', '--events-account'],
    ['1234567890123', '--events-account'],
    ['12345678901a', '--events-account'],
    ['', '--events-account'],
  ])('refuses --events-account %j (64)', async (id, says) => {
    const dir = join(tmp, 'bad-hub');
    const r = await run('render', 'mesh.yaml', '--out', dir, '--github-repo', 'acme/mesh', '--events-account', id);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(says);
    expect(existsSync(dir)).toBe(false);
  });

  it('without --events-account the hub is the home account (the first declared); --events-account alone is 64', async () => {
    const r = await run('render', 'mesh.yaml', '--format', 'json', '--github-repo', 'acme/mesh');
    expect(r.code).toBe(0);
    const home = (parseYaml(readFileSync('mesh.yaml', 'utf8')) as { accounts: { id: string }[] }).accounts[0]?.id;
    const files = (JSON.parse(r.stdout) as { driftEvents: { account: string; kind: string }[] }).driftEvents;
    expect(files.filter((f) => f.kind === 'hub').map((f) => f.account)).toEqual([home]);
    const alone = await run('render', 'mesh.yaml', '--format', 'json', ...HUB);
    expect(alone.code).toBe(64);
    expect(alone.stderr).toContain('--events-account needs --github-repo');
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { runValidation } from '../../src/cli/validation.js';
import { meshYaml, position } from './helpers.js';

// ajv-draft-04 is CommonJS with a default export; under NodeNext the class sits on .default.
const AjvDraft04 = ((AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ??
  AjvDraft04Module) as unknown as typeof AjvDraft04Module.default;
type AjvDraft04 = InstanceType<typeof AjvDraft04>;
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const REPO = resolve(new URL('../..', import.meta.url).pathname);
const FIXTURES = join(REPO, 'test/fixtures/rules');

function fakeIO(cwd: string, day = '2026-06-01'): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => void (out += s), isTTY: false },
    stderr: { write: (s: string) => void (err += s), isTTY: false },
    env: {},
    cwd,
    now: () => new Date(`${day}T12:00:00Z`),
    out: () => out,
    err: () => err,
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'meshgov-rules-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A repo with a failing mesh in a subdirectory: an unencrypted internal stream without schema, and a waived one. */
function failingRepo(): string {
  const dir = mkdtempSync(join(tmp, 'repo-'));
  mkdirSync(join(dir, 'meshes'));
  const text = meshYaml({
    streams:
      '      - name: payments.plain.v1\n        classification: internal\n        retentionHours: 48\n        capacity: { mode: on-demand }\n        encryption: { type: NONE }',
    waivers:
      'waivers:\n  - { rule: domain-description-required, target: domain/payments, justification: Being written in DOC-7., expires: 2026-12-31 }',
    paymentsDescription: false,
  });
  writeFileSync(join(dir, 'meshes/prod.yaml'), text);
  return dir;
}

describe('validate with guardrail rules', () => {
  it('the example mesh.yaml passes the default pack (one documented waiver)', () => {
    const io = fakeIO(REPO, '2026-11-26');
    const r = runValidation('mesh.yaml', io);
    expect(r.ok).toBe(true);
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.waivedBy !== undefined])).toEqual([
      ['provisioned-stream-declares-throughput', true],
    ]);
    expect(r.ruleMeta.size).toBeGreaterThanOrEqual(15);
  });

  it('findings appear in text and json output with file:line:column', async () => {
    const dir = failingRepo();
    const text = readFileSync(join(dir, 'meshes/prod.yaml'), 'utf8');
    const io = fakeIO(dir);
    expect(await main(['validate', 'meshes/prod.yaml'], io)).toBe(1);
    expect(io.out()).toContain(`meshes/prod.yaml:${position(text, 'type: NONE', 'NONE')}  error`);
    const jio = fakeIO(dir);
    await main(['validate', 'meshes/prod.yaml', '--format', 'json'], jio);
    expect(jio.out()).toContain('stream-schema-reference-required');
  });

  it('SARIF output validates against the official SARIF 2.1.0 schema, with rule metadata and repo-relative paths', async () => {
    const dir = failingRepo();
    const text = readFileSync(join(dir, 'meshes/prod.yaml'), 'utf8');
    const io = fakeIO(dir);
    expect(await main(['validate', 'meshes/prod.yaml', '--format', 'sarif'], io)).toBe(1);
    interface SarifResult {
      ruleId: string;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[];
      suppressions?: unknown[];
    }
    const log = JSON.parse(io.out()) as {
      runs: { tool: { driver: { rules: Record<string, unknown>[] } }; results: SarifResult[] }[];
    };
    // The official SARIF 2.1.0 (rtm.5) JSON Schema, draft-04, as shipped by Microsoft's @microsoft/jest-sarif.
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    (addFormats as unknown as (a: AjvDraft04) => void)(ajv);
    const validate = ajv.compile(
      JSON.parse(
        readFileSync(join(REPO, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
      ),
    );
    expect(validate(log) ? [] : validate.errors).toEqual([]);

    const run = log.runs[0]!;
    const kms = run.tool.driver.rules.find((r) => r['id'] === 'stream-encryption-kms-required');
    expect(kms).toMatchObject({
      shortDescription: { text: 'Streams are KMS-encrypted unless their classification allows plaintext' },
      defaultConfiguration: { level: 'error' },
      helpUri: expect.stringMatching(/^https:\/\//),
    });
    expect(String((kms?.['fullDescription'] as { text: string }).text)).toContain('classification requires encryption');
    const waivedRule = run.tool.driver.rules.find((r) => r['id'] === 'domain-description-required');
    expect(waivedRule).toMatchObject({ defaultConfiguration: { level: 'note' } });

    for (const res of run.results) {
      expect(res.locations[0]?.physicalLocation.artifactLocation.uri).toBe('meshes/prod.yaml');
    }
    const kmsResult = run.results.find((r) => r.ruleId === 'stream-encryption-kms-required')!;
    const [line, col] = position(text, 'type: NONE', 'NONE').split(':').map(Number);
    expect(kmsResult.locations[0]?.physicalLocation.region).toMatchObject({ startLine: line, startColumn: col });
    const waived = run.results.find((r) => r.ruleId === 'domain-description-required')!;
    expect(waived.level).toBe('note');
    expect(waived.suppressions).toEqual([{ kind: 'inSource', justification: 'Being written in DOC-7.' }]);
  });

  it('SARIF URIs are relative to the repository root when validate runs in a subdirectory', async () => {
    const repo = failingRepo();
    mkdirSync(join(repo, '.git'));
    const io = fakeIO(join(repo, 'meshes'));
    expect(await main(['validate', 'prod.yaml', '--format', 'sarif'], io)).toBe(1);
    const uris = (
      JSON.parse(io.out()) as {
        runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
      }
    ).runs[0]!.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri);
    expect(new Set(uris)).toEqual(new Set(['meshes/prod.yaml']));
  });

  it('--policies adds user rules; a malformed rule file is reported in that file, not a crash', async () => {
    const dir = failingRepo();
    const io = fakeIO(dir);
    expect(await main(['validate', 'meshes/prod.yaml', '--policies', join(FIXTURES, 'custom')], io)).toBe(1);
    expect(io.out()).toContain('stream-description-required');

    const bio = fakeIO(REPO, '2026-11-26');
    expect(await main(['validate', 'mesh.yaml', '--policies', 'test/fixtures/rules/broken'], bio)).toBe(1);
    const broken = readFileSync(join(FIXTURES, 'broken/grant-expiry-too-far.yaml'), 'utf8');
    expect(bio.out()).toContain(
      `test/fixtures/rules/broken/grant-expiry-too-far.yaml:${position(broken, 'requried', 'requried')}  error  The requirement is not a valid JSON Schema`,
    );
    expect(bio.out()).toMatch(/test\/fixtures\/rules\/broken\/not-yaml\.yaml:\d+:\d+ +error/);
    expect(bio.err()).toBe('');
  });

  it('--policies with a missing directory is a usage error', async () => {
    const io = fakeIO(REPO);
    expect(await main(['validate', 'mesh.yaml', '--policies', 'no/such/dir'], io)).toBe(64);
    expect(io.err()).toContain('--policies no/such/dir: not a directory');
  });
});

describe('meshgov rules', () => {
  it('list --format json documents every active rule', async () => {
    const io = fakeIO(REPO);
    expect(await main(['rules', 'list', '--format', 'json'], io)).toBe(0);
    const data = JSON.parse(io.out()) as { rules: { id: string; severity: string; appliesTo: string; file: string }[] };
    expect(data.rules.length).toBeGreaterThanOrEqual(15);
    expect(data.rules.find((r) => r.id === 'grant-expiry-within-one-year')).toMatchObject({
      severity: 'error',
      appliesTo: 'grant',
      file: 'policies/grant-expiry-within-one-year.yaml',
    });
  });

  it('list (text) includes rules from --policies', async () => {
    const io = fakeIO(REPO);
    expect(await main(['rules', 'list', '--policies', 'test/fixtures/rules/custom'], io)).toBe(0);
    expect(io.out()).toMatch(/^stream-description-required +rule +error +stream +Every stream is described$/m);
  });

  it('list (text): every column starts where its header does', async () => {
    const io = fakeIO(REPO);
    expect(await main(['rules', 'list'], io)).toBe(0);
    const [header, ...rows] = io
      .out()
      .split('\n')
      .filter((l) => l !== '' && !/^\d+ rules and \d+ audit checks\./.test(l));
    const starts = ['KIND', 'SEVERITY', 'APPLIES', 'TITLE'].map((h) => (header as string).indexOf(h));
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const row of rows) {
      // Each cell starts at its header's column, after at least two spaces.
      for (const at of starts)
        expect([row.slice(at - 2, at), row[at]], row).toEqual(['  ', expect.stringMatching(/\S/)]);
    }
  });

  it('list and explain show control characters from a rule file visibly, never raw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-rules-hostile-'));
    writeFileSync(
      join(dir, 'evil-rule.yaml'),
      [
        'id: evil-rule',
        'title: "Bell\\a and \\e[2J clear \\u202Eright-to-left\\x9b2J and\\nnew line"',
        'description: "ESC \\e]0;title\\a"',
        'severity: warning',
        'appliesTo: stream',
        'requirement:',
        '  required: [description]',
        'message: "Stream `{{name}}` \\e[8mhidden"',
        '',
      ].join('\n'),
    );
    for (const args of [
      ['rules', 'list', '--policies', dir],
      ['rules', 'explain', 'evil-rule', '--policies', dir],
    ]) {
      const io = fakeIO(REPO);
      expect(await main(args, io)).toBe(0);
      expect(io.out()).not.toMatch(/[^\P{Cc}\t\n]|[\u202a-\u202e\u2066-\u2069]/u);
      expect(io.out()).toContain('<U+001B>[2J clear <U+202E>right-to-left<U+009B>2J');
    }
    const list = fakeIO(REPO);
    await main(['rules', 'list', '--policies', dir], list);
    // The line break in the title does not start a line of its own in the table.
    expect(list.out()).toMatch(/^evil-rule +rule +warning +stream +Bell<U\+0007> and .* and new line$/m);
  });

  it('explain ID prints the rule, its parameters and how to configure it', async () => {
    const io = fakeIO(REPO);
    expect(await main(['rules', 'explain', 'readers-per-stream-limit'], io)).toBe(0);
    expect(io.out()).toContain('max (integer, default 10; lower is stricter)');
    expect(io.out()).toContain('readers-per-stream-limit: { severity: warning, params: { max: 10 } }');
  });

  it('list shows both kinds: the rules, then the audit checks (text and JSON)', async () => {
    const json = fakeIO(REPO);
    expect(await main(['rules', 'list', '--format', 'json'], json)).toBe(0);
    const data = JSON.parse(json.out()) as {
      rules: { id: string; kind: string; severity: string; appliesTo?: string; helpUrl?: string }[];
    };
    expect(data.rules.find((r) => r.id === 'undeclared-consumer')).toEqual({
      id: 'undeclared-consumer',
      kind: 'audit',
      title: 'A registered enhanced fan-out consumer no grant declares',
      severity: 'error',
      helpUrl: 'https://github.com/meshgov/meshgov/blob/main/docs/audit.md#unauthorized-access',
    });
    expect(data.rules.find((r) => r.id === 'readers-per-stream-limit')).toMatchObject({
      kind: 'rule',
      appliesTo: 'stream',
    });
    const kinds = data.rules.map((r) => r.kind);
    expect(kinds.filter((k) => k === 'audit')).toHaveLength(29);
    expect(kinds.indexOf('audit')).toBe(kinds.lastIndexOf('rule') + 1);
    const text = fakeIO(REPO);
    expect(await main(['rules', 'list'], text)).toBe(0);
    expect(text.out()).toMatch(
      /^hot-shard +audit +warning +live +A shard reached the configured share of its write limit/m,
    );
    expect(text.out()).toMatch(/^\d+ rules and 29 audit checks\./m);
  });

  it('explain works for an audit check', async () => {
    const io = fakeIO(REPO);
    expect(await main(['rules', 'explain', 'undeclared-consumer'], io)).toBe(0);
    expect(io.out()).toContain('Kind:       audit');
    expect(io.out()).toContain('Severity:   error');
    expect(io.out()).toContain('undeclared-consumer: { severity: error }');
    expect(io.out()).toContain('- { rule: undeclared-consumer, target: stream/NAME');
    const typo = fakeIO(REPO);
    expect(await main(['rules', 'explain', 'undeclared-consumr'], typo)).toBe(64);
    expect(typo.err()).toContain('Did you mean `undeclared-consumer`?');
  });

  it('explain of an unknown id exits 64 with a suggestion', async () => {
    const io = fakeIO(REPO);
    expect(await main(['rules', 'explain', 'readers-per-stream-limt'], io)).toBe(64);
    expect(io.err()).toContain('Did you mean `readers-per-stream-limit`?');
  });
});

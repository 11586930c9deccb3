/** The library entry point (src/index.ts) from source: what it exports, and the rule-directory loader's guards. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('library entry point', () => {
  it('exports the public functions and schemas', () => {
    for (const name of [
      'validateMesh',
      'loadMesh',
      'renderMesh',
      'computePlan',
      'parsePlan',
      'meshDigest',
      'changeSetDigest',
      'loadRules',
      'runRules',
      'validateWithRules',
      'builtinRules',
      'loadRuleDir',
      'renderPlan',
      'renderPlanText',
    ])
      expect(api, name).toHaveProperty(name, expect.any(Function));
    expect(api.fsReader.read).toEqual(expect.any(Function));
    // The exported schemas are the published files, byte for byte.
    expect(`${JSON.stringify(api.meshSchema, null, 2)}\n`).toBe(
      readFileSync(join(REPO, 'schema', 'mesh.schema.json'), 'utf8'),
    );
    expect(`${JSON.stringify(api.domainFileSchema, null, 2)}\n`).toBe(
      readFileSync(join(REPO, 'schema', 'domain.schema.json'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(join(REPO, 'schema', 'plan.schema.json'), 'utf8'))).toEqual(api.PLAN_SCHEMA);
    expect(api.VERSION).toBe(
      (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });

  it('builtinRules loads every file of policies/ without problems', () => {
    const r = api.builtinRules();
    expect(r.diagnostics).toEqual([]);
    const files = readdirSync(join(REPO, 'policies')).filter((n) => /\.ya?ml$/.test(n));
    expect(r.value.map((rule) => `${rule.id}.yaml`).sort()).toEqual(files.sort());
  });

  it('loadRuleDir reports a missing directory and a broken rule file as diagnostics, never a throw', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-rules-'));
    const missing = api.loadRuleDir(join(dir, 'nope'));
    expect(missing.value).toEqual([]);
    expect(missing.diagnostics.map((d) => [d.code, d.severity])).toEqual([['rule-file-unreadable', 'error']]);
    expect(missing.diagnostics[0]?.message).toContain(join(dir, 'nope'));

    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'broken.yaml'), 'id: [unclosed\n');
    mkdirSync(join(dir, 'rules', 'dir.yaml'));
    const broken = api.loadRuleDir(join(dir, 'rules'));
    expect(broken.value).toEqual([]);
    const byFile = broken.diagnostics.map((d) => [d.file, d.severity]);
    expect(byFile).toContainEqual([join(dir, 'rules', 'broken.yaml'), 'error']);
    expect(byFile).toContainEqual([join(dir, 'rules', 'dir.yaml'), 'error']);
  });
});

/**
 * The malformed-file suite: every file under test/fixtures/malformed/ is validated and must produce exactly the
 * diagnostics listed here (code, line, column; the file when the diagnostic is in an included file; optionally a
 * message fragment). The expectations are written by hand from the fixture text, never derived from the code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsReader } from '../../src/adapters/fs/reader.js';
import type { SourceReader } from '../../src/core/model/load.js';
import { MAX_TOTAL_ITEMS } from '../../src/core/model/load.js';
import { MAX_ITEMS, MAX_SOURCE_BYTES } from '../../src/core/source/source.js';
import { validateMesh } from '../../src/core/validate.js';

const DIR = 'test/fixtures/malformed';
const TODAY = '2026-06-01';

interface Expected {
  code: string;
  line: number;
  column: number;
  severity?: 'error' | 'warning';
  /** Relative to DIR; defaults to the fixture itself. */
  file?: string;
  /** A fragment the message must contain (what to change). */
  says?: string;
}

const e = (code: string, line: number, column: number, extra: Partial<Expected> = {}): Expected => ({
  code,
  line,
  column,
  ...extra,
});

/** Fixture file name -> the exact diagnostics it must produce. */
const TABLE: Record<string, Expected[]> = {
  // YAML and file level
  'yaml-unclosed-flow.yaml': [e('yaml-syntax', 27, 19, { says: 'This `{` is never closed' })],
  'yaml-bad-indent.yaml': [e('yaml-syntax', 15, 11)],
  'yaml-tab-indent.yaml': [
    e('yaml-syntax', 16, 1, { says: 'indent with spaces' }),
    e('yaml-syntax', 16, 9),
    e('yaml-syntax', 18, 1),
  ],
  'yaml-multiple-documents.yaml': [e('yaml-syntax', 38, 1, { says: 'single YAML document' })],
  'yaml-duplicate-key-top.yaml': [e('yaml-duplicate-key', 7, 1, { says: 'Duplicate key `mesh`' })],
  'yaml-duplicate-key-nested.yaml': [e('yaml-duplicate-key', 27, 9, { says: '`retentionHours`' })],
  'yaml-custom-tag.yaml': [
    e('yaml-warning', 26, 25, { severity: 'warning' }),
    e('schema-type', 26, 32, { says: 'must be an integer' }),
  ],
  'yaml-complex-key.yaml': [e('yaml-complex-key', 5, 5, { says: 'plain strings' })],
  'alias-bomb.yaml': [e('yaml-alias-bomb', 3, 8)],
  'deep-flow.yaml': [e('yaml-too-deep', 3, 73)],
  'deep-block.yaml': [e('yaml-too-deep', 67, 131)],
  'binary-garbage.yaml': [e('file-not-text', 1, 3)],
  'invalid-utf8.yaml': [e('file-not-text', 3, 18, { says: 'save it as UTF-8' })],
  'empty.yaml': [e('file-empty', 1, 1)],
  'comment-only.yaml': [e('file-empty', 1, 1)],
  'top-level-list.yaml': [e('schema-type', 2, 1, { says: 'it is a list' })],
  'top-level-scalar.yaml': [e('schema-type', 2, 1, { says: 'it is a string' })],
  'null-document.yaml': [e('schema-type', 3, 1, { says: 'empty (null)' })],
  'proto-key.yaml': [e('schema-unknown-key', 14, 1, { says: '`__proto__`' })],
  'bom.yaml': [e('schema-const', 1, 13, { says: '`meshgov/v1`' })],
  'crlf.yaml': [
    e('schema-range', 26, 25, { says: '>= 24' }),
    e('schema-missing-key', 33, 9, { says: '`pattern`' }),
    e('schema-unknown-key', 37, 9, { says: 'Did you mean `pattern`?' }),
  ],
  'crlf-bom-syntax.yaml': [e('yaml-syntax', 27, 19)],

  // Schema: types, keys, values
  'wrong-types.yaml': [
    e('schema-type', 3, 9, { says: '`mesh.name` must be a string, not a list' }),
    e('schema-type', 16, 12, { says: 'must be an integer, not a string. Use a whole number' }),
    e('schema-type', 22, 15, { says: 'must be a list' }),
    e('schema-type', 26, 25, { says: 'Remove the quotes' }),
    e('schema-type', 27, 19, { says: 'must be a mapping' }),
  ],
  'wrong-types-top-level.yaml': [
    e('schema-const', 1, 13, { says: '`meshgov/v1`' }),
    e('schema-type', 2, 7, { says: '`mesh` must be a mapping, not a string' }),
    e('schema-type', 3, 11, { says: '`accounts` must be a list, not a number' }),
    e('schema-type', 4, 18, { says: '`classifications` must be a list, not a mapping' }),
    e('schema-type', 5, 10, { says: '`domains` must be a list' }),
    e('schema-type', 6, 9, { says: '`grants` must be a list, not null' }),
  ],
  'unknown-key-typo.yaml': [
    e('schema-missing-key', 24, 9, { says: '`retentionHours`' }),
    e('schema-unknown-key', 26, 9, { says: 'Did you mean `retentionHours`?' }),
  ],
  'unknown-key-top.yaml': [e('schema-unknown-key', 19, 1, { says: 'Did you mean `domains`?' })],
  'unknown-key-grant.yaml': [e('schema-unknown-key', 38, 9, { says: 'Did you mean `justification`?' })],
  'missing-required-key.yaml': [e('schema-missing-key', 3, 3, { says: 'missing the required key `region`' })],
  'missing-required-grant-key.yaml': [e('schema-missing-key', 29, 9, { says: '`access`' })],
  'account-id-unquoted.yaml': [e('schema-type', 11, 9, { says: 'Put it in quotes: "222222222222"' })],
  'account-id-leading-zero-unquoted.yaml': [e('schema-type', 11, 9, { says: '"022222222222"' })],
  'account-id-11-digits.yaml': [e('schema-pattern', 11, 9, { says: '12-digit' })],
  'stream-name-space.yaml': [e('schema-pattern', 24, 15)],
  'stream-name-too-long.yaml': [e('schema-pattern', 24, 15)],
  'retention-below-24.yaml': [e('schema-range', 26, 25, { says: '>= 24' })],
  'retention-above-8760.yaml': [e('schema-range', 26, 25, { says: '<= 8760' })],
  'provisioned-without-shards.yaml': [e('schema-missing-key', 27, 19, { says: '`shards`' })],
  'on-demand-with-shards.yaml': [e('schema-not-allowed', 27, 38, { says: 'only provisioned streams have shards' })],
  'producer-with-pattern.yaml': [e('schema-not-allowed', 33, 9, { says: 'producers have no consumer settings' })],
  'enum-typo.yaml': [e('schema-enum', 37, 18, { says: 'Did you mean `replay`?' })],
  'filter-empty-patterns.yaml': [e('schema-size', 40, 21)],
  'date-not-calendar.yaml': [e('schema-format', 38, 18)],

  // Semantic checks
  'retention-outside-classification.yaml': [
    e('retention-outside-classification', 26, 25, { says: 'requires 24..720 h' }),
  ],
  'unknown-stream-reference.yaml': [e('ref-unknown-stream', 34, 17, { says: 'Did you mean `payments.orders.v1`?' })],
  'unknown-classification.yaml': [e('ref-unknown-classification', 25, 25, { says: 'Did you mean `internal`?' })],
  'unknown-domain-account.yaml': [e('ref-unknown-account', 22, 16, { says: 'not declared under `accounts`' })],
  'unknown-principal-account.yaml': [e('ref-unknown-principal-account', 35, 31, { says: '`external: true`' })],
  'stream-account-required.yaml': [e('ref-stream-account-required', 24, 9)],
  'duplicate-stream.yaml': [
    e('duplicate-stream', 42, 15, { says: 'already declared at test/fixtures/malformed/duplicate-stream.yaml:24' }),
  ],
  'duplicate-grant.yaml': [e('duplicate-grant', 39, 9, { says: 'duplicate-grant.yaml:33' })],
  'duplicate-consumer.yaml': [e('duplicate-consumer', 44, 19, { says: 'duplicate-consumer.yaml:38' })],
  'external-without-justification.yaml': [e('grant-external-justification', 38, 19, { says: 'add a `justification`' })],
  'cross-region-grant.yaml': [e('grant-cross-region', 38, 17)],
  'efo-consumer-limit.yaml': [e('efo-consumer-limit', 53, 149, { says: '21 enhanced fan-out consumers' })],
  'too-many-tags.yaml': [e('stream-too-many-tags', 24, 15, { says: 'would carry 52 tags' })],
  'reserved-tag-key.yaml': [e('tag-reserved-key', 30, 11, { says: '`meshgov:owner`' })],
  'reserved-tag-key-case.yaml': [e('tag-reserved-key', 29, 11), e('tag-reserved-key', 30, 11)],
  'mesh-reserved-tag.yaml': [e('tag-reserved-key', 8, 5)],
  'consumer-tags-reserved.yaml': [
    e('tag-reserved-key', 37, 11, { says: 'consumer tag `MeshGov:consume:222222222222:other`' }),
    e('tag-reserved-key', 38, 11),
  ],
  'consumer-tags-not-efo.yaml': [
    e('schema-not-allowed', 34, 9, { says: 'and `pattern: filtered` grants with a `consumer` have a consumer to tag' }),
  ],
  'consumer-not-efo-or-filtered.yaml': [
    e('schema-not-allowed', 34, 9, { says: 'only `pattern: efo` and `pattern: filtered` grants name' }),
  ],
  'filtered-consumer-tags-without-consumer.yaml': [
    e('schema-not-allowed', 34, 9, { says: '`pattern: filtered` grants with a `consumer` have a consumer to tag' }),
  ],
  'duplicate-consumer-filtered.yaml': [
    e('duplicate-consumer', 44, 19, { says: 'duplicate-consumer-filtered.yaml:38' }),
  ],
  'filter-non-data-key.yaml': [e('filter-pattern-invalid', 41, 15, { says: 'only match the `data` key' })],
  'filter-too-many.yaml': [e('filter-too-many', 41, 13, { says: 'set `maxFilters: 10`' })],
  'filter-pattern-too-long.yaml': [e('filter-pattern-too-long', 42, 15, { says: 'Lambda allows 4096' })],
  'filter-bad-operator.yaml': [e('filter-pattern-invalid', 41, 32, { says: 'unknown filter operator `contains`' })],
  'filter-numeric-misuse.yaml': [e('filter-pattern-invalid', 42, 37, { says: '`numeric` takes' })],
  'filter-empty-list.yaml': [e('filter-pattern-invalid', 42, 23, { says: 'empty list' })],
  'filter-whole-account.yaml': [e('grant-filtered-needs-role', 35, 20, { says: 'execution role' })],
  'grant-expired.yaml': [e('grant-expired', 38, 18, { severity: 'warning', says: 'Renew `expires`' })],
  'waiver-expired.yaml': [e('waiver-expired', 42, 14, { says: 'renew the waiver' })],

  // Includes
  'include-missing.yaml': [e('include-unreadable', 39, 5, { says: 'missing-domain.yaml' })],
  'include-escape.yaml': [e('include-outside', 40, 5)],
  'include-absolute.yaml': [e('include-outside', 39, 5)],
  'include-schema-error.yaml': [
    e('schema-missing-key', 7, 9, { file: 'parts/schema-error.domain.yaml', says: '`capacity`' }),
    e('schema-unknown-key', 10, 9, { file: 'parts/schema-error.domain.yaml', says: 'Did you mean `capacity`?' }),
  ],
  'include-semantic-error.yaml': [
    e('ref-unknown-stream', 12, 17, {
      file: 'parts/semantic-error.domain.yaml',
      says: 'Did you mean `risk.scores.v1`?',
    }),
  ],
  'include-yaml-error.yaml': [
    e('yaml-syntax', 3, 12, { file: 'parts/yaml-error.domain.yaml', says: 'add the matching `}`' }),
  ],

  // Nothing that could widen an IAM policy passes through an identifier
  'inject-role-wildcard.yaml': [e('schema-pattern', 35, 53, { says: 'IAM role name' })],
  'inject-role-arn.yaml': [e('schema-pattern', 35, 53, { says: 'not an ARN' })],
  'inject-role-path-wildcard.yaml': [e('schema-pattern', 35, 53)],
  'inject-role-policy-variable.yaml': [e('schema-pattern', 35, 53)],
  'inject-role-whitespace.yaml': [e('schema-pattern', 35, 53)],
  'inject-stream-name.yaml': [e('schema-pattern', 24, 15)],
  'inject-grant-stream.yaml': [e('schema-pattern', 34, 17)],
  'inject-grant-id.yaml': [e('schema-pattern', 33, 13)],
  'inject-consumer-name.yaml': [e('schema-pattern', 38, 19)],
  'inject-account-id.yaml': [e('schema-pattern', 35, 31)],
  'inject-account-id-arn.yaml': [e('schema-pattern', 35, 31)],
  'inject-principal-path.yaml': [e('schema-pattern', 35, 72, { says: 'no wildcards' })],
  'inject-governance-role.yaml': [e('schema-pattern', 6, 11)],
  'inject-schema-ref.yaml': [e('schema-pattern', 28, 17)],
  'inject-tag.yaml': [
    e('schema-key-pattern', 29, 11, { says: 'no spaces or wildcards' }),
    e('schema-pattern', 30, 18),
    e('schema-key-pattern', 31, 11),
  ],
};

function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((n) => n.endsWith('.yaml'))
    .sort();
}

function shape(file: string, ds: { file: string; line: number; column: number; code: string; severity: string }[]) {
  return ds.map((d) => ({
    file: d.file === file ? '' : d.file,
    code: d.code,
    line: d.line,
    column: d.column,
    severity: d.severity,
  }));
}

describe('malformed fixtures', () => {
  it('has at least 45 fixtures and a table entry for every one', () => {
    const names = fixtureNames();
    expect(names.length).toBeGreaterThanOrEqual(45);
    expect(names.filter((n) => !(n in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((n) => !names.includes(n))).toEqual([]);
  });

  it.each(Object.entries(TABLE))('%s', (name, expected) => {
    const file = join(DIR, name);
    const result = validateMesh(file, fsReader, { today: TODAY });
    const want = expected.map((x) => ({
      file: x.file === undefined ? '' : join(DIR, x.file),
      code: x.code,
      line: x.line,
      column: x.column,
      severity: x.severity ?? 'error',
    }));
    expect(shape(file, result.diagnostics)).toEqual(want);
    expected.forEach((x, i) => {
      if (x.says !== undefined) expect(result.diagnostics[i]?.message).toContain(x.says);
    });
    expect(result.ok).toBe(!expected.some((x) => (x.severity ?? 'error') === 'error'));
  });
});

describe('hostile input generated in memory', () => {
  const reader = (text: string): SourceReader => ({ read: () => text });

  it('rejects a file over the size limit at 1:1 without parsing it', () => {
    const huge = `apiVersion: meshgov/v1\n${'# padding line for a huge file\n'.repeat(Math.ceil(MAX_SOURCE_BYTES / 30) + 1)}`;
    const r = validateMesh('huge.yaml', reader(huge), { today: TODAY });
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['file-too-large', 1, 1]]);
    expect(r.diagnostics[0]?.message).toContain('include:');
  });

  it('rejects a file of millions of tiny items before parsing it, where the limit is crossed', () => {
    const text = `apiVersion: meshgov/v1\nx:\n${'- x\n'.repeat(MAX_ITEMS)}`;
    const r = validateMesh('items.yaml', reader(text), { today: TODAY });
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['file-too-many-items', MAX_ITEMS + 1, 4]]);
    expect(r.diagnostics[0]?.message).toContain('include:');
  });

  it('stops reading includes once all files together exceed the item budget', () => {
    const part = '#\n'.repeat(MAX_ITEMS - 10_000);
    const root = `${readFileSync(join(DIR, 'include-missing.yaml'), 'utf8').replace(/include:\n.*\n/, '')}include:\n  - a.yaml\n  - b.yaml\n  - c.yaml\n  - d.yaml\n`;
    const files: Record<string, string> = {
      'root.yaml': root,
      'a.yaml': part,
      'b.yaml': part,
      'c.yaml': part,
      'd.yaml': part,
    };
    const r = validateMesh('root.yaml', { read: (f) => files[f] ?? new Error('no such file') }, { today: TODAY });
    const includeLine = root.split('\n').indexOf('  - d.yaml') + 1;
    expect(Math.ceil(MAX_TOTAL_ITEMS / MAX_ITEMS)).toBe(4);
    expect(r.diagnostics.map((d) => [d.file, d.code, d.line, d.column])).toEqual([
      ['a.yaml', 'file-empty', 1, 1],
      ['b.yaml', 'file-empty', 1, 1],
      ['c.yaml', 'file-empty', 1, 1],
      ['root.yaml', 'include-too-large', includeLine, 5],
    ]);
  });

  it('locates a 2 MB scalar on its own line', () => {
    const base = readFileSync(join(DIR, 'retention-below-24.yaml'), 'utf8').replace(
      'retentionHours: 23',
      'retentionHours: 24',
    );
    const text = base.replace(
      '        classification: internal\n',
      `        description: ${'x'.repeat(2 * 1024 * 1024)}\n        classification: internal\n`,
    );
    const r = validateMesh('long.yaml', reader(text), { today: TODAY });
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['schema-size', 25, 22]]);
  });

  it('reports a long comment header followed by content quickly (no regex backtracking)', () => {
    const text = `${'# header comment\n'.repeat(200)}apiVersion: [\n`;
    const r = validateMesh('header.yaml', reader(text), { today: TODAY });
    expect(r.diagnostics[0]?.code).toBe('yaml-syntax');
    expect(r.diagnostics[0]?.line).toBeGreaterThanOrEqual(201);
  });

  it('reports an unreadable root file at 1:1', () => {
    const r = validateMesh('nowhere.yaml', { read: () => new Error('permission denied') }, { today: TODAY });
    expect(r.diagnostics.map((d) => [d.code, d.line, d.column, d.message])).toEqual([
      ['file-unreadable', 1, 1, 'Cannot read nowhere.yaml: permission denied'],
    ]);
  });
});

describe('compliant: a filtered grant with its own EFO consumer', () => {
  it('validates clean (the error fixtures above, fixed)', () => {
    const text = readFileSync(join(DIR, 'filtered-consumer-tags-without-consumer.yaml'), 'utf8').replace(
      '        consumerTags: { team: risk }\n',
      '        consumer: risk-filter-efo\n        consumerTags: { team: risk }\n',
    );
    expect(text).toContain('consumer: risk-filter-efo');
    const r = validateMesh('filtered-efo.yaml', { read: () => text }, { today: TODAY });
    expect(r.diagnostics).toEqual([]);
  });
});

/**
 * Generators of hostile or simply huge inputs, one per row of docs/limits.md. Shared by the tiered test
 * (test/scale/hostile-input.slow.test.ts: each finishes with a located error) and by bench/hostile.ts (wall time and
 * peak RSS of the built CLI on each). Each case writes its files into a directory and names the file to validate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What a case must end with: the first diagnostic's code and where it is (file relative to the case directory). */
export interface Expected {
  code: string;
  file: string;
  line: number;
  column: number;
  /** Total diagnostics, when the case is about their number. */
  count?: number;
  /** Files whose diagnostics were capped (one `diagnostics-truncated` entry each). */
  truncated?: number;
}

export interface HostileCase {
  /** Short id, e.g. `keys-50k`. */
  id: string;
  /** The limit this case crosses, as named in docs/limits.md. */
  limit: string;
  /** What the input is, in a few words. */
  input: string;
  /** Write the files; returns the argument to validate (relative to `dir`, or an absolute path such as /dev/zero). */
  write(dir: string): string;
  expected: Expected;
}

const MIB = 1024 * 1024;

/** A valid root mesh with two accounts (no include:), the base of most cases. */
export const ROOT = `apiVersion: meshgov/v1
mesh:
  name: hostile
  region: eu-west-1
  governanceRole: { name: meshgov-governance }
accounts:
  - { id: "111111111111", alias: a-prod, environment: prod }
  - { id: "222222222222", alias: b-prod, environment: prod }
classifications:
  - name: internal
    level: 1
    retention: { minHours: 24, maxHours: 720 }
    encryption: aws-managed
domains:
  - name: payments
    owner: { team: payments, contact: payments@example.com }
    accounts: ["111111111111"]
    streams:
      - name: payments.orders.v1
        classification: internal
        retentionHours: 48
        capacity: { mode: on-demand }
`;

/** Lines of ROOT before `domains:` (1-based line of `domains:`). */
const ROOT_DOMAINS_LINE = ROOT.split('\n').indexOf('domains:') + 1;

function put(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return name;
}

/** ROOT with `include:` entries inserted before `domains:`. */
function rootWithIncludes(names: readonly string[]): string {
  return ROOT.replace('domains:\n', `include:\n${names.map((n) => `  - ${n}\n`).join('')}domains:\n`);
}

/** A valid domain file of one domain without streams. */
function emptyDomain(name: string): string {
  return `domains:\n  - name: ${name}\n    owner: { team: ${name}, contact: ${name}@example.com }\n    accounts: ["222222222222"]\n`;
}

/** A domain file of `grants` grants of one role to streams that do not exist. */
function grantsToMissingStreams(domain: string, grants: number): string {
  const lines = [
    `domains:\n  - name: ${domain}\n    owner: { team: ${domain}, contact: ${domain}@example.com }\n    accounts: ["222222222222"]\n    grants:\n`,
  ];
  for (let i = 0; i < grants; i++) {
    lines.push(
      `      - { id: ${domain}-g-${i}, stream: missing.stream-${i}.v1, principal: { account: "222222222222", role: reader }, access: consume, pattern: replay }\n`,
    );
  }
  return lines.join('');
}

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    id: 'size-33mib',
    limit: 'file size (32 MiB)',
    input: 'a 33 MiB mesh file (comments)',
    write: (dir) =>
      put(
        dir,
        'mesh.yaml',
        `${ROOT}${'# padding to make the file larger than the limit\n'.repeat(Math.ceil((33 * MIB) / 49))}`,
      ),
    expected: { code: 'file-too-large', file: 'mesh.yaml', line: 1, column: 1 },
  },
  {
    id: 'dev-zero',
    limit: 'regular files only',
    input: '/dev/zero as the mesh file',
    write: () => '/dev/zero',
    expected: { code: 'file-unreadable', file: '/dev/zero', line: 1, column: 1 },
  },
  {
    id: 'depth-flow',
    limit: 'nesting depth (64)',
    input: '1,000,000 nested `[`',
    write: (dir) => put(dir, 'mesh.yaml', `apiVersion: meshgov/v1\nx: ${'['.repeat(1_000_000)}\n`),
    expected: { code: 'yaml-too-deep', file: 'mesh.yaml', line: 2, column: 4 + 64 },
  },
  {
    id: 'depth-block',
    limit: 'nesting depth (64)',
    input: '1,000 nested block mappings',
    write: (dir) =>
      put(
        dir,
        'mesh.yaml',
        `apiVersion: meshgov/v1\n${Array.from({ length: 1000 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('')}`,
      ),
    expected: { code: 'yaml-too-deep', file: 'mesh.yaml', line: 2 + 65, column: 131 },
  },
  {
    id: 'alias-bomb',
    limit: 'aliases resolved (1,000)',
    input: 'billion laughs: 9 levels of 9 aliases',
    write: (dir) => {
      const levels = 'abcdefghi'.split('');
      const lines = [
        `apiVersion: meshgov/v1`,
        `${levels[0]}: &${levels[0]} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`,
      ];
      for (let i = 1; i < levels.length; i++)
        lines.push(
          `${levels[i]}: &${levels[i]} [${Array(9)
            .fill(`*${levels[i - 1]}`)
            .join(', ')}]`,
        );
      return put(dir, 'mesh.yaml', `${lines.join('\n')}\n`);
    },
    expected: { code: 'yaml-alias-bomb', file: 'mesh.yaml', line: 3, column: 8 },
  },
  {
    id: 'items-600k',
    limit: 'lines and list items per file (600,000)',
    input: '600,001 list items in one file',
    write: (dir) => put(dir, 'mesh.yaml', `${ROOT}x:\n${'- x\n'.repeat(600_001)}`),
    // ROOT and `x:` hold 30 newlines and commas on 24 lines: item 600,001 ends list entry 599,971, on line 599,995.
    expected: { code: 'file-too-many-items', file: 'mesh.yaml', line: 599_995, column: 4 },
  },
  {
    id: 'items-total',
    limit: 'lines and list items per mesh (2,000,000)',
    input: '4 includes of 590,000 comment lines',
    write: (dir) => {
      const names = ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml'];
      names.forEach((n, i) => put(dir, n, `${emptyDomain(`p${i}`)}${'#\n'.repeat(590_000)}`));
      return put(dir, 'mesh.yaml', rootWithIncludes(names));
    },
    expected: { code: 'include-too-large', file: 'mesh.yaml', line: ROOT_DOMAINS_LINE + 4, column: 5 },
  },
  {
    id: 'includes-1001',
    limit: 'files per mesh (1,000)',
    input: '1,001 include entries',
    write: (dir) => {
      const names = Array.from({ length: 1001 }, (_, i) => `d/${i}.yaml`);
      names.forEach((n, i) => put(dir, n, emptyDomain(`d${i}`)));
      return put(dir, 'mesh.yaml', rootWithIncludes(names));
    },
    // At the list under `include:` (which takes the place of `domains:`; its first entry is on the next line).
    expected: { code: 'include-too-many', file: 'mesh.yaml', line: ROOT_DOMAINS_LINE + 1, column: 3 },
  },
  {
    id: 'keys-50k',
    limit: 'diagnostics per file (1,000)',
    input: '50,000 unknown keys in one mapping',
    write: (dir) =>
      put(
        dir,
        'mesh.yaml',
        ROOT.replace(
          'mesh:\n',
          `mesh:\n${Array.from({ length: 50_000 }, (_, i) => `  unknownKey${i}: ${i}\n`).join('')}`,
        ),
      ),
    expected: { code: 'schema-unknown-key', file: 'mesh.yaml', line: 3, column: 3, count: 1001, truncated: 1 },
  },
  {
    id: 'scalar-20mb',
    limit: 'scalar length (schema maxLength; file size)',
    input: 'a 20 MB description',
    write: (dir) =>
      put(
        dir,
        'mesh.yaml',
        ROOT.replace(
          '    owner: { team: payments',
          `    description: ${'x'.repeat(20_000_000)}\n    owner: { team: payments`,
        ),
      ),
    expected: { code: 'schema-size', file: 'mesh.yaml', line: ROOT_DOMAINS_LINE + 2, column: 18 },
  },
  {
    id: 'grants-100k',
    limit: 'diagnostics per file (1,000)',
    input: '100,000 grants to missing streams in 10 includes',
    write: (dir) => {
      const names = Array.from({ length: 10 }, (_, i) => `domains/d${i}.yaml`);
      names.forEach((n, i) => put(dir, n, grantsToMissingStreams(`d${i}`, 10_000)));
      return put(dir, 'mesh.yaml', rootWithIncludes(names));
    },
    // The first grant's `stream:` value: `      - { id: d0-g-0, stream: ` is 30 characters.
    expected: { code: 'ref-unknown-stream', file: 'domains/d0.yaml', line: 6, column: 31, truncated: 10 },
  },
];

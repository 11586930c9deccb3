/**
 * Synthetic mesh generator for benchmarks and large-mesh tests. Deterministic for a given size and seed.
 * Produces a valid mesh.yaml (as text) with `domains` domains, one account per `domainsPerAccount` domains,
 * `streamsPerDomain` streams each, and `grantsPerStream` grants per stream (one producer, the rest consumers of
 * mixed patterns: replay, efo, filtered, fanout, cross-account where the principal lives in another domain).
 */
import { xorshift32 } from '../test/support/xorshift.js';

export interface GenerateOptions {
  domains: number;
  streamsPerDomain: number;
  /** Grants per stream, >= 1 (the first is the producer). */
  grantsPerStream: number;
  /** Domains sharing one account (default 1: one account per domain). */
  domainsPerAccount?: number;
  /** Seed for the pseudo-random choices (default 1). */
  seed?: number;
  /**
   * Guardrail-clean (default false): stream names follow the built-in naming convention (`domain-N.stream-S.v1`),
   * domains have descriptions, provisioned streams declare throughput and grants carry a justification, so the
   * built-in rule pack reports nothing, like a mesh that passes CI. Off, the output is unchanged from earlier versions.
   */
  clean?: boolean;
  /**
   * Every `externalEvery`-th stream (of each domain) also gets a consume grant for a partner role in an account
   * outside the mesh (`external: true`, with a justification and an expiry). Off (0) by default.
   */
  externalEvery?: number;
}

/** The account of the partner principals `externalEvery` adds: outside the mesh and its organisation. */
export const EXTERNAL_ACCOUNT = '999999999999';

export function accountId(i: number): string {
  return String(100000000000 + i * 1111);
}

export function generateMesh(o: GenerateOptions): string {
  return generateMeshFiles(o, false).get('mesh.yaml') as string;
}

/**
 * The same mesh as files: with `split`, `mesh.yaml` holds the mesh, accounts and classifications and includes one
 * file per domain (`domains/domain-N.yaml`), the layout a large mesh is kept in; without, `mesh.yaml` alone (what
 * generateMesh returns). Both describe the same mesh.
 */
export function generateMeshFiles(o: GenerateOptions, split = true): Map<string, string> {
  const files = new Map<string, string>();
  const rand = xorshift32(o.seed ?? 1);
  const perAccount = o.domainsPerAccount ?? 1;
  const nAccounts = Math.ceil(o.domains / perAccount);
  const streamName = (d: number, s: number) => (o.clean ? `domain-${d}.stream-${s}.v1` : `d${d}.stream-${s}.v1`);
  let out: string[] = [];
  out.push('# yaml-language-server: $schema=./schema/mesh.schema.json');
  out.push('apiVersion: meshgov/v1');
  out.push(
    'mesh:',
    '  name: generated-mesh',
    '  region: eu-west-1',
    '  organizationId: o-generated01',
    '  governanceRole:',
    '    name: meshgov-governance',
  );
  out.push('accounts:');
  for (let a = 0; a < nAccounts; a++)
    out.push(`  - id: "${accountId(a)}"`, `    alias: account-${a}`, '    environment: prod');
  out.push('classifications:');
  out.push(
    '  - name: internal',
    '    level: 1',
    '    retention: { minHours: 24, maxHours: 720 }',
    '    encryption: aws-managed',
  );
  out.push(
    '  - name: confidential',
    '    level: 2',
    '    retention: { minHours: 24, maxHours: 2160 }',
    '    encryption: aws-managed',
  );
  const root = out;
  if (split) root.push('include:');
  else root.push('domains:');
  for (let d = 0; d < o.domains; d++) {
    const acct = accountId(Math.floor(d / perAccount));
    if (split) {
      const file = `domains/domain-${d}.yaml`;
      root.push(`  - ${file}`);
      if (d > 0) files.set(`domains/domain-${d - 1}.yaml`, `${out.join('\n')}\n`);
      out = ['apiVersion: meshgov/v1', 'domains:'];
    }
    out.push(`  - name: domain-${d}`);
    if (o.clean) out.push(`    description: Synthetic domain ${d}.`);
    out.push(
      `    owner: { team: team-${d}, contact: team-${d}@example.com }`,
      `    accounts: ["${acct}"]`,
      '    streams:',
    );
    for (let s = 0; s < o.streamsPerDomain; s++) {
      const onDemand = rand() < 0.3;
      out.push(`      - name: ${streamName(d, s)}`);
      out.push(`        classification: ${rand() < 0.5 ? 'internal' : 'confidential'}`);
      out.push(`        retentionHours: ${[24, 48, 168][Math.floor(rand() * 3)]}`);
      out.push(
        onDemand
          ? '        capacity: { mode: on-demand }'
          : `        capacity: { mode: provisioned, shards: ${1 + Math.floor(rand() * 4)} }`,
      );
      if (o.clean && !onDemand) out.push('        throughput: { writeMiBPerSecond: 0.5, writeRecordsPerSecond: 500 }');
      out.push(`        schema: https://schemas.example.com/d${d}/stream-${s}.json`);
    }
    out.push('    grants:');
    for (let s = 0; s < o.streamsPerDomain; s++) {
      const stream = streamName(d, s);
      out.push(
        `      - id: d${d}-s${s}-producer`,
        `        stream: ${stream}`,
        `        principal: { account: "${acct}", role: domain-${d}-producer }`,
        '        access: produce',
      );
      if (o.clean) out.push('        justification: The domain service writes its own stream.');
      for (let g = 1; g < o.grantsPerStream; g++) {
        const other = Math.floor(rand() * o.domains);
        const pAcct = accountId(Math.floor(other / perAccount));
        const kind = g % 4;
        // Clean: one reader role per (domain, grant kind, quarter of the source domains), so no role collects more
        // EFO consumers than fit its managed policy (6,144 characters).
        const role = o.clean ? `domain-${other}-reader-${g}-q${d % 4}` : `domain-${other}-reader-${g}`;
        out.push(
          `      - id: d${d}-s${s}-g${g}`,
          `        stream: ${stream}`,
          `        principal: { account: "${pAcct}", role: ${role} }`,
          '        access: consume',
        );
        if (o.clean) out.push(`        justification: Domain ${other} reads stream ${s} of domain ${d}.`);
        if (kind === 1) out.push('        pattern: efo', `        consumer: ${role}`);
        else if (kind === 2)
          out.push(
            '        pattern: filtered',
            '        filter:',
            `          function: d${other}-filter-${g}`,
            '          patterns:',
            '            - data: { type: ["order"] }',
          );
        else if (kind === 3) out.push('        pattern: fanout', '        fanout: { target: appsync }');
        else out.push('        pattern: replay');
      }
      if (o.externalEvery && s % o.externalEvery === 0) {
        out.push(
          `      - id: d${d}-s${s}-partner`,
          `        stream: ${stream}`,
          `        principal: { account: "${EXTERNAL_ACCOUNT}", role: partner-${d}-${s} }`,
        );
        out.push(
          '        access: consume',
          '        pattern: replay',
          '        external: true',
          '        expires: 2027-06-30',
        );
        out.push(`        justification: Partner contract P-${d}-${s} reads stream ${s} of domain ${d}.`);
      }
    }
  }
  if (split && o.domains > 0) files.set(`domains/domain-${o.domains - 1}.yaml`, `${out.join('\n')}\n`);
  files.set('mesh.yaml', `${(split ? root : out).join('\n')}\n`);
  return files;
}

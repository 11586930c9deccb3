/**
 * renderMesh as a whole: least privilege by construction over every artefact of the example mesh, determinism,
 * expiry, and located diagnostics for limits that splitting cannot meet.
 */
import { describe, expect, it } from 'vitest';
import { generateMesh } from '../../bench/generate-mesh.js';
import type { Grant, Mesh } from '../../src/core/model/types.js';
import { renderMesh } from '../../src/core/render/index.js';
import type { DesiredState, PolicyDocument, PolicyStatement } from '../../src/core/render/types.js';
import { loadFile, loadText } from '../proof/load.js';
import { A, B, aGrant, aMesh, aPrincipal, aStream } from './builders.js';

const TODAY = '2026-11-26';
const example = loadFile('mesh.yaml', TODAY);

interface Located {
  where: string;
  statement: PolicyStatement;
}
function allStatements(state: DesiredState): Located[] {
  const out: Located[] = [];
  for (const a of state.accounts) {
    for (const s of a.streams)
      for (const st of s.resourcePolicy?.Statement ?? []) out.push({ where: `stream-policy:${s.name}`, statement: st });
    for (const c of a.consumers)
      for (const st of c.resourcePolicy?.Statement ?? [])
        out.push({ where: `consumer-policy:${c.name}`, statement: st });
    for (const i of a.iam) {
      if (i.kind === 'event-source-mapping') continue;
      for (const st of (i.document as PolicyDocument).Statement)
        out.push({ where: `${i.kind}:${i.name}`, statement: st });
    }
  }
  return out;
}
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());
const ADMIN =
  /^kinesis:(AddTags|RemoveTags|TagResource|UntagResource|PutResourcePolicy|DeleteResourcePolicy|UpdateShardCount|UpdateStreamMode|EnableEnhancedMonitoring|DisableEnhancedMonitoring|ListStreams$|DeleteStream|CreateStream|RegisterStreamConsumer|DeregisterStreamConsumer|Increase|Decrease|Merge|Split|Start|Stop)/;

describe('renderMesh on the example mesh: least privilege by construction', () => {
  const { value: state, diagnostics } = renderMesh(example.mesh, { today: TODAY, locator: example.locator });
  const statements = allStatements(state);

  it('renders without diagnostics, one account entry per mesh account', () => {
    expect(diagnostics).toEqual([]);
    expect(state.accounts.map((a) => a.account)).toEqual(example.mesh.accounts.map((a) => a.id));
    expect(statements.length).toBeGreaterThan(20);
  });

  it('has no `*` principal and no `kinesis:*` action anywhere', () => {
    for (const { where, statement: s } of statements) {
      expect(JSON.stringify(s.Principal ?? {}), where).not.toMatch(/"\*"/);
      if (s.Effect !== 'Allow' || where.startsWith('permissions-boundary')) continue; // a boundary grants nothing
      for (const a of list(s.Action)) expect(a, where).not.toMatch(/^(kinesis:)?\*$/);
    }
  });

  it('uses Resource "*" only for unscopable actions on the governance role, KCL metrics and the boundary', () => {
    const star = statements
      .filter(({ statement: s }) => s.Effect === 'Allow' && list(s.Resource).includes('*'))
      .map(({ where, statement: s }) => `${where.split(':')[0]}/${s.Sid}`);
    // In a key policy `Resource: "*"` means the key itself (the advisory KMS key-policy statements).
    expect([...new Set(star)].sort()).toEqual([
      'governance-policy/CheckPolicies',
      // Lambda: ListEventSourceMappings has no resource type; CreateEventSourceMapping is narrowed by
      // lambda:FunctionArn.
      'governance-policy/CreateEventSourceMappings',
      'governance-policy/ReadEventSourceMappings',
      'governance-policy/ReadOrganization',
      'governance-policy/UnscopableReads',
      'governance-policy/UnscopableStreamActions',
      'identity-policy/KclMetrics',
      'kms-key-policy-statements/MeshgovConsumers',
      'permissions-boundary/BoundaryAllowsIdentityPolicies',
    ]);
  });

  it('gives admin, tagging and resource-policy actions to the governance role only', () => {
    for (const { where, statement: s } of statements) {
      if (s.Effect !== 'Allow' || where.startsWith('governance-policy') || where.startsWith('permissions-boundary'))
        continue;
      for (const a of list(s.Action)) expect(a, `${where} ${s.Sid}`).not.toMatch(ADMIN);
    }
  });

  it('gives producers write actions only, consumers read actions only', () => {
    for (const { where, statement: s } of statements) {
      if (s.Sid === 'Produce')
        for (const a of list(s.Action))
          expect(a, where).toMatch(/^kinesis:(DescribeStreamSummary|ListShards|PutRecords?)$/);
      if (['Consume', 'LambdaDescribe', 'EfoConsumers', 'FanoutRead'].includes(s.Sid))
        for (const a of list(s.Action)) expect(a, where).not.toMatch(/^kinesis:Put/);
    }
  });

  it('is deterministic and independent of declaration order', () => {
    const again = renderMesh(example.mesh, { today: TODAY }).value;
    expect(JSON.stringify(again)).toBe(JSON.stringify(state));
    const shuffled: Mesh = { ...example.mesh, grants: [...example.mesh.grants].reverse() };
    expect(JSON.stringify(renderMesh(shuffled, { today: TODAY }).value)).toBe(JSON.stringify(state));
  });

  it("renders the filtered grant's event source mapping and the fanout intermediary's policy", () => {
    const iam = state.accounts.flatMap((a) => a.iam);
    const esm = iam.find((i) => i.kind === 'event-source-mapping');
    expect(esm?.document).toMatchObject({
      FunctionName: 'risk-high-score-alerts',
      StartingPosition: 'LATEST',
      BatchSize: 100,
    });
    expect((esm?.document as { FilterCriteria: { Filters: unknown[] } }).FilterCriteria.Filters).toHaveLength(2);
    const fanout = iam.find((i) => i.kind === 'fanout-policy');
    expect(fanout?.roleName).toBe('push-gateway');
    expect((fanout?.document as PolicyDocument).Statement[0]?.Resource).toBe(
      'arn:aws:kinesis:eu-west-1:333333333333:stream/customer.notifications.v1',
    );
  });
});

describe('expiry', () => {
  it('drops expired grants from tags, resource policies, identity policies and consumers', () => {
    const { value } = renderMesh(example.mesh, { today: '2027-10-01' }); // every grant with an expiry has expired
    const json = JSON.stringify(value);
    for (const g of example.mesh.grants.filter((x) => x.expires !== undefined))
      expect(json, g.id).not.toContain(`"${g.id}"`);
    expect(value.accounts.flatMap((a) => a.consumers)).toEqual([]);
    expect(json).not.toContain('meshgov:consume:222222222222:fraud-scorer');
    expect(json).toContain('meshgov:produce:222222222222:fraud-scorer');
  });
});

describe('limits that splitting cannot meet', () => {
  it('reports a stream with more than 50 tags at the stream, located', () => {
    const loaded = loadText('small.yaml', generateMesh({ domains: 1, streamsPerDomain: 1, grantsPerStream: 2 }), TODAY);
    const extra: Grant[] = Array.from({ length: 50 }, (_, i) => ({
      ...(loaded.mesh.grants[1] as Grant),
      id: `extra-${i}`,
      principal: { ...(loaded.mesh.grants[1] as Grant).principal, role: `extra-${i}` },
    }));
    const mesh: Mesh = { ...loaded.mesh, grants: [...loaded.mesh.grants, ...extra] };
    const { diagnostics } = renderMesh(mesh, { today: TODAY, locator: loaded.locator });
    expect(diagnostics.map((d) => d.code)).toEqual(['render-too-many-tags']);
    const d = diagnostics[0]!;
    expect(d.severity).toBe('error');
    expect(d.file).toBe('small.yaml');
    expect(d.line).toBeGreaterThan(1);
    expect(d.message).toContain('d0.stream-0.v1');
  });

  it('splits a large identity policy into numbered managed policies', () => {
    const streams = Array.from({ length: 120 }, (_, i) =>
      aStream({ name: `s-${String(i).padStart(3, '0')}`, account: A }),
    );
    const grants = streams.map((s) =>
      aGrant({
        id: `g-${s.name}`,
        stream: s.name,
        access: 'consume',
        pattern: 'efo',
        consumerName: 'reader-with-a-long-consumer-name',
        principal: aPrincipal({ account: B, role: 'r' }),
      }),
    );
    const { value, diagnostics } = renderMesh(aMesh({ streams, grants }), { today: TODAY });
    expect(diagnostics).toEqual([]);
    const names = value.accounts
      .flatMap((a) => a.iam)
      .filter((i) => i.kind === 'identity-policy')
      .map((i) => i.name);
    expect(names.length).toBeGreaterThan(1);
    expect(names).toEqual(names.map((_, i) => `meshgov-r-${i + 1}`));
  });

  it('reports a role that would need more than 10 managed policies, at its first grant', () => {
    const streams = Array.from({ length: 1000 }, (_, i) =>
      aStream({ name: `stream-${String(i).padStart(4, '0')}`, account: A }),
    );
    const grants = streams.map((s) =>
      aGrant({
        id: `g-${s.name}`,
        stream: s.name,
        access: 'consume',
        pattern: 'efo',
        consumerName: 'reader-with-a-long-consumer-name',
        principal: aPrincipal({ account: B, role: 'r' }),
      }),
    );
    const { diagnostics } = renderMesh(aMesh({ streams, grants }), { today: TODAY });
    expect(diagnostics.map((d) => d.code)).toEqual(['render-identity-policy-too-large']);
    expect(diagnostics[0]?.path).toEqual(['grants', expect.any(Number), 'principal']);
    expect(diagnostics[0]?.message).toContain('`r`');
  });
});

describe('managed policy names', () => {
  it("reports a role whose policy name would clash with meshgov's own", () => {
    const grants = [aGrant({ id: 'clash', principal: aPrincipal({ role: 'governance' }) })];
    const { diagnostics } = renderMesh(aMesh({ grants }), { today: TODAY });
    expect(diagnostics.map((d) => d.code)).toEqual(['render-policy-name-clash']);
    expect(diagnostics[0]?.message).toContain('`meshgov-governance`');
  });
});

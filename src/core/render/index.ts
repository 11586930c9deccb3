/**
 * renderMesh: the desired state of a mesh, per account. Pure and deterministic: same mesh and `today` in, same
 * value out. Expired grants (expires < today) are not rendered. Size limits that cannot be met by splitting come
 * back as located diagnostics (errors); the value is still returned so callers can show what did fit.
 */
import { efoConsumerOf, readsThroughConsumer } from '../model/grant-consumer.js';
import type { Diagnostic, DocPath, Result } from '../diagnostics/diagnostic.js';
import { compareDiagnostics } from '../diagnostics/diagnostic.js';
import { MAX_TAGS_PER_RESOURCE, grantsByStream, sortedRecord } from '../model/governance-tags.js';
import type { Grant, Mesh, Principal, SourceRef, Stream } from '../model/types.js';
import { sortStrings } from '../sort.js';
import { Locator } from '../source/locator.js';
import { consumerArnOf, principalArnCache, streamArn } from './arn.js';
import { eventSourceMappingName, filteredGrantMapping } from './event-source-mapping.js';
import { fanoutPolicy, fanoutPolicyName } from './fanout-policy.js';
import { activeGrants } from './grants.js';
import { GUARD_BOUNDARY_NAME, GUARD_SCP_NAME, guardBoundary, guardScp } from './guard.js';
import { governanceStatements, POLICY_PREFIX, READ_ONLY_POLICY_NAME, readOnlyStatements } from './governance-policy.js';
import { identityStatements, principalRoles } from './identity-policy.js';
import { customerKey, keyPolicyArtefacts } from './kms.js';
import type { KeyScope } from './kms.js';
import { MAX_SCP_CHARS, MAX_TRUST_POLICY_CHARS, packStatements, partNames, policySize } from './limits.js';
import type { PolicyStatement } from './types.js';
import { consumerResourcePolicy, streamResourcePolicy } from './resource-policy.js';
import { governanceTrustPolicy, readOnlyTrustPolicy } from './trust-policy.js';
import { consumerTagEntries, desiredStreamTagEntries } from './tags.js';
import type { DesiredAccount, DesiredConsumer, DesiredState, DesiredStream, IamArtefact } from './types.js';

export interface RenderOptions {
  /** Today as YYYY-MM-DD (UTC): grants that expired before it are not rendered. */
  today: string;
  /** Maps entity `at` refs to file:line:column; without it diagnostics point at line 1 of the entity's file. */
  locator?: Locator;
}

type Report = (at: SourceRef, sub: DocPath, code: string, message: string) => void;

export function renderMesh(mesh: Mesh, opts: RenderOptions): Result<DesiredState> {
  const locator = opts.locator ?? new Locator(new Map());
  const diagnostics: Diagnostic[] = [];
  const report: Report = (at, sub, code, message) => diagnostics.push(locator.at(at, sub, code, 'error', message));
  const active = activeGrants(mesh, opts.today);
  const streams = new Map<string, Stream>();
  for (const s of mesh.streams) streams.set(s.name, s);
  const rendered = active.filter((g) => streams.has(g.stream));

  const accounts: DesiredAccount[] = mesh.accounts.map((a) => ({ account: a.id, streams: [], consumers: [], iam: [] }));
  const byId = new Map(accounts.map((a) => [a.account, a]));

  // Each stream's ARN is named by its own entry, its policy, its consumers, mappings and fan-out policies: built
  // once here so they all share one string (50,000 grants each naming their stream's ARN add up).
  const arns = new Map<string, string>();
  const principalArnOf = principalArnCache(mesh.partition);
  const perStream = grantsByStream(rendered);
  for (const stream of mesh.streams) {
    const arn = streamArn(mesh, stream.account, stream.name);
    arns.set(stream.name, arn);
    byId
      .get(stream.account)
      ?.streams.push(desiredStream(mesh, stream, arn, perStream.get(stream.name) ?? [], principalArnOf, report));
  }
  for (const g of rendered) {
    const stream = streams.get(g.stream) as Stream;
    const arn = arns.get(g.stream) as string;
    if (readsThroughConsumer(g))
      byId.get(stream.account)?.consumers.push(desiredConsumer(mesh, stream, arn, g, principalArnOf, report));
    if (g.principal.external || g.principal.role === undefined) continue;
    const grantee = byId.get(g.principal.account);
    if (grantee === undefined) continue;
    const roleName = g.principal.role;
    const filtered = filteredGrantMapping(mesh, stream, g, arn);
    if (filtered) {
      (grantee.mappings ??= []).push(filtered.mapping);
      grantee.iam.push({
        kind: 'event-source-mapping',
        account: g.principal.account,
        name: eventSourceMappingName(g),
        roleName,
        grantIds: [g.id],
        document: filtered.esm,
      });
    }
    if (g.access === 'consume' && g.pattern === 'fanout') {
      grantee.iam.push({
        kind: 'fanout-policy',
        account: g.principal.account,
        name: fanoutPolicyName(g),
        roleName,
        grantIds: [g.id],
        document: fanoutPolicy(mesh, stream, g, arn),
      });
    }
  }
  for (const role of principalRoles(mesh, rendered)) {
    const statements = identityStatements(mesh, role, streams);
    if (statements.length === 0) continue;
    const grantIds = role.grants.filter((g) => !(g.access === 'consume' && g.pattern === 'fanout')).map((g) => g.id);
    const first = role.grants[0] as Grant;
    const parts = pack(statements, `${POLICY_PREFIX}${role.role}`, (msg) =>
      report(
        first.at,
        ['principal'],
        'render-identity-policy-too-large',
        `Role \`${role.role}\` in ${role.account} cannot get its meshgov policies: ${msg}. Split its grants across roles.`,
      ),
    );
    const a = byId.get(role.account);
    for (const [name, document] of parts)
      a?.iam.push({ kind: 'identity-policy', account: role.account, name, roleName: role.role, grantIds, document });
  }
  for (const art of keyPolicyArtefacts(mesh, rendered)) byId.get(art.account)?.iam.push(art);
  const keysByAccount = new Map<string, KeyScope[]>();
  for (const stream of mesh.streams) {
    const key = customerKey(mesh, stream);
    if (key === undefined) continue;
    const keys = keysByAccount.get(stream.account);
    if (keys) keys.push(key);
    else keysByAccount.set(stream.account, [key]);
  }
  for (const a of accounts) governanceArtefacts(mesh, a, keysByAccount.get(a.account) ?? [], report);
  if (mesh.organizationId !== undefined && accounts[0] !== undefined) {
    const scp = guardScp(mesh);
    if (policySize(scp) > MAX_SCP_CHARS)
      report(
        mesh.at,
        ['mesh', 'governanceRole'],
        'render-guard-scp-too-large',
        `The tag-tampering guard SCP is ${policySize(scp)} characters; Organizations allows ${MAX_SCP_CHARS}. Shorten the governance role's name or path.`,
      );
    accounts[0].iam.push({
      kind: 'guard-scp',
      account: accounts[0].account,
      name: GUARD_SCP_NAME,
      grantIds: [],
      document: scp,
    });
  }
  // Grants by id, built only when a name clashes (rare): it would hold every grant of the mesh.
  let renderedById: Map<string, Grant> | undefined;
  const grantById = (id: string) => (renderedById ??= new Map(rendered.map((g) => [g.id, g]))).get(id);
  for (const a of accounts) reportNameClashes(a, grantById, report);
  for (const a of accounts) sortAccount(a);
  const value: DesiredState = { mesh: mesh.name, region: mesh.region, partition: mesh.partition, accounts };
  if (mesh.organizationId !== undefined) value.organizationId = mesh.organizationId;
  return { value, diagnostics: diagnostics.sort(compareDiagnostics) };
}

function pack(
  statements: PolicyStatement[],
  base: string,
  onProblem: (msg: string) => void,
): [string, IamArtefact['document']][] {
  const packed = packStatements(statements);
  if (packed.problem !== undefined) onProblem(packed.problem);
  const names = partNames(base, packed.parts.length);
  return packed.parts.map((d, i) => [names[i] as string, d]);
}

function desiredStream(
  mesh: Mesh,
  stream: Stream,
  arn: string,
  streamGrants: readonly Grant[],
  principalArnOf: (p: Principal) => string,
  report: Report,
): DesiredStream {
  const entries = desiredStreamTagEntries(mesh, stream, streamGrants);
  const count = entries.size;
  if (count > MAX_TAGS_PER_RESOURCE) {
    report(
      stream.at,
      [],
      'render-too-many-tags',
      `Stream \`${stream.name}\` needs ${count} tags (its own, the mesh's, governance and one per grantee); Kinesis allows at most ${MAX_TAGS_PER_RESOURCE}. Reduce its tags or grant whole accounts instead of individual roles.`,
    );
  }
  const d: DesiredStream = {
    name: stream.name,
    arn,
    account: stream.account,
    region: mesh.region,
    domain: stream.domain,
    mode: stream.capacity.mode,
    ...(stream.capacity.shards === undefined ? {} : { shards: stream.capacity.shards }),
    ...(stream.capacity.autoscaling === undefined
      ? {}
      : { autoscaling: { min: stream.capacity.autoscaling.min, max: stream.capacity.autoscaling.max } }),
    retentionHours: stream.retentionHours,
    encryption:
      stream.encryption.keyId === undefined
        ? { type: stream.encryption.type }
        : { type: stream.encryption.type, keyId: stream.encryption.keyId },
    enhancedMonitoring: stream.enhancedMonitoring.includes('ALL')
      ? ['ALL']
      : sortStrings([...new Set(stream.enhancedMonitoring)]),
    tags: sortedRecord(entries),
    deletionProtection: stream.deletionProtection,
  };
  const policy = streamResourcePolicy(mesh, stream, streamGrants, arn, principalArnOf);
  if (policy) d.resourcePolicy = policy;
  return d;
}

function desiredConsumer(
  mesh: Mesh,
  stream: Stream,
  arn: string,
  grant: Grant,
  principalArnOf: (p: Principal) => string,
  report: Report,
): DesiredConsumer {
  const name = efoConsumerOf(grant) as string;
  const entries = consumerTagEntries(mesh, stream, grant);
  if (entries.size > MAX_TAGS_PER_RESOURCE) {
    report(
      grant.at,
      ['consumer'],
      'render-too-many-tags',
      `Consumer \`${name}\` on \`${stream.name}\` needs ${entries.size} tags; Kinesis allows at most ${MAX_TAGS_PER_RESOURCE}. Reduce the mesh tags.`,
    );
  }
  const c: DesiredConsumer = {
    stream: stream.name,
    streamArn: arn,
    account: stream.account,
    name,
    arnPattern: consumerArnOf(arn, name),
    grantId: grant.id,
    tags: sortedRecord(entries),
  };
  const policy = consumerResourcePolicy(mesh, stream, grant, arn, principalArnOf);
  if (policy) c.resourcePolicy = policy;
  return c;
}

/** `keys`: the customer-managed keys of the account's streams (see accountStreamKeys). */
function governanceArtefacts(mesh: Mesh, a: DesiredAccount, keys: readonly KeyScope[], report: Report): void {
  const roleName = mesh.governanceRole.name;
  const at: SourceRef = { file: mesh.at.file, path: [...mesh.at.path, 'mesh', 'governanceRole'] };
  const parts = pack(governanceStatements(mesh, a.account, a.mappings, keys), `${POLICY_PREFIX}governance`, (msg) =>
    report(
      at,
      [],
      'render-governance-policy-too-large',
      `The governance role in ${a.account} cannot get its policy: ${msg}.`,
    ),
  );
  for (const [name, document] of parts)
    a.iam.push({ kind: 'governance-policy', account: a.account, name, roleName, grantIds: [], document });
  const trust = governanceTrustPolicy(mesh, a.account);
  if (trust) {
    if (policySize(trust) > MAX_TRUST_POLICY_CHARS)
      report(
        at,
        [],
        'render-trust-policy-too-large',
        `The governance role's trust policy in ${a.account} is ${policySize(trust)} characters; IAM allows ${MAX_TRUST_POLICY_CHARS}.`,
      );
    a.iam.push({
      kind: 'trust-policy',
      account: a.account,
      name: `${roleName}-trust`,
      roleName,
      grantIds: [],
      document: trust,
    });
  }
  const readOnly = mesh.governanceRole.readOnlyName;
  if (readOnly !== undefined) {
    a.iam.push({
      kind: 'governance-policy',
      account: a.account,
      name: READ_ONLY_POLICY_NAME,
      roleName: readOnly,
      grantIds: [],
      document: { Version: '2012-10-17', Statement: readOnlyStatements(mesh, a.account, a.mappings) },
    });
    const roTrust = readOnlyTrustPolicy(mesh, a.account);
    if (roTrust)
      a.iam.push({
        kind: 'trust-policy',
        account: a.account,
        name: `${readOnly}-trust`,
        roleName: readOnly,
        grantIds: [],
        document: roTrust,
      });
  }
  a.iam.push({
    kind: 'permissions-boundary',
    account: a.account,
    name: GUARD_BOUNDARY_NAME,
    grantIds: [],
    document: guardBoundary(mesh),
  });
}

const MANAGED_POLICY_KINDS = new Set<IamArtefact['kind']>([
  'identity-policy',
  'governance-policy',
  'permissions-boundary',
  'fanout-policy',
]);

/** Managed policy names are unique per account: a role named e.g. `governance` would clash with meshgov's own. */
function reportNameClashes(a: DesiredAccount, grantById: (id: string) => Grant | undefined, report: Report): void {
  const seen = new Map<string, IamArtefact>();
  for (const art of a.iam.filter((x) => MANAGED_POLICY_KINDS.has(x.kind))) {
    const other = seen.get(art.name);
    seen.set(art.name, art);
    if (other === undefined) continue;
    const grant = [art, other]
      .flatMap((x) => x.grantIds)
      .map((id) => grantById(id))
      .find((g) => g !== undefined);
    if (grant)
      report(
        grant.at,
        ['principal'],
        'render-policy-name-clash',
        `Managed policy name \`${art.name}\` in ${a.account} would be used by both the ${other.kind} and the ${art.kind}; rename role \`${grant.principal.role ?? ''}\`.`,
      );
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortAccount(a: DesiredAccount): void {
  a.streams.sort((x, y) => cmp(x.name, y.name));
  a.consumers.sort((x, y) => cmp(x.stream, y.stream) || cmp(x.name, y.name));
  a.iam.sort((x, y) => cmp(x.kind, y.kind) || cmp(x.name, y.name));
  a.mappings?.sort((x, y) => cmp(x.grantId, y.grantId));
}

export type { DesiredState } from './types.js';

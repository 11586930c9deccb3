/**
 * The IAM proof: evaluate rendered policies with an independent IAM evaluator (@cloud-copilot/iam-simulate, AGPL,
 * dev-only) over every (principal, resource, action) cell, and compare with an expected matrix built from the mesh
 * alone (grants, ownership, the governance role), never from the rendered output.
 *
 * Model of the world the proof assumes (what `apply` would leave behind):
 * - streams and EFO consumers carry exactly the rendered tags; consumers have a concrete creation timestamp;
 * - each role in a mesh account has exactly the rendered policies of its account attached (identity, fanout,
 *   governance); nothing else;
 * - the guard SCP applies to every mesh account when the mesh has an organisation (plus AWS's FullAWSAccess),
 *   otherwise the guard permissions boundary is attached to every non-governance role;
 * - an external principal's own account grants it everything (`kinesis:*`), so only the resource policy stands
 *   between it and the mesh;
 * - an `unrelated` role in each mesh account has no policies at all.
 */
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import type { Grant, Mesh } from '../../src/core/model/types.js';
import type { DesiredState, IamArtefact, PolicyDocument } from '../../src/core/render/types.js';

/** Actions checked on every stream. */
export const STREAM_ACTIONS = [
  'kinesis:DescribeStreamSummary',
  'kinesis:DescribeStream',
  'kinesis:ListShards',
  'kinesis:GetShardIterator',
  'kinesis:GetRecords',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
  'kinesis:RegisterStreamConsumer',
  'kinesis:ListStreamConsumers',
  'kinesis:AddTagsToStream',
  'kinesis:RemoveTagsFromStream',
  'kinesis:TagResource',
  'kinesis:UntagResource',
  'kinesis:IncreaseStreamRetentionPeriod',
  'kinesis:DecreaseStreamRetentionPeriod',
  'kinesis:PutResourcePolicy',
  'kinesis:DeleteResourcePolicy',
  'kinesis:DeleteStream',
  'kinesis:StartStreamEncryption',
] as const;
/** Actions checked on every enhanced fan-out consumer. */
export const CONSUMER_ACTIONS = [
  'kinesis:SubscribeToShard',
  'kinesis:DescribeStreamConsumer',
  'kinesis:DeregisterStreamConsumer',
  'kinesis:TagResource',
  'kinesis:UntagResource',
  'kinesis:PutResourcePolicy',
  'kinesis:DeleteResourcePolicy',
] as const;
/** Actions without resource-level scoping: checked once per (principal, account) against `*`. */
export const ACCOUNT_ACTIONS = [
  'kinesis:UpdateShardCount',
  'kinesis:UpdateStreamMode',
  'kinesis:EnableEnhancedMonitoring',
  'kinesis:DisableEnhancedMonitoring',
  'kinesis:ListStreams',
] as const;
const TAGGING = new Set([
  'kinesis:AddTagsToStream',
  'kinesis:RemoveTagsFromStream',
  'kinesis:TagResource',
  'kinesis:UntagResource',
  'kinesis:RegisterStreamConsumer',
  'kinesis:CreateStream',
]);

// --- Expected, from the mesh (the spec's read/write sets, written out again on purpose) ---
const PRODUCE = ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'];
const READ = ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'];
const EFO = ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'];
const GOVERNANCE_DENIED = new Set([
  'kinesis:GetShardIterator',
  'kinesis:GetRecords',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
  'kinesis:SubscribeToShard',
]);

export interface Principal {
  arn: string;
  account: string;
  kind: 'grantee' | 'governance' | 'unrelated' | 'external';
  /** Role name, to find its rendered policies. */
  role: string;
}

export interface Resource {
  kind: 'stream' | 'consumer' | 'account';
  /** Concrete ARN (`*` for account-level actions). */
  arn: string;
  account: string;
  /** Tags the resource carries (from the rendered state: what apply leaves behind). */
  tags: Record<string, string>;
  resourcePolicy?: PolicyDocument;
}

export const cellKey = (p: string, r: string, a: string): string => `${p} ${r} ${a}`;

function roleArn(mesh: Mesh, account: string, path: string, role: string): string {
  return `arn:${mesh.partition}:iam::${account}:role${path}${role}`;
}
function streamArnOf(mesh: Mesh, account: string, name: string): string {
  return `arn:${mesh.partition}:kinesis:${mesh.region}:${account}:stream/${name}`;
}
/** A concrete consumer ARN, as Kinesis returns it after registration. */
export function consumerArnOf(mesh: Mesh, account: string, stream: string, name: string): string {
  return `${streamArnOf(mesh, account, stream)}/consumer/${name}:1764000000`;
}
const accountResource = (account: string): string => `*@${account}`;

/** Every principal the proof asks about: grantees (active or expired), the governance role and an unrelated role per account. */
export function principalsOf(mesh: Mesh): Principal[] {
  const out = new Map<string, Principal>();
  for (const g of mesh.grants) {
    if (g.principal.role === undefined) continue;
    const arn = roleArn(mesh, g.principal.account, g.principal.path, g.principal.role);
    out.set(arn, {
      arn,
      account: g.principal.account,
      kind: g.principal.external ? 'external' : 'grantee',
      role: g.principal.role,
    });
  }
  for (const a of mesh.accounts) {
    const gov = roleArn(mesh, a.id, mesh.governanceRole.path, mesh.governanceRole.name);
    out.set(gov, { arn: gov, account: a.id, kind: 'governance', role: mesh.governanceRole.name });
    const un = roleArn(mesh, a.id, '/', 'proof-unrelated');
    out.set(un, { arn: un, account: a.id, kind: 'unrelated', role: 'proof-unrelated' });
  }
  return [...out.values()].sort((a, b) => (a.arn < b.arn ? -1 : 1));
}

const active = (g: Grant, today: string): boolean => g.expires === undefined || g.expires >= today;

/** The allowed cells, from the mesh's grants, ownership and the governance role. */
export function expectedAllowed(mesh: Mesh, today: string): Set<string> {
  const allowed = new Set<string>();
  const streams = new Map(mesh.streams.map((s) => [s.name, s]));
  for (const g of mesh.grants) {
    const s = streams.get(g.stream);
    if (!s || !active(g, today) || g.principal.role === undefined) continue;
    const p = roleArn(mesh, g.principal.account, g.principal.path, g.principal.role);
    const sArn = streamArnOf(mesh, s.account, s.name);
    const lambda = g.pattern === 'filtered' || (g.pattern === 'fanout' && g.fanout?.target !== 'custom-websocket');
    const actions = g.access === 'produce' ? PRODUCE : [...READ, ...(lambda ? ['kinesis:DescribeStream'] : [])];
    for (const a of actions) allowed.add(cellKey(p, sArn, a));
    if (g.access === 'consume' && g.pattern === 'efo' && g.consumerName !== undefined) {
      for (const a of EFO) allowed.add(cellKey(p, consumerArnOf(mesh, s.account, s.name, g.consumerName), a));
    }
  }
  for (const acct of mesh.accounts) {
    const gov = roleArn(mesh, acct.id, mesh.governanceRole.path, mesh.governanceRole.name);
    for (const s of mesh.streams.filter((x) => x.account === acct.id)) {
      for (const a of STREAM_ACTIONS)
        if (!GOVERNANCE_DENIED.has(a)) allowed.add(cellKey(gov, streamArnOf(mesh, s.account, s.name), a));
    }
    for (const g of mesh.grants) {
      const s = streams.get(g.stream);
      if (!s || s.account !== acct.id || !active(g, today) || g.pattern !== 'efo' || g.consumerName === undefined)
        continue;
      for (const a of CONSUMER_ACTIONS)
        if (!GOVERNANCE_DENIED.has(a))
          allowed.add(cellKey(gov, consumerArnOf(mesh, s.account, s.name, g.consumerName), a));
    }
    for (const a of ACCOUNT_ACTIONS) allowed.add(cellKey(gov, accountResource(acct.id), a));
  }
  return allowed;
}

/** Resources from the mesh (streams, consumers of active EFO grants, one `*` per account), tagged as rendered. */
export function resourcesOf(mesh: Mesh, state: DesiredState, today: string): Resource[] {
  const out: Resource[] = [];
  const desiredStreams = new Map(state.accounts.flatMap((a) => a.streams.map((s) => [s.name, s] as const)));
  const desiredConsumers = new Map(
    state.accounts.flatMap((a) => a.consumers.map((c) => [`${c.stream}/${c.name}`, c] as const)),
  );
  for (const s of mesh.streams) {
    const d = desiredStreams.get(s.name);
    if (!d) throw new Error(`render lost stream ${s.name}`);
    const r: Resource = { kind: 'stream', arn: streamArnOf(mesh, s.account, s.name), account: s.account, tags: d.tags };
    if (d.resourcePolicy) r.resourcePolicy = d.resourcePolicy;
    out.push(r);
  }
  for (const g of mesh.grants) {
    if (g.pattern !== 'efo' || g.consumerName === undefined || !active(g, today)) continue;
    const s = mesh.streams.find((x) => x.name === g.stream);
    if (!s) continue;
    const c = desiredConsumers.get(`${s.name}/${g.consumerName}`);
    if (!c) throw new Error(`render lost consumer ${s.name}/${g.consumerName}`);
    const r: Resource = {
      kind: 'consumer',
      arn: consumerArnOf(mesh, s.account, s.name, g.consumerName),
      account: s.account,
      tags: c.tags,
    };
    if (c.resourcePolicy) r.resourcePolicy = c.resourcePolicy;
    out.push(r);
  }
  for (const a of mesh.accounts) out.push({ kind: 'account', arn: accountResource(a.id), account: a.id, tags: {} });
  return out;
}

const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'FullAWSAccess', Effect: 'Allow', Action: '*', Resource: '*' }],
};
const EXTERNAL_ADMIN: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'ExternalAccountGrantsEverything', Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }],
};

/** The policies in force for one principal, from the rendered state. */
export interface PrincipalPolicies {
  identity: { name: string; policy: PolicyDocument }[];
  scps: { name: string; policy: PolicyDocument }[];
  boundary?: PolicyDocument;
}

const IDENTITY_KINDS = new Set<IamArtefact['kind']>(['identity-policy', 'fanout-policy', 'governance-policy']);

export function policiesFor(p: Principal, mesh: Mesh, state: DesiredState): PrincipalPolicies {
  if (p.kind === 'external') return { identity: [{ name: 'external', policy: EXTERNAL_ADMIN }], scps: [] };
  const acct = state.accounts.find((a) => a.account === p.account);
  const iam = acct?.iam ?? [];
  const identity = iam
    .filter((a) => IDENTITY_KINDS.has(a.kind) && a.roleName === p.role)
    .map((a) => ({ name: a.name, policy: a.document as PolicyDocument }));
  const out: PrincipalPolicies = { identity, scps: [] };
  const scp = state.accounts.flatMap((a) => a.iam).find((a) => a.kind === 'guard-scp');
  if (mesh.organizationId !== undefined) {
    if (!scp) throw new Error('the mesh has an organisation but render produced no guard SCP');
    out.scps = [
      { name: 'FullAWSAccess', policy: ALLOW_ALL },
      { name: scp.name, policy: scp.document as PolicyDocument },
    ];
  } else if (p.kind !== 'governance') {
    const boundary = iam.find((a) => a.kind === 'permissions-boundary');
    if (!boundary) throw new Error(`no guard boundary rendered for ${p.account}`);
    out.boundary = boundary.document as PolicyDocument;
  }
  return out;
}

export interface Request {
  principal: Principal;
  action: string;
  resource: Resource;
  /** Tag keys in the request (tagging and tag-on-create). */
  tagKeys?: string[];
  /** Context keys to override (e.g. `aws:PrincipalOrgID` of an account that left the organisation). */
  context?: Record<string, string | string[]>;
  /** Resource tags to use instead of the resource's (e.g. as if a tag had been added). */
  tags?: Record<string, string>;
}

function buildSimulation(mesh: Mesh, policies: PrincipalPolicies, req: Request): Simulation {
  const { principal: p, resource: r } = req;
  const inOrg =
    mesh.organizationId !== undefined && p.kind !== 'external' && mesh.accounts.some((a) => a.id === p.account);
  const ctx: Record<string, string | string[]> = {
    'aws:PrincipalArn': p.arn,
    'aws:PrincipalAccount': p.account,
    'aws:ResourceAccount': r.account,
  };
  if (inOrg) ctx['aws:PrincipalOrgID'] = mesh.organizationId as string;
  for (const [k, v] of Object.entries(req.tags ?? r.tags)) ctx[`aws:ResourceTag/${k}`] = v;
  if (req.tagKeys !== undefined) ctx['aws:TagKeys'] = req.tagKeys;
  for (const [i, k] of (req.tagKeys ?? []).entries()) ctx[`aws:RequestTag/${k}`] = `v${i}`;
  Object.assign(ctx, req.context ?? {});
  const sim: Simulation = {
    request: {
      principal: p.arn,
      action: req.action,
      resource: { resource: r.kind === 'account' ? '*' : r.arn, accountId: r.account },
      contextVariables: ctx,
    },
    identityPolicies: policies.identity,
    serviceControlPolicies:
      policies.scps.length > 0 ? [{ orgIdentifier: mesh.organizationId ?? 'o-none', policies: policies.scps }] : [],
    resourceControlPolicies: [],
  };
  if (r.resourcePolicy) sim.resourcePolicy = r.resourcePolicy;
  if (policies.boundary) sim.permissionBoundaryPolicies = [{ name: 'guard', policy: policies.boundary }];
  return sim;
}

/**
 * Evaluate without iam-simulate's input validation (3x faster). runUnsafeSimulation loads the resource policy
 * without a name and then reads its name; a pre-validated policy (iam-policy's ValidatedPolicy shape) carries one.
 */
function simulateUnchecked(sim: Simulation): Decision {
  const unsafe: Simulation = sim.resourcePolicy
    ? {
        ...sim,
        resourcePolicy: {
          __validated: true,
          policyDocument: sim.resourcePolicy,
          metadata: { name: 'resource-policy' },
        },
      }
    : sim;
  return runUnsafeSimulation(unsafe, {}) === 'Allowed' ? 'Allowed' : 'Denied';
}

export type Decision = 'Allowed' | 'Denied';

/** One request through the fast (non-validating) evaluator; cross-check samples with {@link simulate}. */
export function simulateFast(mesh: Mesh, policies: PrincipalPolicies, req: Request): Decision {
  return simulateUnchecked(buildSimulation(mesh, policies, req));
}

/** Evaluate one request through iam-simulate's validating entry point (policies, action, resource type, context keys). */
export async function simulate(mesh: Mesh, policies: PrincipalPolicies, req: Request): Promise<Decision> {
  const sim = buildSimulation(mesh, policies, req);
  const res = await runSimulation(sim, {});
  // A consumer ARN also matches the `stream/${StreamName}` pattern, so for actions authorized on both resource
  // types (TagResource, UntagResource, Put/DeleteResourcePolicy) the validating entry point refuses to pick one.
  // The same action on streams passes validation with the same policies, so evaluate it without that step.
  if (
    res.resultType === 'error' &&
    res.errors.message === 'multiple.resource.types' &&
    req.resource.kind === 'consumer'
  )
    return simulateUnchecked(sim);
  if (res.resultType === 'error')
    throw new Error(
      `simulation error for ${req.action} on ${req.resource.arn} by ${req.principal.arn}: ${JSON.stringify(res.errors)}`,
    );
  return res.overallResult === 'Allowed' ? 'Allowed' : 'Denied';
}

export interface ProofResult {
  cells: number;
  /** Cells also evaluated through the validating entry point (all of them unless `sampleEvery` was given). */
  validatedCells: number;
  /** Cells where the fast and the validating evaluation disagreed (must be empty). */
  evaluatorDisagreements: string[];
  allowed: number;
  expected: number;
  /** Cells the policies allow that no grant declares. */
  unexpectedAllows: string[];
  /** Cells a grant declares that the policies deny. */
  missingAllows: string[];
}

export interface ProveOptions {
  /**
   * Evaluate every cell with the fast (non-validating) evaluator and cross-check through the validating entry
   * point every allowed or expected cell plus every `sampleEvery`-th cell. Without it, every cell is validated.
   */
  sampleEvery?: number;
}

/** Run the whole matrix. */
export async function prove(
  mesh: Mesh,
  state: DesiredState,
  today: string,
  opts: ProveOptions = {},
): Promise<ProofResult> {
  const expected = expectedAllowed(mesh, today);
  const principals = principalsOf(mesh);
  const resources = resourcesOf(mesh, state, today);
  const result: ProofResult = {
    cells: 0,
    validatedCells: 0,
    evaluatorDisagreements: [],
    allowed: 0,
    expected: expected.size,
    unexpectedAllows: [],
    missingAllows: [],
  };
  const seen = new Set<string>();
  for (const p of principals) {
    const policies = policiesFor(p, mesh, state);
    for (const r of resources) {
      const actions = r.kind === 'stream' ? STREAM_ACTIONS : r.kind === 'consumer' ? CONSUMER_ACTIONS : ACCOUNT_ACTIONS;
      for (const action of actions) {
        const req: Request = { principal: p, action, resource: r };
        if (TAGGING.has(action)) req.tagKeys = ['meshgov:domain'];
        const key = cellKey(p.arn, r.arn, action);
        let got: Decision;
        if (opts.sampleEvery === undefined) {
          got = await simulate(mesh, policies, req);
          result.validatedCells++;
        } else {
          got = simulateUnchecked(buildSimulation(mesh, policies, req));
          if (got === 'Allowed' || expected.has(key) || result.cells % opts.sampleEvery === 0) {
            result.validatedCells++;
            if ((await simulate(mesh, policies, req)) !== got) result.evaluatorDisagreements.push(key);
          }
        }
        result.cells++;
        seen.add(key);
        if (got === 'Allowed') result.allowed++;
        if (got === 'Allowed' && !expected.has(key)) result.unexpectedAllows.push(key);
        if (got !== 'Allowed' && expected.has(key)) result.missingAllows.push(key);
      }
    }
  }
  // An expected cell the matrix never asked about would hide a gap in the proof itself.
  for (const key of expected) if (!seen.has(key)) result.missingAllows.push(key);
  return result;
}

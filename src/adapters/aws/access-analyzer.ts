/**
 * IAM Access Analyzer's policy checks (ValidatePolicy, CheckNoPublicAccess, CheckNoNewAccess), called with the
 * governance (or, for plan, read-only) role of one account: the mesh's first account (see docs/analyzer.md). The
 * checks evaluate the documents sent, not anything in the account, so one account answers for the whole mesh.
 * Throttling is the SDK's (adaptive retry mode, like every client of the pool); ValidatePolicy's pages are followed
 * by nextToken. The answers are mapped to the core's vendor-neutral shapes here; the core maps them to findings.
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html
 */
import {
  AccessAnalyzerClient,
  CheckNoNewAccessCommand,
  CheckNoPublicAccessCommand,
  ValidatePolicyCommand,
} from '@aws-sdk/client-accessanalyzer';
import type {
  Location,
  PathElement as SdkPathElement,
  Position,
  ReasonSummary,
  ValidatePolicyFinding,
} from '@aws-sdk/client-accessanalyzer';
import type {
  AnalyzerAnswer,
  AnalyzerRequest,
  AnalyzerRun,
  ApiLocation,
  ApiReason,
  ApiValidateFinding,
  PathElement,
  PolicyAnalyzer,
} from '../../core/analyzer/types.js';
import type { ClientPool } from './client-pool.js';
import { mapLimit } from './concurrency.js';
import { guardEchoedCredentials, toAdapterError } from './errors.js';

/** Every action this adapter calls (none supports resource scoping: `Resource: "*"`). */
export const ACCESS_ANALYZER_IAM_ACTIONS = [
  'access-analyzer:CheckNoNewAccess',
  'access-analyzer:CheckNoPublicAccess',
  'access-analyzer:ValidatePolicy',
] as const;

/** Calls in flight at once. */
const CONCURRENCY = 4;
/** More pages than any policy's findings fill: an endpoint that keeps paging is refused, not followed forever. */
const MAX_PAGES = 50;

export interface AccessAnalyzerOptions {
  concurrency?: number;
}

function pathElement(e: SdkPathElement): PathElement[] {
  if (typeof e.index === 'number') return [{ index: e.index }];
  if (typeof e.key === 'string') return [{ key: e.key }];
  if (typeof e.value === 'string') return [{ value: e.value }];
  const sub = e.substring;
  if (sub && typeof sub.start === 'number' && typeof sub.length === 'number') {
    return [{ substring: { start: sub.start, length: sub.length } }];
  }
  return [];
}

/** A position missing a member gets offset -1, which no statement contains. */
const position = (p: Position) => ({ line: p.line ?? 0, column: p.column ?? 0, offset: p.offset ?? -1 });

function location(l: Location): ApiLocation {
  const s = l.span;
  return {
    path: (l.path ?? []).flatMap(pathElement),
    ...(s?.start && s.end ? { span: { start: position(s.start), end: position(s.end) } } : {}),
  };
}

function finding(f: ValidatePolicyFinding): ApiValidateFinding {
  return {
    // A finding without a type is not what the API reference promises: read it as a warning, not dropped.
    findingType: f.findingType ?? 'UNKNOWN',
    issueCode: f.issueCode ?? 'UNKNOWN',
    findingDetails: f.findingDetails ?? '',
    learnMoreLink: f.learnMoreLink ?? '',
    locations: (f.locations ?? []).map(location),
  };
}

function reason(r: ReasonSummary): ApiReason {
  return {
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(typeof r.statementIndex === 'number' ? { statementIndex: r.statementIndex } : {}),
    ...(r.statementId !== undefined ? { statementId: r.statementId } : {}),
  };
}

/** A result other than PASS (missing, or a value the reference does not list) counts as FAIL. */
function accessAnswer(
  check: 'no-public-access' | 'no-new-access',
  out: { result?: string; message?: string; reasons?: ReasonSummary[] },
): AnalyzerAnswer {
  const pass = out.result === 'PASS';
  const odd = !pass && out.result !== 'FAIL' ? ` (unexpected result ${JSON.stringify(out.result ?? null)})` : '';
  const reasons = (out.reasons ?? []).map(reason);
  return { check, result: pass ? 'PASS' : 'FAIL', message: `${out.message ?? ''}${odd}`, reasons };
}

/** An Access Analyzer client on the pool's credentials, region, endpoint and retry settings; calls are counted. */
function clientFor(pool: ClientPool, account: string): AccessAnalyzerClient {
  const c = pool.config;
  const client = new AccessAnalyzerClient({
    region: c.region,
    credentials: pool.credentialsFor(account),
    retryMode: 'adaptive',
    maxAttempts: c.maxAttempts ?? 6,
    ...(c.profile !== undefined ? { profile: c.profile } : {}),
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      pool.counter.add(account, 'access-analyzer', (context.commandName ?? 'Unknown').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'meshgovAnalyzerAccounting', override: true },
  );
  guardEchoedCredentials(client);
  return client;
}

type ValidateRequest = Extract<AnalyzerRequest, { check: 'validate-policy' }>;

async function validate(client: AccessAnalyzerClient, r: ValidateRequest): Promise<AnalyzerAnswer> {
  const findings: ApiValidateFinding[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 1; ; page++) {
    const out = await client.send(
      new ValidatePolicyCommand({
        policyDocument: r.document,
        policyType: r.policyType,
        locale: 'EN',
        ...(r.resourceType !== undefined ? { validatePolicyResourceType: r.resourceType } : {}),
        ...(token !== undefined ? { nextToken: token } : {}),
      }),
    );
    findings.push(...(out.findings ?? []).map(finding));
    token = out.nextToken || undefined;
    if (token === undefined) return { check: 'validate-policy', findings };
    if (seen.has(token) || page >= MAX_PAGES) {
      throw new Error(`ValidatePolicy kept paging (${page} pages, nextToken repeated or endless)`);
    }
    seen.add(token);
  }
}

async function answer(client: AccessAnalyzerClient, r: AnalyzerRequest): Promise<AnalyzerAnswer> {
  switch (r.check) {
    case 'validate-policy':
      return validate(client, r);
    case 'no-public-access':
      return accessAnswer(
        r.check,
        await client.send(
          new CheckNoPublicAccessCommand({
            policyDocument: r.document,
            resourceType: r.resourceType,
          }),
        ),
      );
    case 'no-new-access':
      return accessAnswer(
        r.check,
        await client.send(
          new CheckNoNewAccessCommand({
            newPolicyDocument: r.document,
            existingPolicyDocument: r.existing,
            policyType: r.policyType,
          }),
        ),
      );
  }
}

const OPERATION = {
  'validate-policy': 'ValidatePolicy',
  'no-public-access': 'CheckNoPublicAccess',
  'no-new-access': 'CheckNoNewAccess',
} as const;

/** The checks, run from `account` on the pool's target. */
export function awsPolicyAnalyzer(pool: ClientPool, account: string, o: AccessAnalyzerOptions = {}): PolicyAnalyzer {
  const region = pool.config.region;
  return {
    async check(requests) {
      if (requests.length === 0) return { kind: 'answered', account, region, answers: [] };
      const client = clientFor(pool, account);
      try {
        const answers = await mapLimit(requests, o.concurrency ?? CONCURRENCY, async (r) => {
          try {
            return await answer(client, r);
          } catch (e) {
            throw toAdapterError(e, 'access-analyzer', `${OPERATION[r.check]} (${r.policy.address})`, account);
          }
        });
        return { kind: 'answered', account, region, answers } satisfies AnalyzerRun;
      } catch (e) {
        return { kind: 'failed', account, region, message: (e as Error).message };
      } finally {
        client.destroy();
      }
    },
  };
}

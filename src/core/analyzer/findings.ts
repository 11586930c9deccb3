/**
 * Access Analyzer answers as findings: ValidatePolicy's ERROR and SECURITY_WARNING are errors (apply refuses),
 * WARNING a warning, SUGGESTION info; a FAIL of CheckNoPublicAccess is an error (no meshgov policy may make a stream
 * public); a FAIL of CheckNoNewAccess is info (widening is what a new grant does). Each finding names the policy and,
 * when the answer locates it, the statement (Sid and index) and the JSON path inside it.
 */
import type {
  AnalyzerAnswer,
  AnalyzerFinding,
  AnalyzerRequest,
  AnalyzerSeverity,
  ApiLocation,
  ApiReason,
  PathElement,
  StatementRef,
} from './types.js';

/** https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html */
export function severityOf(findingType: string): AnalyzerSeverity {
  if (findingType === 'ERROR' || findingType === 'SECURITY_WARNING') return 'error';
  if (findingType === 'SUGGESTION') return 'info';
  return 'warning';
}

/** `Statement[0].Condition.StringEquals` from the API's path elements. */
export function pathText(path: readonly PathElement[]): string {
  let out = '';
  for (const e of path) {
    if ('index' in e) out += `[${e.index}]`;
    else if ('substring' in e) out += `(characters ${e.substring.start}..${e.substring.start + e.substring.length})`;
    else out += `${out === '' ? '' : '.'}${'key' in e ? e.key : e.value}`;
  }
  return out;
}

function statements(document: string): unknown[] {
  try {
    const d = JSON.parse(document) as { Statement?: unknown };
    return Array.isArray(d.Statement) ? d.Statement : [];
  } catch {
    return [];
  }
}

function refAt(document: string, index: number): StatementRef | undefined {
  const list = statements(document);
  if (!Number.isInteger(index) || index < 0 || index >= list.length) return undefined;
  const sid = (list[index] as { Sid?: unknown } | null)?.Sid;
  return { index, ...(typeof sid === 'string' ? { sid } : {}) };
}

/**
 * Offsets `[start, end)` of each statement in `document` (compact JSON as `policyText` writes it: its own
 * re-serialisation is the same text, so the offsets are exact); empty when the text is not such a document.
 */
export function statementSpans(document: string): [number, number][] {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(document) as Record<string, unknown>;
  } catch {
    return [];
  }
  if (JSON.stringify(parsed) !== document || !Array.isArray(parsed.Statement)) return [];
  let at = 1;
  for (const [k, v] of Object.entries(parsed)) {
    const key = `${JSON.stringify(k)}:`;
    if (k === 'Statement') {
      at += key.length + 1;
      return (v as unknown[]).map((s) => {
        const span: [number, number] = [at, at + JSON.stringify(s).length];
        at = span[1] + 1;
        return span;
      });
    }
    at += key.length + JSON.stringify(v).length + 1;
  }
  return [];
}

/** The statement a location points at: `Statement` then an index in its path, else the statement its span starts in. */
export function locateStatement(document: string, location: ApiLocation): StatementRef | undefined {
  const path = location.path;
  for (let i = 0; i + 1 < path.length; i++) {
    const e = path[i] as PathElement;
    const name = 'value' in e ? e.value : 'key' in e ? e.key : undefined;
    const next = path[i + 1] as PathElement;
    if (name === 'Statement' && 'index' in next) return refAt(document, next.index);
  }
  const offset = location.span?.start?.offset;
  if (typeof offset !== 'number') return undefined;
  const index = statementSpans(document).findIndex(([s, e]) => offset >= s && offset < e);
  return index < 0 ? undefined : refAt(document, index);
}

function reasonStatement(document: string, r: ApiReason): StatementRef | undefined {
  if (typeof r.statementIndex === 'number') return refAt(document, r.statementIndex);
  if (r.statementId === undefined) return undefined;
  const index = statements(document).findIndex((s) => (s as { Sid?: unknown } | null)?.Sid === r.statementId);
  return index < 0 ? undefined : refAt(document, index);
}

const ACCESS_CHECK = {
  'no-public-access': { issueCode: 'PUBLIC_ACCESS', severity: 'error' },
  'no-new-access': { issueCode: 'NEW_ACCESS', severity: 'info' },
} as const;

/** The findings of one answer to one request (none for a PASS or an empty findings list). */
export function findingsOf(request: AnalyzerRequest, answer: AnalyzerAnswer): AnalyzerFinding[] {
  if (answer.check !== request.check) throw new Error(`answer to ${answer.check} given for a ${request.check} request`);
  const policy = request.policy;
  if (answer.check === 'validate-policy') {
    return answer.findings.map((f) => {
      const first = f.locations[0];
      const statement = first ? locateStatement(request.document, first) : undefined;
      const path = first && first.path.length > 0 ? pathText(first.path) : undefined;
      return {
        check: 'validate-policy',
        severity: severityOf(f.findingType),
        issueCode: f.issueCode,
        findingType: f.findingType,
        message: f.findingDetails,
        learnMoreLink: f.learnMoreLink,
        policy,
        ...(statement ? { statement } : {}),
        ...(path !== undefined ? { path } : {}),
      };
    });
  }
  if (answer.result === 'PASS') return [];
  const kind = ACCESS_CHECK[answer.check];
  const base = { check: answer.check, severity: kind.severity, issueCode: kind.issueCode, policy };
  if (answer.reasons.length === 0) return [{ ...base, message: answer.message }];
  return answer.reasons.map((r) => {
    const statement = reasonStatement(request.document, r);
    return { ...base, message: r.description ?? answer.message, ...(statement ? { statement } : {}) };
  });
}

const RANK: Record<AnalyzerSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then by policy address, statement and issue code. */
export function sortFindings(findings: readonly AnalyzerFinding[]): AnalyzerFinding[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      RANK[a.severity] - RANK[b.severity] ||
      cmp(a.policy.address, b.policy.address) ||
      (a.statement?.index ?? -1) - (b.statement?.index ?? -1) ||
      cmp(a.check, b.check) ||
      cmp(a.issueCode, b.issueCode),
  );
}

/** The findings that make apply refuse. */
export function blockingFindings(findings: readonly AnalyzerFinding[]): AnalyzerFinding[] {
  return findings.filter((f) => f.severity === 'error');
}

/** `policy address, statement 2 (Sid X), at Statement[2].Action: message` for plans and refusals. */
export function findingLine(f: AnalyzerFinding): string {
  const sid = f.statement?.sid !== undefined ? ` (Sid ${f.statement.sid})` : '';
  const st = f.statement ? `, statement ${f.statement.index}${sid}` : '';
  const at = f.path !== undefined ? ` at ${f.path}` : '';
  return `${f.policy.address}${st}${at}: ${f.findingType ?? f.check} ${f.issueCode}: ${f.message}`;
}

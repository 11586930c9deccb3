/**
 * The one finding type of meshgov (issue #18 §1, after Spectral's single result type): what validate reports about
 * the mesh files and what audit reports about the live accounts. Shared fields have one name and one meaning; the
 * kinds differ only in where the finding is: a located node of a source file (validate), or a live resource address
 * (audit). One fingerprint function serves both (SARIF `partialFingerprints`).
 */

/** How bad a finding is. `error` fails `validate` (exit 1) and the audit's default `--fail-on`. */
export type Severity = 'error' | 'warning' | 'info';

/** A path into a YAML document: mapping keys and sequence indexes, from the document root. */
export type DocPath = readonly (string | number)[];

/** A 1-based location in a mesh source file. */
export interface SourceLocation {
  /** The file as the user named it (relative to the working directory when given relative). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like editors do. */
  column: number;
}

/** The fields every finding has, with one meaning whichever command reports it. */
export interface FindingCore {
  /** Stable machine-readable code: a schema/semantic code, a guardrail rule id or an audit check id (kebab-case). */
  code: string;
  severity: Severity;
  /** What is wrong; names the offending item. One line for live findings. */
  message: string;
  /** A longer hint or a documentation link. */
  help?: string;
  /** For waived findings: the waiver's justification. */
  waivedBy?: string;
}

/** A finding located in a mesh source file (YAML, schema, semantic and guardrail findings of `validate`). */
export interface SourceFinding extends FindingCore, SourceLocation {
  /** 1-based end line (exclusive end position), when known. */
  endLine?: number;
  /** 1-based end column (exclusive end position), when known. */
  endColumn?: number;
  /** Path of the offending node inside `file`. */
  path: DocPath;
  /** For guardrail findings: the rule id (equals `code`). */
  ruleId?: string;
  /** For `diagnostics-truncated`: how many findings of the file it stands for (not shown). */
  hidden?: number;
  /** Absent on source findings: what tells the two kinds apart (see {@link isResourceFinding}). */
  resource?: never;
}

/** A finding about a live resource (`audit`), located in the mesh when the resource is declared there. */
export interface ResourceFinding extends FindingCore {
  /** Address of the resource, e.g. `<account>/stream/<name>` or `<account>/principal/<arn>` (never empty). */
  resource: string;
  /** Account the resource lives in. */
  account: string;
  /** What on the resource the finding is about, when one check reports one resource more than once. */
  subject?: string;
  /** The numbers or the policy statement that prove it (plain JSON; stable key order). */
  evidence: Readonly<Record<string, unknown>>;
  /** What to do about it. */
  remediation: string;
  /** Where the entity is declared in the mesh, when it is declared. */
  location?: SourceLocation;
  /** Absent on resource findings (their mesh location is `location`). */
  file?: never;
}

export type Finding = SourceFinding | ResourceFinding;

export function isResourceFinding(f: Finding): f is ResourceFinding {
  return f.resource !== undefined;
}

/** The SARIF `partialFingerprints` key of each kind; kept from before the merge so code-scanning alerts survive. */
export const FINGERPRINT_KEY = { source: 'meshgovPath/v1', resource: 'meshgovAudit/v1' } as const;

export interface Fingerprint {
  key: (typeof FINGERPRINT_KEY)[keyof typeof FINGERPRINT_KEY];
  value: string;
}

/**
 * One fingerprint per finding, stable across runs (no numbers that change from run to run): a source finding is
 * `file#path#code` (the file through `relativize`, e.g. repository-relative), a resource finding
 * `code#resource[#subject]`. Two findings that would share one (two problems at one path, a check reporting one
 * resource twice without a subject) get `#2`, `#3` in the order given, so code scanning never merges them into one
 * alert. Deterministic when the findings are sorted.
 */
export function fingerprints(findings: readonly Finding[], relativize: (file: string) => string): Fingerprint[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const base = isResourceFinding(f)
      ? `${f.code}#${f.resource}${f.subject !== undefined ? `#${f.subject}` : ''}`
      : `${relativize(f.file)}#${f.path.join('.')}#${f.code}`;
    const key = isResourceFinding(f) ? FINGERPRINT_KEY.resource : FINGERPRINT_KEY.source;
    // Counted per key: a source and a resource fingerprint never collide.
    const n = (seen.get(`${key} ${base}`) ?? 0) + 1;
    seen.set(`${key} ${base}`, n);
    return { key, value: n === 1 ? base : `${base}#${n}` };
  });
}

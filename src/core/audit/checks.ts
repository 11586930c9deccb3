/**
 * The audit check registry: every check id the audit can report, registered like a guardrail rule (id, kind,
 * default severity, one-line doc, help link). It is the one list `rules list`, the waiver and severity-override
 * checks, the report's `checksRun` and the SARIF rule metadata read. A check module adds one entry per new id.
 */
import type { FindingSeverity } from './findings.js';

export interface AuditCheck {
  id: string;
  /** Guardrail rules are kind `rule` (`rules list`); audit checks read the live mesh. */
  kind: 'audit';
  /** Default severity. Checks that grade their findings (e.g. `hot-shard`: error at 100 %) report this one at least. */
  severity: FindingSeverity;
  /** One line: what the check reports. */
  title: string;
  /** docs/audit.md, at the section that documents the check. */
  helpUrl: string;
}

const DOCS = 'https://github.com/meshgov/meshgov/blob/main/docs/audit.md';
const HOT = `${DOCS}#hot-shards`;
const DRIFT = `${DOCS}#drift`;
const ACCESS = `${DOCS}#unauthorized-access`;
const SHADOW = `${DOCS}#shadow-data-products`;
const FILTERED = `${DOCS}#filtered-consumers`;

function check(id: string, severity: FindingSeverity, title: string, helpUrl: string): AuditCheck {
  return { id, kind: 'audit', severity, title, helpUrl };
}

/** Sorted by id. */
export const AUDIT_CHECKS: readonly AuditCheck[] = [
  check('capacity-drift', 'warning', 'Live capacity mode or shard count differs from the declared capacity', DRIFT),
  check(
    'consumer-lagging',
    'warning',
    "A shard's iterator age exceeds the stream's freshness SLA (error at half the retention)",
    HOT,
  ),
  check('consumer-missing', 'warning', 'A declared enhanced fan-out consumer is not registered', DRIFT),
  check('encryption-drift', 'error', 'Live encryption differs from the declared encryption', DRIFT),
  check('enhanced-monitoring-drift', 'info', 'Enabled shard-level metrics differ from the declared ones', DRIFT),
  check(
    'expired-grant-in-force',
    'error',
    'A grant past its `expires` date is still live (tag, policy statement or consumer)',
    ACCESS,
  ),
  check(
    'filter-bypassed',
    'error',
    "A filtered grant's function has a mapping on its stream without filter criteria",
    FILTERED,
  ),
  check(
    'filter-mapping-drift',
    'error',
    "A filtered grant's event source mapping has other filter criteria than declared",
    FILTERED,
  ),
  check('filter-mapping-missing', 'warning', "A filtered grant's event source mapping does not exist", FILTERED),
  check(
    'governance-tag-drift',
    'error',
    'A governance tag is missing or changed, or an undeclared grant tag is live',
    DRIFT,
  ),
  check('hot-shard', 'warning', 'A shard reached the configured share of its write limit (error at 100 %)', HOT),
  check(
    'identity-policy-overreach',
    'error',
    'An identity policy reaches mesh streams or consumers beyond its grants',
    ACCESS,
  ),
  check(
    'out-of-org-principal',
    'error',
    'A resource policy admits an account outside the organisation that no grant declares',
    ACCESS,
  ),
  check('public-principal', 'error', 'A resource policy allows `*` without a restricting condition', ACCESS),
  check('read-throttled-shard', 'warning', 'Polling consumers of a shard were throttled', HOT),
  check('resource-policy-drift', 'warning', 'A stream or consumer resource policy is not the rendered one', DRIFT),
  check('retention-drift', 'warning', 'Live retention differs from the declared value', DRIFT),
  check('retention-out-of-policy', 'error', "Live retention is outside the classification's bounds", DRIFT),
  check(
    'shadow-stream',
    'warning',
    'A stream in a mesh account that the mesh neither declares nor tags as its own',
    SHADOW,
  ),
  check('shard-metrics-disabled', 'warning', 'Shard-level metrics are not enabled on a stream that needs them', HOT),
  check('skewed-stream', 'warning', "The busiest shard's load is at least twice the stream's mean shard load", HOT),
  check('stream-missing', 'error', 'A declared stream does not exist', DRIFT),
  check('stream-undeclared', 'warning', 'A stream tagged with this mesh is not declared', DRIFT),
  check('tag-drift', 'info', 'A declared user tag is missing or changed', DRIFT),
  check('tag-tampering', 'error', 'Someone other than the governance role may tag mesh streams or consumers', ACCESS),
  check('undeclared-consumer', 'error', 'A registered enhanced fan-out consumer no grant declares', ACCESS),
  check('undeclared-principal', 'error', 'A resource-policy principal no active grant covers', ACCESS),
  check(
    'wildcard-principal',
    'warning',
    'A resource policy allows `*` narrowed only by an organisation, account or VPC condition',
    ACCESS,
  ),
  check('write-throttled-shard', 'error', "Producers' records were rejected by a shard's write limit", HOT),
];

export const AUDIT_CHECK_BY_ID: ReadonlyMap<string, AuditCheck> = new Map(AUDIT_CHECKS.map((c) => [c.id, c]));

/**
 * A filtered grant's Lambda event source mapping, declared vs live (pure; plan and audit both read this).
 * The mapping must exist in the grantee's account, belong to the declared function, read the declared source, and
 * carry the declared filter criteria: compared as sets of canonical JSON patterns, since Lambda ORs the filters and
 * ignores their order and key order (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
 * Live patterns are untrusted strings: one that is not a JSON object is drift, never a throw.
 */
import { canonicalJson } from '../canonical-json.js';
import { nestsDeeperThan } from '../json-depth.js';
import type { DesiredEventSourceMapping } from '../render/types.js';
import type { LiveEventSourceMapping } from './live.js';

/** A live filter pattern, parsed: canonical JSON, or why it could not be read. */
export type PatternRead = { ok: true; canonical: string } | { ok: false; raw: string; error: string };

/** Levels a live filter pattern may nest (a real one nests a few: field, sub-field, the matcher list and object). */
export const MAX_PATTERN_DEPTH = 64;

/** Parse one live `Pattern` string defensively (any value in, never a throw). */
export function readPattern(raw: unknown): PatternRead {
  const text = typeof raw === 'string' ? raw : String(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, raw: text, error: 'not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { ok: false, raw: text, error: 'not a JSON object' };
  // Canonical JSON walks it recursively: a pattern nested thousands deep would overflow the stack there.
  if (nestsDeeperThan(parsed, MAX_PATTERN_DEPTH))
    return { ok: false, raw: text, error: `nests deeper than ${MAX_PATTERN_DEPTH} levels` };
  return { ok: true, canonical: canonicalJson(parsed) };
}

/** A function reference as Lambda accepts it: a name, a partial ARN (`<account>:function:<name>`) or a full ARN. */
export interface FunctionRef {
  name: string;
  account?: string;
  region?: string;
  /** Version or alias. */
  qualifier?: string;
}

/** Parse a function name or ARN (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html). */
export function parseFunctionRef(ref: string): FunctionRef {
  const parts = ref.split(':');
  if (parts[0] === 'arn' && parts.length >= 7 && parts[2] === 'lambda' && parts[5] === 'function') {
    const r: FunctionRef = { name: parts[6] as string, account: parts[4] as string, region: parts[3] as string };
    if (parts.length > 7) r.qualifier = parts.slice(7).join(':');
    return r;
  }
  if (parts.length >= 3 && parts[1] === 'function') {
    const r: FunctionRef = { name: parts[2] as string, account: parts[0] as string };
    if (parts.length > 3) r.qualifier = parts.slice(3).join(':');
    return r;
  }
  if (parts.length === 2) return { name: parts[0] as string, qualifier: parts[1] as string };
  return { name: ref };
}

/** The live mapping invokes the declared function: same name, and (if named) the grantee's account and region. */
export function isDeclaredFunction(d: Pick<DesiredEventSourceMapping, 'functionArn'>, liveFunction: string): boolean {
  const want = parseFunctionRef(d.functionArn);
  const got = parseFunctionRef(liveFunction);
  return (
    got.name === want.name &&
    (got.account === undefined || got.account === want.account) &&
    (got.region === undefined || got.region === want.region)
  );
}

/** The mapping reads the declared stream, directly or through one of its enhanced fan-out consumers. */
function readsStream(d: DesiredEventSourceMapping, source: string): boolean {
  return source === d.eventSourceArn || source.startsWith(`${d.eventSourceArn}/consumer/`);
}

/** The consumer name in a consumer ARN of the declared stream (`<stream ARN>/consumer/<name>:<timestamp>`). */
function consumerOf(d: Pick<DesiredEventSourceMapping, 'eventSourceArn'>, source: string): string | undefined {
  const prefix = `${d.eventSourceArn}/consumer/`;
  if (!source.startsWith(prefix)) return undefined;
  // The creation timestamp after the last `:` is unknown until registration: compare stream ARN + consumer name.
  // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html
  const m = /^([A-Za-z0-9_.-]+):[0-9]+$/.exec(source.slice(prefix.length));
  return m ? (m[1] as string) : undefined;
}

/** The live source is the declared one: the stream itself, or the declared consumer of the stream. */
export function readsDeclaredSource(
  d: Pick<DesiredEventSourceMapping, 'eventSourceArn' | 'consumer'>,
  source: string,
): boolean {
  return d.consumer === undefined ? source === d.eventSourceArn : consumerOf(d, source) === d.consumer;
}

/** The declared source in words: the stream ARN, or the consumer on it. */
export function declaredSource(d: Pick<DesiredEventSourceMapping, 'eventSourceArn' | 'consumer'>): string {
  return d.consumer === undefined ? d.eventSourceArn : `consumer ${d.consumer} of ${d.eventSourceArn}`;
}

/** Why a live source of the declared stream is not the declared one. */
function wrongSource(d: DesiredEventSourceMapping, source: string): string {
  const other = consumerOf(d, source);
  if (d.consumer === undefined) return `reads through consumer ${other ?? source}, not the stream itself`;
  return other === undefined
    ? `reads the stream, not the declared consumer ${d.consumer}`
    : `reads through consumer ${other}, not the declared consumer ${d.consumer}`;
}

export interface PatternDiff {
  /** Declared patterns the mapping lacks (canonical JSON). */
  missing: string[];
  /** Live patterns that are not declared (canonical JSON). */
  extra: string[];
  /** Live patterns that are not JSON objects, as read. */
  unparsable: string[];
}

export function diffPatterns(declared: readonly string[], live: readonly string[]): PatternDiff {
  const want = new Set(declared);
  const have = new Set<string>();
  const unparsable: string[] = [];
  for (const raw of live) {
    const p = readPattern(raw);
    if (p.ok) have.add(p.canonical);
    else unparsable.push(p.raw);
  }
  return {
    missing: [...want].filter((p) => !have.has(p)),
    extra: [...have].filter((p) => !want.has(p)),
    unparsable,
  };
}

function samePatterns(diff: PatternDiff): boolean {
  return diff.missing.length === 0 && diff.extra.length === 0 && diff.unparsable.length === 0;
}

export interface MappingComparison {
  desired: DesiredEventSourceMapping;
  /**
   * `missing`: no mapping of the function reads the declared stream; `drift`: one does, with other filters or
   * through another source (the stream instead of the declared consumer, or another consumer).
   */
  status: 'in-sync' | 'missing' | 'drift';
  /** The live mapping the declared one is (in-sync), or the closest one (drift). */
  mapping?: LiveEventSourceMapping;
  /** For drift: how the filters differ. */
  patterns?: PatternDiff;
  /** One sentence per difference (drift), for the plan and the audit. */
  differences: string[];
  /**
   * Mappings of the declared function on the same stream (directly, through a consumer, or through an alias or
   * version of the function) whose filters are not exactly the grant's, other than `mapping`: without any filter the
   * function receives every record; with other filters, records the grant's filters exclude. An unfiltered `mapping`
   * is one too. Lambda refuses a second mapping of one function on one source, but an alias or a consumer is another
   * pair, so one matching mapping must not hide the rest.
   */
  bypasses: LiveEventSourceMapping[];
  /** False when `mapping` reads another source than the declared one (drift that a filter update cannot fix). */
  source?: false;
}

function describe(diff: PatternDiff): string[] {
  const out: string[] = [];
  if (diff.missing.length) out.push(`declared filter patterns missing: ${diff.missing.join(', ')}`);
  if (diff.extra.length) out.push(`undeclared filter patterns: ${diff.extra.join(', ')}`);
  if (diff.unparsable.length)
    out.push(`filter patterns that are not JSON objects: ${diff.unparsable.map((p) => JSON.stringify(p)).join(', ')}`);
  return out;
}

/** Compare one declared mapping with the mappings read in the grantee's account. */
export function compareMapping(
  d: DesiredEventSourceMapping,
  live: readonly LiveEventSourceMapping[],
): MappingComparison {
  const ours = live.filter((m) => isDeclaredFunction(d, m.functionArn));
  const onStream = ours.filter((m) => readsStream(d, m.eventSourceArn));
  const unlike = (m: LiveEventSourceMapping) =>
    m.filterPatterns.length === 0 || !samePatterns(diffPatterns(d.patterns, m.filterPatterns));
  // Everything reading the stream with other filters than the grant's, but the mapping reported as in sync or drift.
  const bypassesBeside = (chosen: LiveEventSourceMapping | undefined) =>
    onStream.filter((m) => unlike(m) && (m !== chosen || m.filterPatterns.length === 0));
  const onSource = ours.filter((m) => readsDeclaredSource(d, m.eventSourceArn));
  if (onSource.length === 0) {
    // A filtered mapping of the function on the stream through another source: drift (a source cannot be changed
    // in place, https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html).
    const elsewhere = onStream.find((m) => m.filterPatterns.length > 0);
    if (elsewhere === undefined)
      return { desired: d, status: 'missing', differences: [], bypasses: bypassesBeside(undefined) };
    const diff = diffPatterns(d.patterns, elsewhere.filterPatterns);
    const differences = [wrongSource(d, elsewhere.eventSourceArn), ...describe(diff)];
    const bypasses = bypassesBeside(elsewhere);
    return { desired: d, status: 'drift', mapping: elsewhere, patterns: diff, differences, bypasses, source: false };
  }
  const diffs = onSource.map((m) => ({ m, diff: diffPatterns(d.patterns, m.filterPatterns) }));
  const same = diffs.find((x) => samePatterns(x.diff));
  if (same)
    return { desired: d, status: 'in-sync', mapping: same.m, differences: [], bypasses: bypassesBeside(same.m) };
  // The closest: a mapping with filters before one without (that one is reported as a bypass anyway).
  const closest = diffs.find((x) => x.m.filterPatterns.length > 0) ?? (diffs[0] as (typeof diffs)[number]);
  const differences =
    closest.m.filterPatterns.length === 0 ? ['the mapping has no filter criteria'] : describe(closest.diff);
  const bypasses = bypassesBeside(closest.m);
  return { desired: d, status: 'drift', mapping: closest.m, patterns: closest.diff, differences, bypasses };
}

/** What a bypassing mapping lets through, for plan warnings and audit findings. */
export function bypassWhat(m: LiveEventSourceMapping, grantId: string): string {
  return m.filterPatterns.length === 0
    ? `without filter criteria, so every record reaches it past grant ${grantId}'s filters`
    : `with other filter criteria than grant ${grantId}'s (${m.filterPatterns.join(', ')}), so records the grant's ` +
        'filters exclude can reach it';
}

/** Starting position, batch settings and state of a live mapping: the evidence plan and audit show. */
export function mappingEvidence(m: LiveEventSourceMapping): Record<string, unknown> {
  return {
    uuid: m.uuid,
    functionArn: m.functionArn,
    eventSourceArn: m.eventSourceArn,
    ...(m.state !== undefined ? { state: m.state } : {}),
    ...(m.startingPosition !== undefined ? { startingPosition: m.startingPosition } : {}),
    ...(m.batchSize !== undefined ? { batchSize: m.batchSize } : {}),
    ...(m.maximumBatchingWindowInSeconds !== undefined
      ? { maximumBatchingWindowInSeconds: m.maximumBatchingWindowInSeconds }
      : {}),
    filterPatterns: m.filterPatterns,
  };
}

/**
 * An audit report read back (`meshgov audit --out audit.json`, then `meshgov report github --input audit.json`):
 * untrusted JSON checked field by field against {@link AuditReport} before anything renders it, so a hand-edited or
 * foreign file is refused with the first bad path instead of crashing a renderer.
 */
import type { AuditReport, Finding, FindingSeverity, ShardChart } from './findings.js';
import { summarise } from './findings.js';

export type ParsedAuditReport = { report: AuditReport; problem?: undefined } | { report?: undefined; problem: string };

const SEVERITIES: ReadonlySet<string> = new Set<FindingSeverity>(['error', 'warning', 'info']);

class Bad extends Error {}

/**
 * Bounds on what a report may hold, far above anything `meshgov audit` writes: a hostile file must not make the
 * renderers (which escape and re-render text) take minutes and gigabytes, or overflow the stack on nesting.
 */
export const REPORT_LIMITS = { textChars: 16_384, evidenceDepth: 32, evidenceChars: 262_144 } as const;

type Json = Record<string, unknown>;

function obj(v: unknown, at: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Bad(`${at} must be an object`);
  return v as Json;
}
function str(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new Bad(`${at} must be a string`);
  if (v.length > REPORT_LIMITS.textChars)
    throw new Bad(`${at} is longer than ${REPORT_LIMITS.textChars} characters (${v.length})`);
  return v;
}

/** Evidence is plain JSON of bounded depth and size, walked without recursion (a deep file cannot blow the stack). */
function evidence(v: unknown, at: string): Json {
  const root = obj(v, at);
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  let chars = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (depth > REPORT_LIMITS.evidenceDepth)
      throw new Bad(`${at} is nested deeper than ${REPORT_LIMITS.evidenceDepth} levels`);
    if (typeof value === 'string') chars += value.length;
    else if (typeof value === 'object' && value !== null) {
      for (const [k, child] of Object.entries(value)) {
        chars += k.length;
        stack.push({ value: child, depth: depth + 1 });
      }
    } else chars += 8;
    if (chars > REPORT_LIMITS.evidenceChars)
      throw new Bad(`${at} holds more than ${REPORT_LIMITS.evidenceChars} characters`);
  }
  return root;
}

/** A count of the summary: a whole number from 0 that equals the findings counted. */
function count(v: unknown, at: string, counted: number): number {
  const n = num(v, at);
  if (!Number.isInteger(n) || n < 0) throw new Bad(`${at} must be a whole number from 0`);
  if (n !== counted) throw new Bad(`${at} is ${n}, but the report holds ${counted} such findings`);
  return n;
}
function num(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Bad(`${at} must be a number`);
  return v;
}
function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new Bad(`${at} must be an array`);
  return v;
}
function position(v: unknown, at: string): number {
  const n = num(v, at);
  if (!Number.isInteger(n) || n < 1) throw new Bad(`${at} must be a whole number from 1`);
  return n;
}

/**
 * A field of the one finding type, or its formatVersion 1 name (`id`, `title`, `docsUrl`) in a report written before
 * audit findings took the shared names; when both are present they must agree.
 */
function named(f: Json, name: string, legacy: string, at: string): string {
  if (f[name] === undefined) return str(f[legacy], `${at}.${legacy}`);
  const value = str(f[name], `${at}.${name}`);
  if (f[legacy] !== undefined && f[legacy] !== value) throw new Bad(`${at}.${legacy} must equal ${at}.${name}`);
  return value;
}

function finding(v: unknown, at: string): Finding {
  const f = obj(v, at);
  const severity = str(f['severity'], `${at}.severity`);
  if (!SEVERITIES.has(severity)) throw new Bad(`${at}.severity must be error, warning or info`);
  const out: Finding = {
    code: named(f, 'code', 'id', at),
    severity: severity as FindingSeverity,
    resource: str(f['resource'], `${at}.resource`),
    account: str(f['account'], `${at}.account`),
    message: named(f, 'message', 'title', at),
    evidence: evidence(f['evidence'], `${at}.evidence`),
    remediation: str(f['remediation'], `${at}.remediation`),
  };
  if (f['subject'] !== undefined) out.subject = str(f['subject'], `${at}.subject`);
  if (f['help'] !== undefined || f['docsUrl'] !== undefined) out.help = named(f, 'help', 'docsUrl', at);
  if (f['location'] !== undefined) {
    const l = obj(f['location'], `${at}.location`);
    out.location = {
      file: str(l['file'], `${at}.location.file`),
      line: position(l['line'], `${at}.location.line`),
      column: position(l['column'], `${at}.location.column`),
    };
  }
  return out;
}

function chart(v: unknown, at: string): ShardChart {
  const c = obj(v, at);
  if (c['metric'] !== 'write-bytes-peak' && c['metric'] !== 'write-records-peak') {
    throw new Bad(`${at}.metric must be write-bytes-peak or write-records-peak`);
  }
  if (c['unit'] !== 'percent-of-limit') throw new Bad(`${at}.unit must be percent-of-limit`);
  return {
    account: str(c['account'], `${at}.account`),
    stream: str(c['stream'], `${at}.stream`),
    metric: c['metric'],
    unit: c['unit'],
    threshold: num(c['threshold'], `${at}.threshold`),
    shards: arr(c['shards'], `${at}.shards`).map((s, i) => {
      const o = obj(s, `${at}.shards.${i}`);
      const here = `${at}.shards.${i}`;
      const bar = { shardId: str(o['shardId'], `${here}.shardId`), value: num(o['value'], `${here}.value`) };
      if (o['closed'] === undefined) return bar;
      if (o['closed'] !== true) throw new Bad(`${here}.closed must be true when present`);
      return { ...bar, closed: true as const };
    }),
    omitted: num(c['omitted'], `${at}.omitted`),
  };
}

/** True when a JSON value says it is a meshgov audit report (it may still be a broken one). */
export function looksLikeAuditReport(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return 'formatVersion' in v && 'findings' in v && 'checksRun' in v;
}

/** Check untrusted JSON (already parsed) as an audit report of format version 1. */
export function parseAuditReport(value: unknown): ParsedAuditReport {
  try {
    const r = obj(value, 'the report');
    if (r['formatVersion'] !== 1) {
      throw new Bad(`unsupported audit formatVersion ${JSON.stringify(r['formatVersion'])} (this meshgov reads 1)`);
    }
    const w = obj(r['window'], 'window');
    const s = obj(r['summary'], 'summary');
    const report: AuditReport = {
      formatVersion: 1,
      mesh: str(r['mesh'], 'mesh'),
      generatedAt: str(r['generatedAt'], 'generatedAt'),
      window: {
        start: str(w['start'], 'window.start'),
        end: str(w['end'], 'window.end'),
        periodSeconds: num(w['periodSeconds'], 'window.periodSeconds'),
      },
      findings: arr(r['findings'], 'findings').map((f, i) => finding(f, `findings.${i}`)),
      checksRun: arr(r['checksRun'], 'checksRun').map((c, i) => str(c, `checksRun.${i}`)),
      checksNotRun: arr(r['checksNotRun'], 'checksNotRun').map((c, i) => {
        const o = obj(c, `checksNotRun.${i}`);
        const here = `checksNotRun.${i}`;
        return { check: str(o['check'], `${here}.check`), reason: str(o['reason'], `${here}.reason`) };
      }),
      notes: arr(r['notes'], 'notes').map((n, i) => str(n, `notes.${i}`)),
      summary: { error: 0, warning: 0, info: 0 },
    };
    // The header of the audit issue shows these counts: they must be the findings' own.
    const counted = summarise(report.findings);
    report.summary = {
      error: count(s['error'], 'summary.error', counted.error),
      warning: count(s['warning'], 'summary.warning', counted.warning),
      info: count(s['info'], 'summary.info', counted.info),
    };
    if (r['waived'] !== undefined) {
      report.waived = arr(r['waived'], 'waived').map((f, i) => {
        const here = `waived.${i}`;
        const w = obj(obj(f, here)['waiver'], `${here}.waiver`);
        return {
          ...finding(f, here),
          waivedBy: str(obj(f, here)['waivedBy'], `${here}.waivedBy`),
          waiver: {
            target: str(w['target'], `${here}.waiver.target`),
            expires: str(w['expires'], `${here}.waiver.expires`),
          },
        };
      });
    }
    if (r['shardCharts'] !== undefined) {
      report.shardCharts = arr(r['shardCharts'], 'shardCharts').map((c, i) => chart(c, `shardCharts.${i}`));
    }
    return { report };
  } catch (e) {
    if (e instanceof Bad) return { problem: e.message };
    throw e;
  }
}

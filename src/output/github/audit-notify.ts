/**
 * Audit notifications: GitHub notifies watchers of a new comment, never of an edited issue body. So the audit issue
 * remembers which findings it showed (a hidden line of short finding keys, second line of its body), and each run
 * comments on the findings that are new since then, mentioning the owning domain's contact when the mesh gives a
 * GitHub handle for it. Finding identity is the SARIF fingerprint (`id#resource[#subject]`), hashed. Pure.
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../../core/audit/findings.js';
import { fingerprints } from '../../core/findings/finding.js';
import type { Mesh } from '../../core/model/types.js';
import { codeSpan, escapeMessage, escapeText } from '../markdown/escape.js';

const TAG = 'meshgov:findings';
/** A key, and when a drift run recorded it (`@` unix seconds of that report's `generatedAt`; none for a full run). */
const ENTRY = '[0-9a-f]{16}(?:@[0-9]{1,12})?';
const LINE = new RegExp(`^<!-- meshgov:findings((?: ${ENTRY})*) -->$`);
/** At most this many keys are remembered (31 characters each at most: ~62 KB of the 65,536-character body). */
export const MAX_REMEMBERED = 2_000;
/** At most this many new findings are listed in one comment; the rest are counted. */
const LIST_LIMIT = 50;

/** A finding's key: the first 16 hex of sha256 of its SARIF fingerprint (64 bits: no collision in any real audit). */
export function findingKey(fingerprint: string): string {
  return createHash('sha256').update(fingerprint, 'utf8').digest('hex').slice(0, 16);
}

/** Keys of a report's findings, in report order (fingerprints as in the SARIF output, so `#2` keeps twins apart). */
export function findingKeys(findings: readonly Finding[]): string[] {
  // Live findings name no files: the relativize function is never called.
  return fingerprints(findings, (file) => file).map((p) => findingKey(p.value));
}

/**
 * The hidden line the issue body carries, oldest key first; at most {@link MAX_REMEMBERED} keys: when there are
 * more, the NEWEST are kept (the last ones given), so a key just announced is remembered and not announced again.
 * `recordedAt` stamps the keys a drift run recorded (unix seconds), so a full run generated before then keeps them.
 */
export function findingsLine(keys: readonly string[], recordedAt?: ReadonlyMap<string, number>): string {
  const latest = new Map<string, true>();
  for (const k of keys) {
    latest.delete(k);
    latest.set(k, true);
  }
  const list = [...latest.keys()].slice(-MAX_REMEMBERED);
  const entry = (k: string): string => {
    const at = recordedAt?.get(k);
    return at !== undefined && Number.isSafeInteger(at) && at >= 0 ? ` ${k}@${at}` : ` ${k}`;
  };
  return `<!-- ${TAG}${list.map(entry).join('')} -->`;
}

/** True when the line is a findings line (of any content). */
export function isFindingsLine(line: string): boolean {
  return LINE.test(line);
}

/**
 * The keys an issue body remembers, each with the drift run's stamp when it has one: only from its second line
 * (after the audit marker), only when that line has the exact shape. Undefined when there is none.
 */
export function readFindingEntries(body: string | null | undefined): Map<string, number | undefined> | undefined {
  const line = (body ?? '').split(/\r?\n/)[1] ?? '';
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const out = new Map<string, number | undefined>();
  for (const e of (m[1] as string).split(' ').filter((x) => x !== '')) {
    const [k, at] = e.split('@') as [string, string | undefined];
    out.set(k, at !== undefined ? Number(at) : undefined);
  }
  return out;
}

/**
 * The keys an issue body remembers (see {@link readFindingEntries}). Undefined when there is none (an issue written
 * before this existed, or an edited body).
 */
export function readFindingKeys(body: string | null | undefined): Set<string> | undefined {
  const entries = readFindingEntries(body);
  return entries === undefined ? undefined : new Set(entries.keys());
}

/** Unix seconds of an ISO timestamp, or undefined when it is not one. */
export function unixSeconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/** A GitHub user or team handle that GitHub turns into a notification: `@login` or `@org/team`. */
const HANDLE = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9_.-]{1,100})?$/;

/** Who owns the resource of a finding: the stream's contact, else its domain owner's (by account and stream name). */
export function ownerContact(mesh: Mesh, f: Finding): { domain: string; contact: string } | undefined {
  const stream = /^(\d{12})\/stream\/([^/]+)/.exec(f.resource);
  const grant = /^mesh\/grant\/(.+)$/.exec(f.resource);
  const s =
    stream !== null
      ? mesh.streams.find((x) => x.account === stream[1] && x.name === stream[2])
      : grant !== null
        ? mesh.streams.find((x) => x.name === mesh.grants.find((g) => g.id === grant[1])?.stream)
        : undefined;
  if (s === undefined) return undefined;
  const domain = mesh.domains.find((d) => d.name === s.domain);
  const contact = s.contact ?? domain?.owner.contact;
  return contact === undefined ? undefined : { domain: s.domain, contact };
}

export interface NewFinding {
  finding: Finding;
  owner?: { domain: string; contact: string };
}

/** A contact as written in a comment: a GitHub handle raw (so it notifies), anything else as inert text. */
function contactText(contact: string): string {
  return HANDLE.test(contact) ? contact : escapeText(contact);
}

/** The comment on the audit issue listing findings that are new since the last run. */
export function newFindingsComment(items: readonly NewFinding[], runUrl?: string): string {
  const run = runUrl !== undefined && /^https?:\/\/[^\s<>()]+$/.test(runUrl) ? ` ([workflow run](${runUrl}))` : '';
  const lines = items.slice(0, LIST_LIMIT).map(({ finding: f, owner }) => {
    const who = owner !== undefined ? `, domain ${codeSpan(owner.domain)} (${contactText(owner.contact)})` : '';
    return `- **${f.severity}** ${codeSpan(f.code)} on ${codeSpan(f.resource)}${who}: ${escapeMessage(f.message)}`;
  });
  if (items.length > LIST_LIMIT) lines.push(`- … and ${items.length - LIST_LIMIT} more (see the issue description)`);
  const mentioned = items.flatMap((i) =>
    i.owner !== undefined && HANDLE.test(i.owner.contact) ? [i.owner.contact] : [],
  );
  const handles = [...new Set(mentioned)].sort();
  const cc = handles.length > 0 ? ['', `cc ${handles.join(' ')}`] : [];
  return [`**${items.length} new finding(s)** since the last meshgov audit${run}:`, '', ...lines, ...cc].join('\n');
}

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
const LINE = /^<!-- meshgov:findings((?: [0-9a-f]{16})*) -->$/;
/** At most this many keys are remembered (17 characters each: ~34 KB of the 65,536-character body at most). */
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

/** The hidden line the issue body carries; at most {@link MAX_REMEMBERED} keys (a longer list remembers the first). */
export function findingsLine(keys: readonly string[]): string {
  const list = [...new Set(keys)].slice(0, MAX_REMEMBERED);
  return `<!-- ${TAG}${list.map((k) => ` ${k}`).join('')} -->`;
}

/**
 * The keys an issue body remembers: only from its second line (after the audit marker), only when that line has the
 * exact shape. Undefined when there is none (an issue written before this existed): nothing is then called new.
 */
export function readFindingKeys(body: string | null | undefined): Set<string> | undefined {
  const line = (body ?? '').split(/\r?\n/)[1] ?? '';
  const m = LINE.exec(line);
  return m === null ? undefined : new Set((m[1] as string).split(' ').filter((k) => k !== ''));
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

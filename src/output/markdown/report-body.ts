/**
 * Assembly of the markdown bodies meshgov posts to GitHub: the sticky plan comment and the audit issue.
 * Pure: (parts) -> string. The hidden marker comes first so the adapters find "our" comment or issue by a
 * prefix test, and so content further down (which may quote user-supplied text) can never be mistaken for it.
 */
import { codeSpan, escapeText } from './escape.js';

/** GitHub rejects issue and comment bodies longer than this many characters ("Body is too long (maximum is 65536 characters)"). */
export const GITHUB_BODY_LIMIT = 65_536;

/** What a report is about: a plan comment on a pull request, or an audit issue. */
export type ReportKind = 'plan' | 'audit';

/**
 * Normalise a mesh file path for the marker: forward slashes, no leading `./`. Characters outside a conservative
 * set are percent-encoded so the marker can never contain `-->` (which would end the HTML comment early) or
 * anything else a user could use to forge or break it.
 */
export function markerKey(meshFile: string): string {
  const normalised = meshFile.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  return Array.from(normalised, (ch) =>
    /^[A-Za-z0-9._/+-]$/.test(ch)
      ? ch
      : Array.from(new TextEncoder().encode(ch), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  ).join('');
}

/** The hidden marker identifying meshgov's report for one mesh file, e.g. `<!-- meshgov:plan:mesh.yaml -->`. */
export function markerFor(kind: ReportKind, meshFile: string): string {
  return `<!-- meshgov:${kind}:${markerKey(meshFile)} -->`;
}

/** True when a body is a meshgov report with this marker: the marker must be the very first line. */
export function hasMarker(body: string | null | undefined, marker: string): boolean {
  if (body === null || body === undefined) return false;
  return body === marker || body.startsWith(`${marker}\n`) || body.startsWith(`${marker}\r\n`);
}

export interface AssembleOptions {
  /** The hidden marker from {@link markerFor}; becomes the first line. */
  marker: string;
  /** The report markdown (already escaped by its renderer). */
  body: string;
  /** Optional trailing line (e.g. the run link); kept even when the body is truncated. */
  footer?: string;
  /** Maximum length in UTF-16 code units; defaults to {@link GITHUB_BODY_LIMIT}. */
  limit?: number;
  /** Where the full report can be found when the body is truncated (the workflow run with the artefact). */
  fullReportUrl?: string;
  /** Name of the uploaded artefact holding the full report, for the truncation note. */
  artifactName?: string;
}

export interface AssembledBody {
  body: string;
  /** True when the report was cut to fit the limit. */
  truncated: boolean;
  /** Length of the report before truncation, UTF-16 code units. */
  originalLength: number;
}

/** The note that replaces the cut part of a report; says how much is shown and where the rest is. */
export function truncationNote(shown: number, total: number, fullReportUrl?: string, artifactName?: string): string {
  const where = artifactName !== undefined ? `the ${codeSpan(artifactName)} artefact` : 'the workflow artefact';
  const link =
    fullReportUrl !== undefined && /^https?:\/\/[^\s<>()]+$/.test(fullReportUrl)
      ? ` of [this workflow run](${fullReportUrl})`
      : '';
  return (
    `> [!WARNING]\n` +
    `> **Report truncated**: GitHub limits comments and issues to 65,536 characters, so only the first ` +
    `${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} characters are shown. ` +
    `The full report is in ${where}${link}.`
  );
}

/** Cut markdown to at most `max` UTF-16 code units at a line boundary, closing any open code fence or `<details>`. */
export function truncateMarkdown(markdown: string, max: number): string {
  const lines = markdown.split('\n');
  const kept: string[] = [];
  let length = 0;
  let fence: string | undefined;
  let openDetails = 0;
  for (const line of lines) {
    const closing = closersFor(fence, openDetails);
    const nextFence = fenceAfter(fence, line);
    // `<details>` inside a code block is text, not a tag.
    const inCode = fence !== undefined || nextFence !== undefined;
    const nextDetails = inCode
      ? openDetails
      : Math.max(0, openDetails + count(line, /<details\b/gi) - count(line, /<\/details>/gi));
    const closingAfter = closersFor(nextFence, nextDetails);
    if (length + line.length + 1 + closingAfter.length > max) {
      return kept.join('\n') + (kept.length > 0 ? '\n' : '') + closing;
    }
    kept.push(line);
    length += line.length + 1;
    fence = nextFence;
    openDetails = nextDetails;
  }
  return kept.join('\n');
}

function count(s: string, re: RegExp): number {
  return (s.match(re) ?? []).length;
}

/** The fence that is open after this line, given the fence open before it (CommonMark fenced code blocks). */
function fenceAfter(open: string | undefined, line: string): string | undefined {
  const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
  if (m === null) return open;
  const marker = m[1] as string;
  if (open === undefined) return marker;
  // A closing fence uses the same character, at least as long, with nothing after it.
  if (marker[0] === open[0] && marker.length >= open.length && line.trim() === marker) return undefined;
  return open;
}

function closersFor(fence: string | undefined, openDetails: number): string {
  return (fence !== undefined ? `${fence}\n` : '') + '</details>\n'.repeat(openDetails);
}

/**
 * Put a report together: marker line, body, optional footer. When the result would exceed the limit, the body is
 * cut at a line boundary (open code fences and `<details>` are closed) and followed by a note saying so and
 * pointing at the full report. The marker and footer always survive.
 */
export function assembleReportBody(options: AssembleOptions): AssembledBody {
  const limit = options.limit ?? GITHUB_BODY_LIMIT;
  const footer = options.footer !== undefined ? `\n\n${options.footer}` : '';
  const head = `${options.marker}\n`;
  const full = `${head}${options.body}${footer}`;
  const originalLength = options.body.length;
  if (full.length <= limit) return { body: full, truncated: false, originalLength };
  // The note's numbers depend on how much is shown; reserve room for the longest possible numbers.
  const reserve =
    truncationNote(originalLength, originalLength, options.fullReportUrl, options.artifactName).length + 4;
  const room = limit - head.length - footer.length - reserve;
  if (room < 0) throw new RangeError(`limit ${limit} is too small for the marker, footer and truncation note`);
  const shown = truncateMarkdown(options.body, room);
  const note = truncationNote(shown.length, originalLength, options.fullReportUrl, options.artifactName);
  const body = `${head}${shown}${shown.endsWith('\n') || shown === '' ? '' : '\n'}\n${note}${footer}`;
  return { body, truncated: true, originalLength };
}

/** A one-line footer naming the run that produced the report; every value is escaped or validated. */
export function runFooter(run: { url?: string; runId?: string; sha?: string }): string {
  const parts = ['<sub>meshgov'];
  if (run.runId !== undefined && /^\d+$/.test(run.runId)) {
    parts.push(
      run.url !== undefined && /^https?:\/\/[^\s<>()]+$/.test(run.url)
        ? `· run [${run.runId}](${run.url})`
        : `· run ${run.runId}`,
    );
  }
  if (run.sha !== undefined && run.sha !== '') parts.push(`· commit ${escapeText(run.sha.slice(0, 12))}`);
  return `${parts.join(' ')}</sub>`;
}

/**
 * GitHub Actions workflow annotations (`::error file=...,line=...,col=...::message`). GitHub shows at most 10
 * annotations of each kind (error, warning, notice) per step and drops the rest without a word
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-error-message
 * and the limits under "Annotations"). So at most that many are emitted per kind; when findings are left out, one
 * notice gives the totals and says where the rest are: listed in the same step's log, as plain lines.
 */
import { isResourceFinding } from '../../core/findings/finding.js';
import type { Finding, Severity, SourceLocation } from '../../core/findings/finding.js';
import { terminalSafe } from '../terminal.js';

/** Annotations GitHub shows per kind per step. */
export const ANNOTATIONS_PER_KIND = 10;

type Kind = 'error' | 'warning' | 'notice';
const KIND: Record<Severity, Kind> = { error: 'error', warning: 'warning', info: 'notice' };
const PLAIN = { ansi: false } as const;

/** Escape data for a workflow command, https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts */
function escapeData(s: string): string {
  // The log viewer interprets ANSI sequences: a message from the mesh shows its control characters, never runs them.
  return terminalSafe(s, PLAIN).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Where a finding is annotated: its source node; a live resource's declaration, else `fallback`. */
function where(f: Finding, fallback: SourceLocation): SourceLocation & { endLine?: number; endColumn?: number } {
  return isResourceFinding(f) ? (f.location ?? fallback) : f;
}

/** A live finding's message says what is wrong; an annotation shows one text, so the fix goes with it. */
function text(f: Finding): string {
  return isResourceFinding(f) ? `${f.message}. ${f.remediation}` : f.message;
}

function annotation(f: Finding, fallback: SourceLocation, relativize: (file: string) => string): string {
  const d = where(f, fallback);
  const props = [`file=${escapeProperty(relativize(d.file))}`, `line=${d.line}`, `col=${d.column}`];
  if (d.endLine !== undefined) props.push(`endLine=${d.endLine}`);
  if (d.endColumn !== undefined && d.endLine === d.line) props.push(`endColumn=${d.endColumn}`);
  props.push(`title=${escapeProperty(`meshgov ${f.code}`)}`);
  return `::${KIND[f.severity]} ${props.join(',')}::${escapeData(text(f))}\n`;
}

/** A finding left out of the annotations, as a plain log line (`file:line:col: severity: message [code]`). */
function logLine(f: Finding, fallback: SourceLocation): string {
  const d = where(f, fallback);
  // Indented: a line that starts with `::` is a workflow command, whatever a file name from the mesh holds.
  return `  ${escapeData(`${d.file}:${d.line}:${d.column}: ${f.severity}: ${text(f)} [${f.code}]`)}\n`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export interface GithubAnnotationOptions {
  /** The command that lists every finding, named in the notice (e.g. `meshgov validate mesh.yaml`). */
  fullListCommand?: string;
  /** Where live findings the mesh does not declare are annotated (the root mesh file, line 1). */
  defaultLocation?: SourceLocation;
  /** File paths as GitHub resolves them: relative to the same root as SARIF's (as given when absent). */
  relativize?: (file: string) => string;
}

/**
 * Annotations for the findings, at most {@link ANNOTATIONS_PER_KIND} per kind, in the findings' order. When some are
 * left out: first one notice with the totals (it takes one of the notice places), then the annotations, then every
 * finding left out as a plain log line under a heading.
 */
export function formatGithub(diagnostics: readonly Finding[], options: GithubAnnotationOptions = {}): string {
  const fallback = options.defaultLocation ?? { file: 'mesh.yaml', line: 1, column: 1 };
  const count = (k: Kind) => diagnostics.filter((d) => KIND[d.severity] === k).length;
  const totals = { error: count('error'), warning: count('warning'), notice: count('notice') };
  const overflow = Object.values(totals).some((n) => n > ANNOTATIONS_PER_KIND);
  // The summary notice is itself a notice: it leaves one place fewer for info findings.
  const room: Record<Kind, number> = {
    error: ANNOTATIONS_PER_KIND,
    warning: ANNOTATIONS_PER_KIND,
    notice: ANNOTATIONS_PER_KIND - (overflow ? 1 : 0),
  };
  const shown: Finding[] = [];
  const rest: Finding[] = [];
  for (const d of diagnostics) {
    const k = KIND[d.severity];
    if (room[k] > 0) {
      room[k]--;
      shown.push(d);
    } else rest.push(d);
  }
  const out: string[] = [];
  if (rest.length > 0) {
    const annotated = { error: 0, warning: 0, notice: 0 };
    for (const d of shown) annotated[KIND[d.severity]]++;
    const where = options.fullListCommand !== undefined ? `; \`${options.fullListCommand}\` lists them all` : '';
    out.push(
      `::notice title=${escapeProperty('meshgov: not every finding is annotated')}::${escapeData(
        `${plural(diagnostics.length, 'finding')}: ${plural(totals.error, 'error')}, ` +
          `${plural(totals.warning, 'warning')}, ` +
          `${totals.notice} info. GitHub shows ${ANNOTATIONS_PER_KIND} annotations of each kind per step: ` +
          `annotated ${annotated.error} errors, ${annotated.warning} warnings, ` +
          `${annotated.notice} info; the other ${rest.length} are listed in this step's log${where}.`,
      )}\n`,
    );
  }
  const relativize = options.relativize ?? ((file: string) => file);
  out.push(...shown.map((f) => annotation(f, fallback, relativize)));
  if (rest.length > 0) {
    const limit = `GitHub's limit of ${ANNOTATIONS_PER_KIND} per kind per step`;
    out.push(`meshgov: ${plural(rest.length, 'finding')} not annotated (${limit}):\n`);
    out.push(...rest.map((f) => logLine(f, fallback)));
  }
  return out.join('');
}

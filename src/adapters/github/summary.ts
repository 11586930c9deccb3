/**
 * The job summary: markdown appended to the file named by `$GITHUB_STEP_SUMMARY`
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary).
 * GitHub shows at most 1 MiB per step; a longer summary fails the upload, so it is cut with a note.
 */
import { appendFileSync, statSync } from 'node:fs';
import { redact } from '../../core/redact.js';
import { truncateMarkdown } from '../../output/markdown/report-body.js';

/** GitHub's limit for one step's summary, in bytes. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface SummaryOptions {
  /** Secrets to redact (the token). */
  secrets?: readonly (string | undefined)[];
  /** Byte limit for the whole file after appending (default 1 MiB). */
  limitBytes?: number;
}

function existingSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Append markdown (plus a blank line) to the step summary file; returns true when it had to be truncated. */
export function appendStepSummary(
  path: string,
  markdown: string,
  options: SummaryOptions = {},
): { truncated: boolean } {
  const limit = options.limitBytes ?? STEP_SUMMARY_LIMIT_BYTES;
  let text = `${redact(markdown, options.secrets ?? [])}\n\n`;
  const room = limit - existingSize(path);
  let truncated = false;
  if (Buffer.byteLength(text) > room) {
    truncated = true;
    const note =
      "\n> [!WARNING]\n> **Summary truncated** to fit GitHub's 1 MiB job summary limit; see the uploaded artefact for the full report.\n\n";
    // Cutting by UTF-16 length first, then by bytes, keeps multi-byte characters whole.
    let cut = truncateMarkdown(text, Math.max(0, room - Buffer.byteLength(note)));
    while (Buffer.byteLength(cut) + Buffer.byteLength(note) > room && cut.length > 0)
      cut = truncateMarkdown(cut, Math.floor(cut.length * 0.9));
    text = Buffer.byteLength(note) <= room ? cut + note : '';
  }
  if (text !== '') appendFileSync(path, text, 'utf8');
  return { truncated };
}

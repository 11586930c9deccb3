/**
 * Text for a terminal or a CI log. Names, descriptions, justifications, tag values and policy principals come from
 * the mesh or the accounts, and a terminal obeys what it is sent: ESC starts a control sequence (move the cursor,
 * clear the screen, rewrite the title, hide text, a hyperlink), BEL rings, C1 controls (U+0080-U+009F) are the same
 * sequences in one byte on some terminals, and bidi controls reorder what a reader sees (Trojan Source,
 * CVE-2021-42574). Every text renderer passes its output through {@link terminalSafe}, which shows such characters
 * as a visible `<U+XXXX>` and keeps only the colour sequences meshgov's own {@link Style} writes.
 */
import { STYLE_SGR_CODES } from './style.js';
import type { Style } from './style.js';

/**
 * C0 controls but tab and line feed, DEL, C1 controls, format characters (bidi embeddings, overrides and isolates,
 * zero-width characters, the BOM) and the Unicode line and paragraph separators.
 */
const UNSAFE = /[^\P{Cc}\t\n]|[\u2028\u2029\p{Cf}]/u;
const SGR = `\u001b\\[(?:${STYLE_SGR_CODES.join('|')})m`;
const WITH_SGR = new RegExp(`(${SGR})|${UNSAFE.source}`, 'gu');
const WITHOUT_SGR = new RegExp(UNSAFE.source, 'gu');
/** Line breaks inside a value that is shown on one line: a value must not start a line of its own. */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085\v\f]/g;

function visible(ch: string): string {
  return `<U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`;
}

/**
 * A whole text output made safe to write: every unsafe character becomes `<U+XXXX>`; with a colour style, the exact
 * colour sequences the style writes are kept (at worst a hostile value changes a colour, never the screen).
 */
export function terminalSafe(text: string, style: Pick<Style, 'ansi'>): string {
  if (!style.ansi) return text.replace(WITHOUT_SGR, visible);
  return text.replace(WITH_SGR, (m: string, sgr: string | undefined) => (sgr !== undefined ? m : visible(m)));
}

/** One value shown inline: line breaks and tabs become spaces (it cannot forge a line), the rest terminal-safe. */
export function terminalInline(value: string): string {
  return terminalSafe(value.replace(LINE_BREAK, ' ').replace(/\t/g, ' '), { ansi: false });
}

/** What the progress line writes first to rewrite itself in place: carriage return, erase the line. */
export const REWRITE_LINE = '\r\u001b[2K';

/**
 * The last guard before a terminal, for one write of any output (a plan, an error, an apply step): as
 * {@link terminalSafe} with colour kept, and {@link REWRITE_LINE} allowed only at the start of the write, where only
 * meshgov's own live line puts it (a value from the mesh is never first in a write, so it cannot erase a line).
 */
export function terminalWrite(chunk: string): string {
  const rewrite = chunk.startsWith(REWRITE_LINE);
  const safe = terminalSafe(rewrite ? chunk.slice(REWRITE_LINE.length) : chunk, { ansi: true });
  return rewrite ? REWRITE_LINE + safe : safe;
}

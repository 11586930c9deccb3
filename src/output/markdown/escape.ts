/**
 * Escaping for GitHub-flavoured markdown. Every string a user wrote (stream, domain and principal names,
 * descriptions, justifications, policy text, file paths) goes through one of these helpers before it is
 * concatenated into a comment, an issue or a job summary, so that a name can never inject markup, mentions,
 * issue references, links, images or HTML.
 *
 * The model: GitHub renders markdown (CommonMark + GFM, https://github.github.com/gfm/), then post-processes the
 * HTML text nodes to link `@user`, `#123`, `GH-123` and bare URLs. Backslash escapes stop the first stage only,
 * so references are broken with a zero-width space written as the entity `&#8203;` (the technique Renovate and
 * Dependabot use); the raw markdown itself never contains an invisible character.
 *
 * Each helper redacts secrets (GitHub tokens, AWS credentials: src/core/redact.ts) from its input *before* escaping:
 * escaping inserts backslashes (`ghp\_...`) that would hide a token from the redaction of the finished body.
 */
import { redact as redactSecrets } from '../../core/redact.js';

/** ASCII punctuation that CommonMark lets us backslash-escape (https://spec.commonmark.org/0.31.2/#backslash-escapes). */
const BACKSLASH_ESCAPED = new Set('\\`*_{}[]()#+-.!|~=:$'.split(''));

/** The zero-width space as an HTML entity: breaks GitHub's reference and autolink filters without a raw invisible char. */
export const ZWSP_ENTITY = '&#8203;';

const LINE_TERMINATOR = /\r\n|[\r\n\u2028\u2029\u0085\v\f]/g;
/** Format (Cf: zero-width, bidi overrides, BOM, tag chars), control (Cc) and unassigned/private chars are shown as code points. */
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Co}\p{Cn}\p{Cs}]/gu;

/** `U+202E` style name of a code point, for making invisible characters visible. */
function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Normalise untrusted text before escaping: line terminators become spaces (so a value cannot start a new block,
 * heading, list or table row), tabs become spaces, and invisible or direction-changing characters become a
 * visible `<U+XXXX>` (so a name cannot hide or reorder text; Trojan Source, CVE-2021-42574).
 */
export function normaliseUntrusted(text: string): string {
  return text
    .replace(LINE_TERMINATOR, ' ')
    .replace(/\t/g, ' ')
    .replace(INVISIBLE, (ch) => `<${codePointName(ch)}>`);
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

/**
 * Escape untrusted text for use anywhere inline in GitHub markdown, including a table cell and the inside of
 * `<code>`: the result renders as exactly the input text (after {@link normaliseUntrusted}), with no markup,
 * no HTML, no links or autolinks, no images, no mentions and no issue references.
 */
export function escapeText(text: string): string {
  const s = normaliseUntrusted(redactSecrets(text));
  let out = '';
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const next = chars[i + 1];
    switch (ch) {
      case '&':
        out += '&amp;';
        break;
      case '<':
        out += '&lt;';
        break;
      case '>':
        out += '&gt;';
        break;
      case '@':
        // `@user`, `@org/team` and `user@example.com` (email autolink): never a mention or a mailto link.
        out += `@${ZWSP_ENTITY}`;
        break;
      case '#':
        // `#123` and `owner/repo#123` are issue references once rendered; a backslash does not stop that.
        out += isWordChar(next) ? `\\#${ZWSP_ENTITY}` : '\\#';
        break;
      case ':':
        // `https://…`, `ftp://…` and `mailto:` autolinks need the scheme glued to the colon.
        out += '\\:' + (next === '/' ? ZWSP_ENTITY : '');
        break;
      case '.': {
        // `www.example.com` is an extended autolink (https://github.github.com/gfm/#extended-www-autolink).
        const prev3 = chars
          .slice(Math.max(0, i - 3), i)
          .join('')
          .toLowerCase();
        out += (prev3 === 'www' ? ZWSP_ENTITY : '') + '\\.';
        break;
      }
      case '-': {
        // `GH-123` is an issue reference.
        const prev2 = chars
          .slice(Math.max(0, i - 2), i)
          .join('')
          .toLowerCase();
        out += (prev2 === 'gh' && isWordChar(next) ? ZWSP_ENTITY : '') + '\\-';
        break;
      }
      default:
        out += BACKSLASH_ESCAPED.has(ch) ? `\\${ch}` : ch;
    }
  }
  return out;
}

/** Escape untrusted text for a table cell: {@link escapeText} already escapes `|` and removes line breaks. */
export function escapeTableCell(text: string): string {
  const escaped = escapeText(text);
  // An empty cell is valid, but a lone space keeps the row readable in the raw markdown too.
  return escaped === '' ? ' ' : escaped;
}

/**
 * A message meshgov wrote (a diagnostic, a change reason, a finding), where `backtick spans` mark names and code:
 * the spans become code spans and the rest is escaped text, so the reader sees code, not literal backticks. The
 * values inside come from the mesh, so both parts go through the escaping helpers; an unpaired backtick is text.
 */
export function escapeMessage(text: string): string {
  const parts = text.split('`');
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i % 2 === 0) out += escapeText(part);
    else if (i === parts.length - 1) out += escapeText(`\`${part}`);
    else out += codeSpan(part);
  }
  return out === '' ? ' ' : out;
}

/** Content that a backtick code span shows verbatim and safely, table cells included (no `|`, no line breaks). */
function isPlainForCodeSpan(s: string): boolean {
  return !/[|<>&@#\\]/.test(s) && !/[\p{Cf}\p{Cc}\p{Co}\p{Cn}\p{Cs}\u2028\u2029]/u.test(s);
}

function longestBacktickRun(s: string): number {
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

/**
 * Show untrusted text as inline code, safe for any content and in any inline position (table cells included).
 * Simple values use a backtick code span fenced longer than any backtick run inside; anything with characters
 * that could matter to the surrounding markdown or to GitHub's marker search (`|`, `<`, `>`, `&`, `@`, `#`,
 * backslash, line breaks, invisible characters) becomes `<code>` around {@link escapeText}, which renders the same.
 */
export function codeSpan(untrusted: string): string {
  const text = redactSecrets(untrusted);
  if (!isPlainForCodeSpan(text) || text.trim() === '') return `<code>${escapeText(text) || '&nbsp;'}</code>`;
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  // Padding with one space on each side is stripped by CommonMark, and lets content start or end with a backtick.
  return `${fence} ${text} ${fence}`;
}

/**
 * A fenced code block for untrusted multi-line text (policy documents, YAML excerpts). The fence is longer than
 * any backtick run in the content, so the content cannot close it; invisible characters are made
 * visible; the info string is restricted to a safe language name.
 */
export function codeBlock(untrusted: string, language = ''): string {
  const content = redactSecrets(untrusted)
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2028\u2029]/g, '\n')
    .replace(/[\p{Cf}\p{Co}\p{Cn}\p{Cs}]|[^\P{Cc}\n\t]/gu, (ch) => `<${codePointName(ch)}>`);
  const fence = '`'.repeat(Math.max(2, longestBacktickRun(content)) + 1);
  const lang = /^[A-Za-z0-9_+-]{1,20}$/.test(language) ? language : '';
  return `${fence}${lang}\n${content}${content.endsWith('\n') ? '' : '\n'}${fence}`;
}

import { describe, expect, it } from 'vitest';
import {
  codeBlock,
  codeSpan,
  escapeMessage,
  escapeTableCell,
  escapeText,
  normaliseUntrusted,
} from '../../src/output/markdown/escape.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import { renderReportJson } from '../../src/output/markdown/report-json.js';
import { HOSTILE_CORPUS } from './support/hostile.js';

/** ASCII punctuation that has a meaning somewhere in GitHub markdown and must never appear unescaped. */
const SIGNIFICANT = new Set('\\`*_{}[]()#+-.!|~=:$<>&'.split(''));

/**
 * Read escaped output token by token: a backslash escape, one of the entities we emit, or a plain character that
 * is not markdown-significant, not a line break and not invisible. Returns the decoded text, or throws on any
 * character that would be live markup. Decoding drops the zero-width spaces we insert.
 */
function decodeInert(escaped: string): string {
  let out = '';
  const chars = Array.from(escaped);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined || !SIGNIFICANT.has(next)) throw new Error(`dangling backslash at ${i} in ${escaped}`);
      out += next;
      i++;
      continue;
    }
    if (ch === '&') {
      const rest = escaped.slice(Array.from(escaped).slice(0, i).join('').length);
      const entity = ['&amp;', '&lt;', '&gt;', '&#8203;'].find((e) => rest.startsWith(e));
      if (entity === undefined) throw new Error(`raw & at ${i} in ${escaped}`);
      out += entity === '&amp;' ? '&' : entity === '&lt;' ? '<' : entity === '&gt;' ? '>' : '';
      i += entity.length - 1;
      continue;
    }
    if (SIGNIFICANT.has(ch)) throw new Error(`unescaped ${JSON.stringify(ch)} at ${i} in ${escaped}`);
    if (/[\p{C}\u2028\u2029\n\r]/u.test(ch))
      throw new Error(`raw invisible/control U+${ch.codePointAt(0)?.toString(16)} in ${escaped}`);
    out += ch;
  }
  return out;
}

/** Count table cell delimiters: pipes that are not backslash-escaped (a backslash escapes the next character). */
function cellDelimiters(row: string): number {
  let n = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') i++;
    else if (row[i] === '|') n++;
  }
  return n;
}

describe('escapeText', () => {
  it.each(HOSTILE_CORPUS)('renders %j as inert, faithful text', (input) => {
    const escaped = escapeText(input);
    // Faithful: decoding the escapes gives back the input, with line breaks as spaces and invisibles made visible.
    expect(decodeInert(escaped)).toBe(normaliseUntrusted(input));
    // No mention, issue reference, autolink, HTML comment or marker survives.
    expect(escaped).not.toMatch(/@(?!&#8203;)/);
    expect(escaped).not.toMatch(/(?<!&)#[\p{L}\p{N}_]/u);
    expect(escaped).not.toMatch(/:\/\//);
    expect(escaped).not.toMatch(/www\./i);
    expect(escaped).not.toMatch(/gh-\d/i);
    expect(escaped).not.toContain('<');
    expect(escaped).not.toContain('\n');
    expect(escaped).not.toContain('<!--');
  });

  it('escapes the exact characters of a link, a mention and an issue reference', () => {
    expect(escapeText('[x](https://e.example)')).toBe('\\[x\\]\\(https\\:&#8203;//e\\.example\\)');
    expect(escapeText('@octocat')).toBe('@&#8203;octocat');
    expect(escapeText('fixes #12')).toBe('fixes \\#&#8203;12');
    expect(escapeText('GH-7')).toBe('GH&#8203;\\-7');
    expect(escapeText('www.x')).toBe('www&#8203;\\.x');
    expect(escapeText('<b>')).toBe('&lt;b&gt;');
  });

  it('makes invisible and direction-changing characters visible', () => {
    expect(escapeText('a\u202Eb')).toBe('a&lt;U\\+202E&gt;b');
    expect(escapeText('a\u200Bb')).toBe('a&lt;U\\+200B&gt;b');
    expect(escapeText('x\ny')).toBe('x y');
  });

  it('leaves ordinary names readable', () => {
    expect(escapeText('orders team')).toBe('orders team');
    expect(escapeText('Zoë Ünïcode 数据')).toBe('Zoë Ünïcode 数据');
  });

  it('cannot forge a meshgov marker', () => {
    for (const input of [markerFor('plan', 'mesh.yaml'), `x\n${markerFor('audit', 'mesh.yaml')}`]) {
      expect(escapeText(input)).not.toContain('<!--');
      expect(escapeTableCell(input)).not.toContain('<!--');
      expect(codeSpan(input)).not.toContain('<!--');
    }
  });
});

describe('codeSpan', () => {
  it.each(HOSTILE_CORPUS)('shows %j verbatim without live markup', (input) => {
    const span = codeSpan(input);
    expect(span).not.toContain('\n');
    expect(span).not.toContain('<!--');
    expect(cellDelimiters(span)).toBe(0);
    if (span.startsWith('<code>')) {
      expect(span.endsWith('</code>')).toBe(true);
      const inner = span.slice('<code>'.length, -'</code>'.length);
      expect(decodeInert(inner)).toBe(normaliseUntrusted(input));
    } else {
      // Backtick span: the fence is longer than any backtick run inside, so the content cannot end it.
      const fence = /^`+/.exec(span)?.[0] ?? '';
      const inner = span.slice(fence.length + 1, -(fence.length + 1));
      expect(inner).toBe(input);
      expect(inner).not.toContain(fence);
      expect(input).toMatch(/^[^|<>&@#\\\p{C}\u2028\u2029]*$/u);
    }
  });

  it('fences content with backticks longer than any run inside', () => {
    expect(codeSpan('orders.events')).toBe('` orders.events `');
    expect(codeSpan('a`b')).toBe('`` a`b ``');
    expect(codeSpan('``x``')).toBe('``` ``x`` ```');
    expect(codeSpan('a|b')).toBe('<code>a\\|b</code>');
  });
});

describe('codeBlock', () => {
  it('cannot be closed by the content', () => {
    const block = codeBlock('```\n</details>\n````\nhi', 'json');
    const fence = /^`+/.exec(block)?.[0] ?? '';
    expect(fence.length).toBe(5);
    const lines = block.split('\n');
    expect(lines.filter((l) => l.startsWith(fence))).toHaveLength(2);
    expect(lines[0]).toBe('`````json');
  });

  it('drops an unsafe info string and shows invisible characters', () => {
    expect(codeBlock('a\u202Eb', 'json onload=x')).toBe('```\na<U+202E>b\n```');
  });
});

describe('tables of hostile names', () => {
  it('keep every row at exactly four cells', () => {
    const items = HOSTILE_CORPUS.map((s) => ({ level: s.slice(0, 8), subject: s, message: s }));
    const markdown = renderReportJson({ items }, 'audit');
    const rows = markdown.split('\n').filter((l) => l.startsWith('| '));
    // Header plus one row per item: no hostile value added or broke a row.
    expect(rows).toHaveLength(items.length + 1);
    for (const row of rows) expect(cellDelimiters(row)).toBe(5);
    expect(markdown).not.toContain('<!--');
    expect(markdown).not.toMatch(/@(?!&#8203;)/);
    expect(markdown).not.toMatch(/<(?!\/?code>)/);
  });
});

describe('escapeMessage', () => {
  it('shows the backtick spans of a meshgov message as code, not as literal backticks', () => {
    expect(escapeMessage('Stream `orders.v1` has no `description`.')).toBe(
      'Stream ` orders.v1 ` has no ` description `\\.',
    );
  });

  it('escapes hostile values inside and outside the spans; an unpaired backtick stays text', () => {
    expect(escapeMessage('Grant `a|b@c` names `x')).toBe('Grant <code>a\\|b@&#8203;c</code> names \\`x');
    for (const s of HOSTILE_CORPUS) {
      const cell = escapeMessage(`stream \`${s}\` and ${s}`);
      expect(cellDelimiters(`| ${cell} |`)).toBe(2);
      expect(cell).not.toMatch(/@(?!&#8203;)/);
      expect(cell).not.toMatch(/<(?!\/?code>)/);
    }
  });
});

describe('redact before escaping', () => {
  it('every helper redacts a token-shaped value before escaping would hide it', () => {
    const leaked = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    for (const out of [
      escapeText(`x ${leaked}`),
      escapeTableCell(leaked),
      codeSpan(`@${leaked}`),
      codeBlock(leaked),
      escapeMessage(`\`${leaked}\` ${leaked}`),
    ]) {
      expect(out.replace(/\\/g, '')).not.toContain('ghp_');
    }
  });
});

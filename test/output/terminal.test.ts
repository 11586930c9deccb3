/** Text outputs are terminal-safe: control, C1 and bidi characters from the mesh or the accounts are shown, not obeyed. */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic.js';
import type { AuditReport } from '../../src/core/audit/findings.js';
import { formatAuditText } from '../../src/output/audit/text.js';
import { formatStylish } from '../../src/output/diagnostics/stylish.js';
import { colourStyle, plainStyle } from '../../src/output/style.js';
import { REWRITE_LINE, terminalInline, terminalSafe, terminalWrite } from '../../src/output/terminal.js';

/** Every character a terminal or a reader's eye may obey: ESC (CSI, OSC), BEL, backspace, CR, DEL, C1 CSI, bidi. */
const HOSTILE = 'a\u001b[2Jb\u001b]0;pwned\u0007c\bd\re\u007ff\u009b31mg\u202eh\u2066i\u200bj\ufeffk';
const RAW = /[^\P{Cc}\t\n]|[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

describe('terminalSafe', () => {
  it('shows every control, C1 and format character as <U+XXXX>, keeping tabs and line feeds', () => {
    expect(terminalSafe(HOSTILE, plainStyle)).toBe(
      'a<U+001B>[2Jb<U+001B>]0;pwned<U+0007>c<U+0008>d<U+000D>e<U+007F>f<U+009B>31mg<U+202E>h<U+2066>i<U+200B>j<U+FEFF>k',
    );
    expect(terminalSafe('one\ttwo\nthree', plainStyle)).toBe('one\ttwo\nthree');
  });

  it('keeps exactly the colour sequences the colour style writes, and nothing else', () => {
    const ours = colourStyle.red(colourStyle.bold('x'));
    expect(terminalSafe(ours, colourStyle)).toBe(ours);
    // Not one of ours: hidden text (8), a cursor move, an OSC title, a hyperlink.
    expect(terminalSafe('\u001b[8mhidden\u001b[1A\u001b]8;;https://e.example\u0007', colourStyle)).not.toContain(
      '\u001b',
    );
    // Without colour, even our own sequences are shown (a plain output never carries escapes).
    expect(terminalSafe(ours, plainStyle)).not.toContain('\u001b');
  });

  it('terminalInline: a value cannot start a line of its own', () => {
    expect(terminalInline('a\nPlan: 0 to add\r\nb\u2028c\td')).toBe('a Plan: 0 to add b c d');
  });
});

describe('terminalWrite (what reaches a TTY)', () => {
  it("keeps colour and the live line's rewrite at the start of a write, never a rewrite from a value", () => {
    const ours = `${REWRITE_LINE}read account 1 (1/2)`;
    expect(terminalWrite(ours)).toBe(ours);
    expect(terminalWrite(colourStyle.red('x'))).toBe(colourStyle.red('x'));
    // A value cannot erase what was written before it on the line ("FAILED" turned into "done").
    expect(terminalWrite(`  FAILED create stream a${REWRITE_LINE}  done`)).toBe(
      '  FAILED create stream a<U+000D><U+001B>[2K  done',
    );
  });
});

describe('text renderers are terminal-safe', () => {
  const d: Diagnostic = {
    code: 'x',
    severity: 'warning',
    message: `stream ${HOSTILE}`,
    file: `f${HOSTILE}.yaml`,
    line: 1,
    column: 1,
    path: [],
    help: HOSTILE,
    waivedBy: HOSTILE,
  };
  it('stylish diagnostics, with and without colour', () => {
    for (const style of [plainStyle, colourStyle]) {
      // eslint-disable-next-line no-control-regex -- removes the colour sequences the style itself writes
      const out = formatStylish([d], style).replace(/\u001b\[(?:1|2|22|31|32|33|34|39)m/g, '');
      expect(out).not.toMatch(RAW);
      expect(out).toContain('<U+202E>');
    }
  });

  it('audit text', () => {
    const report: AuditReport = {
      formatVersion: 1,
      mesh: HOSTILE,
      generatedAt: 'now',
      window: { start: 'a', end: 'b', periodSeconds: 60 },
      findings: [
        {
          code: 'undeclared-principal',
          severity: 'error',
          resource: HOSTILE,
          account: '1',
          message: HOSTILE,
          evidence: { principal: HOSTILE },
          remediation: HOSTILE,
        },
      ],
      checksRun: ['access'],
      checksNotRun: [{ check: 'x', reason: HOSTILE }],
      notes: [HOSTILE],
      summary: { error: 1, warning: 0, info: 0 },
    };
    const out = formatAuditText(report, plainStyle);
    expect(out).not.toMatch(RAW);
    expect(out).toContain('<U+009B>');
  });
});

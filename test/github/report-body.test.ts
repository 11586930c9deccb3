import { describe, expect, it } from 'vitest';
import {
  assembleReportBody,
  hasMarker,
  markerFor,
  markerKey,
  runFooter,
  truncateMarkdown,
} from '../../src/output/markdown/report-body.js';

describe('markers', () => {
  it('normalise the mesh file path and percent-encode anything that could break the comment', () => {
    expect(markerFor('plan', './mesh.yaml')).toBe('<!-- meshgov:plan:mesh.yaml -->');
    expect(markerFor('audit', 'meshes\\eu.yaml')).toBe('<!-- meshgov:audit:meshes/eu.yaml -->');
    expect(markerKey('evil --> <b>x</b>.yaml')).toBe('evil%20--%3E%20%3Cb%3Ex%3C/b%3E.yaml');
    expect(markerFor('plan', 'a-->b')).not.toContain('-->b');
  });

  it('count only as the first line of a body', () => {
    const m = markerFor('plan', 'mesh.yaml');
    expect(hasMarker(`${m}\nplan`, m)).toBe(true);
    expect(hasMarker(`${m}\r\nplan`, m)).toBe(true);
    expect(hasMarker(m, m)).toBe(true);
    expect(hasMarker(`quote\n${m}\nplan`, m)).toBe(false);
    expect(hasMarker(`${m}x\nplan`, m)).toBe(false);
    expect(hasMarker(` ${m}\nplan`, m)).toBe(false);
    expect(hasMarker(null, m)).toBe(false);
  });
});

describe('truncateMarkdown', () => {
  it('cuts at a line boundary and closes an open fence and <details>', () => {
    const md = ['<details>', '```', 'a', 'b', 'c', '```', '</details>', 'tail'].join('\n');
    const cut = truncateMarkdown(md, 34);
    expect(cut.length).toBeLessThanOrEqual(34);
    expect(cut).toBe('<details>\n```\na\nb\n```\n</details>\n');
  });

  it('does not count <details> inside a code block', () => {
    const md = ['```', '<details>', 'x', '```', 'after', 'more text here'].join('\n');
    // The cut after `after` adds no `</details>`: the one in the code block was text.
    expect(truncateMarkdown(md, 26)).toBe('```\n<details>\nx\n```\nafter\n');
  });

  it('returns short markdown unchanged', () => {
    expect(truncateMarkdown('a\nb', 100)).toBe('a\nb');
  });
});

describe('assembleReportBody', () => {
  const marker = markerFor('plan', 'mesh.yaml');
  it('puts the marker first and the footer last', () => {
    expect(assembleReportBody({ marker, body: 'plan', footer: 'foot' })).toEqual({
      body: `${marker}\nplan\n\nfoot`,
      truncated: false,
      originalLength: 4,
    });
  });

  it('fits exactly at the limit without truncating, and truncates one character beyond', () => {
    const body = 'x'.repeat(1000 - marker.length - 1);
    const exact = assembleReportBody({ marker, body, limit: 1000 });
    expect([exact.truncated, exact.body.length]).toEqual([false, 1000]);
    const over = assembleReportBody({ marker, body: `${body}y`, limit: 1000 });
    expect(over.truncated).toBe(true);
    expect(over.body.length).toBeLessThanOrEqual(1000);
    const lines = Array.from({ length: 150 }, (_, i) => `line ${i}`).join('\n');
    const cut = assembleReportBody({
      marker,
      body: lines,
      limit: 600,
      fullReportUrl: 'https://github.com/o/r/actions/runs/1',
      artifactName: 'meshgov-plan',
      footer: 'FOOT',
    });
    expect(cut.truncated).toBe(true);
    expect(cut.body.length).toBeLessThanOrEqual(600);
    expect(cut.body.startsWith(`${marker}\nline 0\n`)).toBe(true);
    expect(cut.body.endsWith('\n\nFOOT')).toBe(true);
    expect(cut.body).toMatch(
      /only the first \d+ of 1,239 characters are shown\. The full report is in the ` meshgov-plan ` artefact of \[this workflow run\]\(https:\/\/github.com\/o\/r\/actions\/runs\/1\)\./,
    );
  });

  it('never links an unsafe URL in the note', () => {
    const cut = assembleReportBody({
      marker,
      body: 'a\n'.repeat(400),
      limit: 500,
      fullReportUrl: 'javascript:alert(1)',
    });
    expect(cut.truncated).toBe(true);
    expect(cut.body).not.toContain('javascript');
  });
});

describe('runFooter', () => {
  it('links the run and shows the commit, escaping or dropping anything odd', () => {
    expect(runFooter({ runId: '12', url: 'https://github.com/o/r/actions/runs/12', sha: 'abcdef1234567890' })).toBe(
      '<sub>meshgov · run [12](https://github.com/o/r/actions/runs/12) · commit abcdef123456</sub>',
    );
    expect(runFooter({ runId: '12; x', url: 'https://e.example', sha: '<b>' })).toBe(
      '<sub>meshgov · commit &lt;b&gt;</sub>',
    );
  });
});

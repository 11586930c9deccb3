/**
 * `meshgov validate --format markdown` in-process: the document the plan workflow posts as the PR comment when the
 * mesh does not validate. Every finding appears with its file:line:column, and mesh text (a waiver's
 * justification) is escaped.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIO } from '../support/capture-io.js';
import type { CapturedIO } from '../support/capture-io.js';
import { main } from '../../src/cli/main.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY } from '../support/example-mesh.js';

function io(dir: string): CapturedIO {
  return captureIO(dir, { now: new Date(`${EXAMPLE_TODAY}T09:00:00Z`) });
}

interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  severity: string;
  code: string;
  waivedBy?: string;
}

async function diagnosticsOf(dir: string, file: string): Promise<JsonDiagnostic[]> {
  const t = io(dir);
  await main(['validate', file, '--format', 'json'], t);
  return (JSON.parse(t.out()) as { diagnostics: JsonDiagnostic[] }).diagnostics;
}

describe('meshgov validate --format markdown', () => {
  it('lists every finding of an invalid mesh with its location and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-validate-md-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: meshgov/v1\nmesh: { name: x }\n');
    const t = io(dir);
    expect(await main(['validate', 'bad.yaml', '--format', 'markdown'], t)).toBe(1);
    const expected = await diagnosticsOf(dir, 'bad.yaml');
    expect(expected.length).toBeGreaterThan(0);
    expect(
      t
        .out()
        .startsWith(
          `### meshgov validate\n\n**The mesh is not valid: ${expected.length} errors, 0 warnings, 0 info.**`,
        ),
    ).toBe(true);
    const rows = t
      .out()
      .split('\n')
      .filter((l) => l.startsWith('| :x: error |'));
    expect(rows.map((r) => /` (\S+:\d+:\d+) `/.exec(r)?.[1])).toEqual(
      expected.map((d) => `${d.file}:${d.line}:${d.column}`),
    );
    expect(t.err()).toBe('');
  });

  it('shows a waived finding with its escaped justification on a valid mesh, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-validate-md-'));
    const original =
      "A single shard is the minimum and notifications stay far below one shard's 1 MiB/s; an estimate follows once volume grows.";
    const text = readFileSync(EXAMPLE_MESH_FILE, 'utf8');
    expect(text).toContain(original);
    writeFileSync(join(dir, 'mesh.yaml'), text.replace(original, '"cc @octocat, see #7 <script>x</script> | split"'));
    const t = io(dir);
    expect(await main(['validate', 'mesh.yaml', '--format', 'markdown'], t)).toBe(0);
    const [waived] = (await diagnosticsOf(dir, 'mesh.yaml')).filter((d) => d.waivedBy !== undefined);
    expect(waived?.waivedBy).toBe('cc @octocat, see #7 <script>x</script> | split');
    const row = t
      .out()
      .split('\n')
      .find((l) => l.startsWith('| :information_source: info (waived) |'));
    expect(row).toContain(`\` mesh.yaml:${waived!.line}:${waived!.column} \``);
    expect(row).toContain('**Waived:** cc @&#8203;octocat, see \\#&#8203;7 &lt;script&gt;x&lt;/script&gt; \\| split |');
    expect(t.out()).not.toMatch(/@octocat|<script>|#7/);
  });
});

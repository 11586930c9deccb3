import { describe, expect, it } from 'vitest';
import { renderMesh } from '../../../src/core/render/index.js';
import {
  RENDER_FORMAT_VERSION,
  prettyJson,
  renderFiles,
  renderJson,
  safeSegment,
} from '../../../src/output/render/files.js';
import { loadFile } from '../../proof/load.js';

const TODAY = '2026-11-26';
const { mesh } = loadFile('mesh.yaml', TODAY);
const state = renderMesh(mesh, { today: TODAY }).value;

describe('render file layout', () => {
  const files = renderFiles(state);
  const paths = files.map((f) => f.path);

  it('lays files out by account, then kind', () => {
    expect(paths).toContain('111111111111/streams/payments.transactions.v1.json');
    expect(paths).toContain('111111111111/consumers/payments.transactions.v1/fraud-scorer.json');
    expect(paths).toContain('222222222222/iam/identity-policy/meshgov-fraud-scorer.json');
    expect(paths).toContain('222222222222/iam/event-source-mapping/esm-risk-alerts-filters-high-scores.json');
    expect(paths).toContain('333333333333/iam/fanout-policy/meshgov-fanout-push-gateway-fans-out-notifications.json');
    expect(paths).toContain('organization/meshgov-tag-guard.json');
    expect(paths[0]).toBe('meshgov-render.json');
  });

  it('writes one artefact per file: unique, sorted paths, pretty JSON with a trailing newline', () => {
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.slice(1)).toEqual([...paths.slice(1)].sort());
    for (const f of files) {
      expect(f.content.endsWith('}\n')).toBe(true);
      expect(prettyJson(JSON.parse(f.content))).toBe(f.content);
    }
  });

  it("makes each artefact file's text when it is read (a writer holds one at a time), the same bytes each time", () => {
    const artefacts = files.slice(1);
    for (const f of artefacts) {
      expect(typeof Object.getOwnPropertyDescriptor(f, 'content')?.get, f.path).toBe('function');
      expect(f.content).toBe(f.content);
    }
    const stream = state.accounts.flatMap((a) => a.streams)[0]!;
    const file = artefacts.find((f) => f.path.endsWith(`/streams/${stream.name}.json`))!;
    expect(file.content).toBe(prettyJson(stream));
  });

  it('lists every file in the manifest', () => {
    const manifest = JSON.parse(files[0]!.content) as {
      formatVersion: number;
      files: string[];
      organizationId: string;
    };
    expect(manifest.formatVersion).toBe(RENDER_FORMAT_VERSION);
    expect(manifest.files).toEqual(paths.slice(1));
    expect(manifest.organizationId).toBe('o-acme1234ab');
  });

  it('prints one document for --format json', () => {
    const doc = JSON.parse(renderJson(state)) as { formatVersion: number; accounts: unknown[] };
    expect(doc.formatVersion).toBe(RENDER_FORMAT_VERSION);
    expect(doc.accounts).toHaveLength(3);
  });
});

describe('safe path segments', () => {
  it.each([
    ['orders.v1', 'orders.v1'],
    ['..', '_..'],
    ['.', '_.'],
    ['a/b', 'a_b'],
    ['a\\b', 'a_b'],
    ['', '_'],
  ])('%j -> %j', (name, want) => {
    expect(safeSegment(name)).toBe(want);
  });
});

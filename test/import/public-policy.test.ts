/**
 * Import of unmanaged streams whose resource policies are public or outside the IAM grammar (issue 14, defect 1).
 * `meshgov import` exited 1 with `Cannot use 'in' operator to search for 'AWS' in *`: its preview of the next
 * plan (src/cli/commands/import.ts, `previewNotes`) runs the plan on the imported streams. Here the same two
 * steps run pure: importMesh reports what no grant can express, and the plan of the imported mesh against the
 * live stream neither throws nor hides that `*` loses access.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importMesh } from '../../src/core/import/index.js';
import type { ImportResult } from '../../src/core/import/index.js';
import { computePlan, emptyScope } from '../../src/core/plan/index.js';
import type { LiveStream } from '../../src/core/plan/live.js';
import { renderMesh } from '../../src/core/render/index.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY } from '../support/example-mesh.js';
import { aLiveStream, validateText } from './support.js';

const EXAMPLE = readFileSync(EXAMPLE_MESH_FILE, 'utf8');
const ACCOUNT = '111111111111';
const NAME = 'payments.public.v1';
const ARN = `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/${NAME}`;
const READER = 'arn:aws:iam::222222222222:role/ledger-reader';
const READ = ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary'];

function importStream(live: LiveStream): ImportResult {
  const v = validateText(EXAMPLE_MESH_FILE, EXAMPLE, EXAMPLE_TODAY);
  if (!v.mesh) throw new Error('the example mesh validates');
  const check = (t: string) => validateText(EXAMPLE_MESH_FILE, t, EXAMPLE_TODAY).diagnostics;
  return importMesh({ text: EXAMPLE, mesh: v.mesh, streams: [live], today: EXAMPLE_TODAY, check });
}

/** The import preview: the plan of the imported mesh for the imported stream only, as the CLI computes it. */
function previewPlan(text: string, stream: LiveStream) {
  const v = validateText(EXAMPLE_MESH_FILE, text, EXAMPLE_TODAY);
  if (!v.mesh || !v.ok) throw new Error(`the imported mesh does not validate: ${v.diagnostics.map((d) => d.message)}`);
  const rendered = renderMesh(v.mesh, { today: EXAMPLE_TODAY }).value;
  const desired = {
    ...rendered,
    accounts: rendered.accounts.map((a) => ({
      ...a,
      streams: a.streams.filter((s) => s.name === NAME),
      consumers: [],
      iam: [],
    })),
  };
  const live = { region: 'eu-west-1', accounts: [{ account: ACCOUNT, streams: [stream] }], notChecked: [] };
  const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
  return computePlan({ desired, live, meshDigest: '', clock, scope: emptyScope() });
}

describe('import: a public stream policy', () => {
  const forms: [string, unknown][] = [
    ['"*"', '*'],
    ['{"AWS": "*"}', { AWS: '*' }],
  ];
  it.each(forms)('Principal %s: not expressible, reported; the preview plan shows * losing access', (_f, principal) => {
    const live = aLiveStream({
      name: NAME,
      account: ACCOUNT,
      arn: ARN,
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'LedgerReader', Effect: 'Allow', Principal: { AWS: READER }, Action: READ, Resource: ARN },
          { Sid: 'Public', Effect: 'Allow', Principal: principal, Action: READ, Resource: ARN },
        ],
      },
    });
    const r = importStream(live);
    expect(r.grants.map((g) => [g.principal.role, g.access])).toEqual([['ledger-reader', 'consume']]);
    expect(r.notes.map((n) => n.message)).toContainEqual(
      expect.stringMatching(
        /^could not express statement 2 \(Sid Public\) of the stream resource policy: wildcard principal \*.*apply/,
      ),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);

    const plan = previewPlan(r.text, live);
    const policyChanges = plan.changes.filter((c) => c.resourceType === 'stream-policy');
    expect(policyChanges).toMatchObject([{ action: 'update', risk: 'destructive' }]);
    const lost = plan.accessDiff.filter((a) => a.change === 'lose').map((a) => `${a.principal} ${a.access}`);
    expect(lost).toEqual(['* consume']);
  });
});

describe('import: policies outside the grammar are reported, never a crash', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'a statement that is not an object',
      { Statement: [null, { Effect: 'Allow', Principal: { AWS: READER }, Action: READ, Resource: ARN }] },
      /statement 1 of the stream resource policy: statement 1 is null, not an object/,
    ],
    [
      'a document that is not an object',
      'policy',
      /the whole of the stream resource policy: the document does not follow the IAM policy grammar/,
    ],
    [
      'a principal of an unknown type',
      { Statement: [{ Sid: 'Odd', Effect: 'Allow', Principal: { Someone: 'x' }, Action: READ, Resource: ARN }] },
      /statement 1 \(Sid Odd\).*do not follow the IAM policy grammar: Principal.Someone/,
    ],
  ])('%s', (_name, resourcePolicy, message) => {
    const live = aLiveStream({ name: NAME, account: ACCOUNT, arn: ARN, resourcePolicy });
    const r = importStream(live);
    expect(r.notes.map((n) => n.message)).toContainEqual(expect.stringMatching(message));
    expect(() => previewPlan(r.text, live)).not.toThrow();
  });
});

/** Helpers for the import unit tests: the built-in rule pack and an in-memory validator of a root document. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPolicyDir } from '../../src/adapters/fs/policies.js';
import { fsReader } from '../../src/adapters/fs/reader.js';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic.js';
import type { LiveStream } from '../../src/core/plan/live.js';
import { loadRules, runRules } from '../../src/core/rules/index.js';
import type { Rule } from '../../src/core/rules/index.js';
import { validateMesh } from '../../src/core/validate.js';
import type { ValidateResult } from '../../src/core/validate.js';

const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));
let rules: Rule[] | undefined;

function builtinRules(): Rule[] {
  rules ??= loadRules(
    readPolicyDir(POLICIES).flatMap((f) => (typeof f.text === 'string' ? [{ file: f.file, text: f.text }] : [])),
  ).value;
  return rules;
}

/** Validate `text` as the root file `file` (includes read from disk next to it), with the built-in rules. */
export function validateText(file: string, text: string, today: string): ValidateResult {
  const root = resolve(file);
  const reader = { read: (f: string) => (resolve(f) === root ? text : fsReader.read(f)) };
  const v = validateMesh(file, reader, { today });
  const diagnostics: Diagnostic[] = [...v.diagnostics];
  if (v.mesh) diagnostics.push(...runRules({ mesh: v.mesh, locator: v.locator, today, rules: builtinRules() }));
  return { ...v, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error') };
}

/** A live stream as the reader returns it: ACTIVE, on-demand, 24 h, AWS-managed key, no tags, no consumers. */
export function aLiveStream(o: Partial<LiveStream> & { name: string; account: string }): LiveStream {
  return {
    arn: `arn:aws:kinesis:eu-west-1:${o.account}:stream/${o.name}`,
    status: 'ACTIVE',
    mode: 'ON_DEMAND',
    shards: 4,
    retentionHours: 24,
    encryption: { type: 'KMS', keyId: 'alias/aws/kinesis' },
    enhancedMonitoring: [],
    tags: {},
    consumers: [],
    ...o,
  };
}

/**
 * Named built-in functions for what a JSON Schema over one entity cannot say: cross-references between
 * entities, values computed from parameters, patterns built from the entity's own fields.
 * Each function returns the findings for one entity (an empty list = compliant). Documented in docs/rules.md.
 */
import { domainCostWithinCap } from '../cost/cap.js';
import type { EntityKind, FunctionFinding, ParamValues } from './types.js';
import type { EntityView, MeshIndex } from './views.js';
import { keyManagement } from './views.js';

export interface RuleFunction {
  /** Kinds of entity the function understands. */
  appliesTo: readonly EntityKind[];
  /** Parameters the function reads (the rule must declare them). */
  params: readonly string[];
  description: string;
  run(view: EntityView, params: ParamValues, index: MeshIndex): FunctionFinding[];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fieldOf(value: Record<string, unknown>, path: string): unknown {
  let cur: unknown = value;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** `{{field}}` in a pattern becomes the entity's (regex-escaped) value of that field. */
function expandPattern(pattern: string, value: Record<string, unknown>): string {
  return pattern.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_m, key: string) =>
    escapeRegExp(String(fieldOf(value, key) ?? '')),
  );
}

const matchesPattern: RuleFunction = {
  appliesTo: ['mesh', 'domain', 'stream', 'grant', 'consumer'],
  params: ['field', 'pattern'],
  description:
    "The string at `field` matches the regular expression `pattern`, after `{{x}}` placeholders are replaced by the entity's own (escaped) field values, e.g. `^{{domain}}\\.[a-z0-9-]+\\.v[0-9]+$`.",
  run(view, params) {
    const field = String(params['field']);
    const expanded = expandPattern(String(params['pattern']), view.value);
    const actual = fieldOf(view.value, field);
    if (typeof actual === 'string' && new RegExp(expanded, 'u').test(actual)) return [];
    return [{ path: field.split('.'), values: { expectedPattern: expanded, actual: String(actual ?? '') } }];
  },
};

const encryptionMeetsClassification: RuleFunction = {
  appliesTo: ['stream'],
  params: [],
  description:
    'A KMS-encrypted stream uses a key at least as strong as its classification requires: `customer-managed` classifications need a key other than the AWS-managed `alias/aws/kinesis`. (Unencrypted streams are the job of `stream-encryption-kms-required`.)',
  run(view, _params, index) {
    const s = index.streams.get(String(view.value['name']));
    const c = s ? index.classifications.get(s.classification) : undefined;
    if (!s || !c || s.encryption.type === 'NONE') return [];
    if (c.encryption === 'customer-managed' && keyManagement(s) !== 'customer-managed') {
      return [
        {
          path: ['encryption', 'keyId'],
          values: { required: c.encryption, actual: keyManagement(s), keyId: s.encryption.keyId ?? '' },
        },
      ];
    }
    return [];
  },
};

const accountShardsWithinQuota: RuleFunction = {
  appliesTo: ['mesh'],
  params: ['maxShardsPerAccount'],
  description:
    'The provisioned shards of all streams in one account (the larger of `shards` and `autoscaling.max`) stay within `maxShardsPerAccount`. Reported at the stream that crosses the quota.',
  run(_view, params, index) {
    const max = Number(params['maxShardsPerAccount']);
    const totals = new Map<string, number>();
    const out: FunctionFinding[] = [];
    for (const s of index.mesh.streams) {
      if (s.capacity.mode !== 'PROVISIONED') continue;
      const shards = Math.max(s.capacity.shards ?? 0, s.capacity.autoscaling?.max ?? 0);
      const before = totals.get(s.account) ?? 0;
      const after = before + shards;
      totals.set(s.account, after);
      if (before <= max && after > max) {
        out.push({
          spot: { ref: s.at, path: ['capacity', 'shards'] },
          values: { account: s.account, stream: s.name, total: after },
        });
      }
    }
    return out;
  },
};

/** The registry of named functions, by name. */
export const RULE_FUNCTIONS: ReadonlyMap<string, RuleFunction> = new Map([
  ['matches-pattern', matchesPattern],
  ['encryption-meets-classification', encryptionMeetsClassification],
  ['account-shards-within-quota', accountShardsWithinQuota],
  ['domain-cost-within-cap', domainCostWithinCap],
]);

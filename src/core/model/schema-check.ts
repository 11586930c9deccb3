import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, DocPath } from '../diagnostics/diagnostic.js';
import { diagnostic, keyRangeAt, rangeAt, scalarSource } from '../source/source.js';
import type { SourceFile } from '../source/source.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import * as precompiled from './mesh-validators.generated.js';
import { ACCOUNT_ID, DATE, IAM_PATH, NAME, REFERENCE, ROLE_NAME, STREAM_NAME, TAG_KEY, TAG_VALUE } from './schema.js';

/**
 * The schemas compiled ahead of time (scripts/schema-validators.ts, with the ajv options they run with): compiling
 * them here took ~300 ms of every CLI run.
 */
const validators: Record<'mesh' | 'domain', ValidateFunction> = {
  mesh: precompiled.mesh as unknown as ValidateFunction,
  domain: precompiled.domain as unknown as ValidateFunction,
};

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function describe(path: DocPath): string {
  if (path.length === 0) return 'the document';
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return `\`${out}\``;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function valueAt(data: unknown, path: DocPath): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

const HUMAN_PATTERNS: Record<string, string> = {
  [ACCOUNT_ID]: 'a 12-digit AWS account id in quotes, e.g. "111122223333"',
  [NAME]: 'lowercase letters, digits and dashes (1-63 characters, no leading or trailing dash)',
  [STREAM_NAME]: 'a Kinesis name: letters, digits, `_`, `.` and `-` (1-128 characters; no `*`, spaces, `:` or `/`)',
  [ROLE_NAME]: 'an IAM role name: letters, digits and `+=,.@_-` (1-64 characters), not an ARN, path or wildcard',
  [IAM_PATH]: 'an IAM path such as `/` or `/team/` (no wildcards)',
  [DATE]: 'a date as YYYY-MM-DD',
  [TAG_KEY]: 'a tag key of letters, digits and `_ . : / = + - @` (1-128 characters, no spaces or wildcards)',
  [TAG_VALUE]: 'a tag value of letters, digits, inner spaces and `_ . : / = + - @` (up to 256 characters)',
  [REFERENCE]: 'an ARN or URL without spaces, `*`, `?`, `$` or braces',
};

function human(pattern: string): string {
  return HUMAN_PATTERNS[pattern] ?? `match the pattern ${pattern}`;
}

/** Turn ajv's errors into one readable diagnostic per offending path (after Spectral's convertAjvErrors). */
export function convertAjvErrors(src: SourceFile, errors: readonly ErrorObject[]): Diagnostic[] {
  const out = new Map<string, Diagnostic>();
  const priority = new Map<string, number>();
  const add = (path: DocPath, code: string, message: string, atKey: boolean, rank: number) => {
    const key = JSON.stringify(path);
    if ((priority.get(key) ?? -1) >= rank) return;
    priority.set(key, rank);
    const range = atKey ? keyRangeAt(src, path) : rangeAt(src, path);
    out.set(key, diagnostic(src.file, range, path, code, 'error', message));
  };
  for (const e of errors) {
    if (e.propertyName !== undefined) continue; // a key failed propertyNames: reported at the key below
    const path = pointerToPath(e.instancePath);
    const value = valueAt(src.data, path);
    switch (e.keyword) {
      case 'additionalProperties': {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        const allowed = Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object);
        add(
          [...path, extra],
          'schema-unknown-key',
          `Unknown key \`${extra}\` in ${describe(path)}.${didYouMeanSuffix(extra, allowed)} Allowed: ${allowed.join(', ')}.`,
          true,
          5,
        );
        break;
      }
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        add(
          [...path, missing],
          'schema-missing-key',
          `${describe(path)} is missing the required key \`${missing}\`; add \`${missing}:\` to it.`,
          false,
          4,
        );
        break;
      }
      case 'false schema': {
        const last = path[path.length - 1];
        add(
          path,
          'schema-not-allowed',
          `\`${String(last)}\` is not allowed here: ${notAllowedReason(String(last))}`,
          true,
          5,
        );
        break;
      }
      case 'type': {
        const expected = (e.params as { type: string }).type;
        const want =
          expected === 'object'
            ? 'a mapping'
            : expected === 'array'
              ? 'a list'
              : expected === 'integer'
                ? 'an integer'
                : `a ${expected}`;
        const quote =
          expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')
            ? ` Put it in quotes: ${JSON.stringify(scalarSource(src, path) ?? String(value))}${(e.parentSchema as { pattern?: string })?.pattern === ACCOUNT_ID ? ' (account ids must be quoted: unquoted, YAML reads them as numbers and drops leading zeros)' : ''}.`
            : '';
        add(
          path,
          'schema-type',
          `${describe(path)} must be ${want}, not ${typeName(value)}.${quote || typeHint(expected, value)}`,
          false,
          3,
        );
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        add(
          path,
          'schema-enum',
          `${describe(path)} is \`${String(value)}\`; allowed: ${allowed.join(', ')}.${didYouMeanSuffix(String(value), allowed)}`,
          false,
          3,
        );
        break;
      }
      case 'const': {
        add(
          path,
          'schema-const',
          `${describe(path)} must be \`${String((e.params as { allowedValue: unknown }).allowedValue)}\`.`,
          false,
          3,
        );
        break;
      }
      case 'pattern': {
        const pattern = (e.params as { pattern: string }).pattern;
        add(
          path,
          'schema-pattern',
          `${describe(path)} is ${JSON.stringify(value)}; it must be ${human(pattern)}.`,
          false,
          2,
        );
        break;
      }
      case 'format': {
        const format = (e.params as { format: string }).format;
        add(
          path,
          'schema-format',
          `${describe(path)} is ${JSON.stringify(value)}, not a valid ${format}${format === 'date' ? '; use a calendar date as YYYY-MM-DD' : ''}.`,
          false,
          1,
        );
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        add(
          path,
          'schema-range',
          `${describe(path)} is ${String(value)}; it ${e.message ?? 'is out of range'}.`,
          false,
          2,
        );
        break;
      }
      case 'minItems':
      case 'maxItems':
      case 'minLength':
      case 'maxLength':
      case 'uniqueItems': {
        add(
          path,
          'schema-size',
          `${describe(path)} ${sizeMessage(e.keyword, e.params as { limit?: number; i?: number; j?: number }, value)}.`,
          false,
          2,
        );
        break;
      }
      case 'propertyNames': {
        break; // reported by the nested pattern error on the key itself
      }
      case 'if':
      case 'allOf':
        break; // the nested error says what is wrong
      default:
        add(path, `schema-${e.keyword}`, `${describe(path)} ${e.message ?? 'is invalid'}.`, false, 0);
    }
  }
  // propertyNames errors point at the key: ajv reports instancePath of the object and propertyName in params.
  for (const e of errors) {
    if (e.keyword === 'pattern' && e.propertyName !== undefined) {
      const path = [...pointerToPath(e.instancePath), e.propertyName];
      const key = JSON.stringify(path);
      priority.set(key, 9);
      out.set(
        key,
        diagnostic(
          src.file,
          keyRangeAt(src, path),
          path,
          'schema-key-pattern',
          'error',
          `Key ${JSON.stringify(e.propertyName)} in ${describe(path.slice(0, -1))} is not allowed; it must be ${human((e.params as { pattern: string }).pattern)}.`,
        ),
      );
    }
  }
  return [...out.values()];
}

function typeHint(expected: string, value: unknown): string {
  if (
    (expected === 'integer' || expected === 'number') &&
    typeof value === 'string' &&
    value.trim() !== '' &&
    !Number.isNaN(Number(value))
  ) {
    return ' Remove the quotes.';
  }
  if (expected === 'integer') return ' Use a whole number, e.g. `24`.';
  if (expected === 'number') return ' Use a number, e.g. `2.5`.';
  if (expected === 'array' && (value === null || typeof value !== 'object'))
    return ' Write it as a list: `[a, b]`, or one `- item` per line.';
  if (expected === 'object' && (value === null || typeof value !== 'object'))
    return ' Write it as a mapping of keys, e.g. `{ key: value }`, or indented `key: value` lines.';
  if (expected === 'string' && value !== null && typeof value === 'object') return ' Write a single value.';
  return '';
}

function sizeMessage(keyword: string, params: { limit?: number; i?: number; j?: number }, value: unknown): string {
  const n = params.limit ?? 0;
  const plural = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  switch (keyword) {
    case 'minItems':
      return `needs at least ${plural(n, 'entry')}`.replace('entrys', 'entries');
    case 'maxItems':
      return `may have at most ${plural(n, 'entry')}`.replace('entrys', 'entries');
    case 'minLength':
      return `is too short: it needs at least ${plural(n, 'character')}`;
    case 'maxLength':
      return `is too long (${typeof value === 'string' ? value.length : '?'} characters); shorten it to at most ${n}`;
    default:
      return `lists the same value twice (entries ${(params.j ?? 0) + 1} and ${(params.i ?? 0) + 1}); remove the duplicate`;
  }
}

function notAllowedReason(key: string): string {
  switch (key) {
    case 'shards':
    case 'autoscaling':
      return 'only provisioned streams have shards; on-demand streams scale by themselves.';
    case 'keyId':
      return 'an unencrypted stream (type NONE) has no key.';
    case 'consumer':
      return 'only `pattern: efo` and `pattern: filtered` grants name an enhanced fan-out consumer.';
    case 'consumerTags':
      return 'only `pattern: efo` grants and `pattern: filtered` grants with a `consumer` have a consumer to tag.';
    case 'filter':
      return 'only `pattern: filtered` grants carry filter rules.';
    case 'fanout':
      return 'only `pattern: fanout` grants name a fan-out target.';
    default:
      return 'producers have no consumer settings (pattern, consumer, filter, fanout, replayHours, kcl).';
  }
}

/** Validate a root mesh file or an included domain file against its schema. */
export function checkSchema(src: SourceFile, kind: 'mesh' | 'domain'): Diagnostic[] {
  const v = validators[kind];
  if (v(src.data)) return [];
  return convertAjvErrors(src, v.errors ?? []);
}

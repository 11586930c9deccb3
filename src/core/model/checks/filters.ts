import type { Diagnostic, DocPath } from '../../diagnostics/diagnostic.js';
import type { CheckContext } from './context.js';

/**
 * Lambda event filtering limits for Kinesis sources:
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 * Filters apply to the `data` key only (which must hold JSON), at most 5 filters per mapping by default
 * (10 with a quota increase), each pattern at most 4096 characters.
 */
export const MAX_PATTERN_CHARS = 4096;
const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists']);
const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);

export interface PatternProblem {
  path: DocPath;
  message: string;
  /** The problem is the key at `path` itself (an unknown key or operator), so point at the key. */
  atKey?: boolean;
}

/** Check one filter pattern's grammar; returns the problems with their paths inside the pattern. */
export function checkPatternGrammar(pattern: unknown): PatternProblem[] {
  const problems: PatternProblem[] = [];
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    return [{ path: [], message: 'a filter pattern must be a mapping with a single `data` key' }];
  }
  const keys = Object.keys(pattern);
  for (const k of keys) {
    if (k !== 'data')
      problems.push({
        path: [k],
        atKey: true,
        message: `filters on Kinesis records may only match the \`data\` key, not \`${k}\`; move the condition under \`data\``,
      });
  }
  if (!keys.includes('data')) problems.push({ path: [], message: 'the pattern has no `data` key' });
  const data = (pattern as Record<string, unknown>)['data'];
  if (data !== undefined) walkObject(data, ['data'], problems);
  return problems;
}

function walkObject(node: unknown, path: DocPath, problems: PatternProblem[]): void {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    problems.push({ path, message: 'expected a mapping of field names to lists of matching values' });
    return;
  }
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length === 0)
    problems.push({ path, message: 'an empty mapping matches nothing; name at least one field' });
  for (const [k, v] of entries) {
    if (k === '$or') {
      if (!Array.isArray(v) || v.length < 2)
        problems.push({ path: [...path, k], message: '`$or` takes a list of at least two patterns' });
      else v.forEach((alt, i) => walkObject(alt, [...path, k, i], problems));
    } else if (Array.isArray(v)) {
      if (v.length === 0) problems.push({ path: [...path, k], message: 'an empty list matches nothing' });
      v.forEach((m, i) => checkMatcher(m, [...path, k, i], problems));
    } else if (v !== null && typeof v === 'object') {
      walkObject(v, [...path, k], problems);
    } else {
      problems.push({ path: [...path, k], message: `values must be lists, e.g. \`${k}: [${JSON.stringify(v)}]\`` });
    }
  }
}

function checkMatcher(m: unknown, path: DocPath, problems: PatternProblem[]): void {
  if (m === null || typeof m === 'string' || typeof m === 'number' || typeof m === 'boolean') return;
  if (Array.isArray(m) || typeof m !== 'object') {
    problems.push({ path, message: 'a matcher is a value or a mapping with one operator' });
    return;
  }
  const ops = Object.keys(m);
  if (ops.length !== 1) {
    problems.push({ path, message: `a matcher mapping takes exactly one operator (${[...OPERATORS].join(', ')})` });
    return;
  }
  const op = ops[0] as string;
  const arg = (m as Record<string, unknown>)[op];
  if (!OPERATORS.has(op)) {
    problems.push({
      path: [...path, op],
      atKey: true,
      message: `unknown filter operator \`${op}\`; Lambda supports ${[...OPERATORS].join(', ')}`,
    });
    return;
  }
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof arg !== 'string' || arg === '')
        problems.push({ path: [...path, op], message: `\`${op}\` takes a non-empty string` });
      break;
    case 'exists':
      if (typeof arg !== 'boolean') problems.push({ path: [...path, op], message: '`exists` takes true or false' });
      break;
    case 'anything-but': {
      const ok = (x: unknown) => typeof x === 'string' || typeof x === 'number';
      if (!(ok(arg) || (Array.isArray(arg) && arg.length > 0 && arg.every(ok)))) {
        problems.push({
          path: [...path, op],
          message: '`anything-but` takes a string, a number or a non-empty list of them',
        });
      }
      break;
    }
    case 'numeric': {
      const a = arg as unknown[];
      const valid =
        Array.isArray(a) &&
        (a.length === 2 || a.length === 4) &&
        a.every((x, i) =>
          i % 2 === 0 ? typeof x === 'string' && NUMERIC_OPS.has(x) : typeof x === 'number' && Number.isFinite(x),
        );
      if (!valid)
        problems.push({
          path: [...path, op],
          message: '`numeric` takes [op, number] or [op, number, op, number] with op one of =, <, <=, >, >=',
        });
      break;
    }
  }
}

export function checkFilters(ctx: CheckContext): Diagnostic[] {
  const { mesh, locator } = ctx;
  const out: Diagnostic[] = [];
  for (const g of mesh.grants) {
    const f = g.filter;
    if (!f) continue;
    if (f.patterns.length > f.maxFilters) {
      out.push(
        locator.at(
          g.at,
          ['filter', 'patterns'],
          'filter-too-many',
          'error',
          `Grant \`${g.id}\` has ${f.patterns.length} filter patterns; a Lambda event source mapping takes at most ${f.maxFilters}${f.maxFilters === 5 ? ' (10 with a quota increase: set `maxFilters: 10`)' : ''}.`,
        ),
      );
    }
    f.patterns.forEach((p, i) => {
      const size = JSON.stringify(p).length;
      if (size > MAX_PATTERN_CHARS) {
        out.push(
          locator.at(
            g.at,
            ['filter', 'patterns', i],
            'filter-pattern-too-long',
            'error',
            `Grant \`${g.id}\`: filter pattern ${i + 1} is ${size} characters as JSON; Lambda allows ${MAX_PATTERN_CHARS}.`,
          ),
        );
      }
      for (const problem of checkPatternGrammar(p)) {
        const at = problem.atKey ? locator.atKey.bind(locator) : locator.at.bind(locator);
        out.push(
          at(
            g.at,
            ['filter', 'patterns', i, ...problem.path],
            'filter-pattern-invalid',
            'error',
            `Grant \`${g.id}\`, filter pattern ${i + 1}: ${problem.message}.`,
          ),
        );
      }
    });
  }
  return out;
}

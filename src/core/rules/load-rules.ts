/** Parse and check guardrail rule files: malformed files become diagnostics located in the file, never a crash. */
import type { ValidateFunction } from 'ajv';
import { AUDIT_CHECK_BY_ID } from '../audit/checks.js';
import type { Diagnostic, DocPath, Result } from '../diagnostics/diagnostic.js';
import { compareDiagnostics } from '../diagnostics/diagnostic.js';
import { didYouMeanSuffix } from '../model/did-you-mean.js';
import { convertAjvErrors } from '../model/schema-check.js';
import { diagnostic, keyRangeAt, parseSource, rangeAt } from '../source/source.js';
import type { SourceFile } from '../source/source.js';
import { paramRefs, rememberCache, SchemaCache } from './compile.js';
import { RULE_FUNCTIONS } from './functions.js';
import * as precompiled from './rule-file-validator.generated.js';
import type { ParamValues, Rule, RuleDefinition } from './types.js';

/** The rule file schema compiled ahead of time (scripts/schema-validators.ts): compiling it here took ~100 ms a run. */
const fileValidator = precompiled.ruleFile as unknown as ValidateFunction;

/** The file name without directory and `.yaml`/`.yml`. */
export function baseName(file: string): string {
  const name = file.replace(/\\/g, '/').split('/').pop() ?? file;
  return name.replace(/\.ya?ml$/, '');
}

/** Default parameter values of a rule. */
export function defaultParams(rule: Pick<RuleDefinition, 'params'>): ParamValues {
  const out: ParamValues = {};
  for (const [k, p] of Object.entries(rule.params)) out[k] = p.default;
  return out;
}

/** Whether `value` has the declared parameter type. */
export function paramTypeOk(type: string, value: unknown): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === type;
}

/** Parse one rule file. The rule is undefined when the file has errors. */
export function parseRuleFile(
  file: string,
  text: string,
  cache: SchemaCache = new SchemaCache(),
): Result<Rule | undefined> {
  const parsed = parseSource(file, text);
  const diagnostics = [...parsed.diagnostics];
  const src = parsed.value;
  if (!src || diagnostics.some((d) => d.severity === 'error')) return { value: undefined, diagnostics };
  const at = (path: DocPath, code: string, message: string, key = false) =>
    diagnostic(file, key ? keyRangeAt(src, path) : rangeAt(src, path), path, code, 'error', message);
  if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data)) {
    return {
      value: undefined,
      diagnostics: [
        at(
          [],
          'rule-file-invalid',
          `${file} must be a mapping with id, title, description, severity, appliesTo, message and a requirement or function.`,
        ),
      ],
    };
  }
  const v = fileValidator;
  if (!v(src.data)) {
    const schemaDiags = convertAjvErrors(src, v.errors ?? []).map((d) => ({
      ...d,
      code: d.code.replace(/^schema-/, 'rule-file-'),
    }));
    if (schemaDiags.length === 0)
      schemaDiags.push(
        at([], 'rule-file-invalid', 'A rule needs a `requirement` (JSON Schema), a `function`, or both.'),
      );
    return { value: undefined, diagnostics: [...diagnostics, ...schemaDiags].sort(compareDiagnostics) };
  }
  const raw = src.data as Omit<RuleDefinition, 'params'> & { params?: RuleDefinition['params'] };
  const rule: Rule = { ...raw, params: raw.params ?? {}, file };
  diagnostics.push(...checkRule(rule, src, cache));
  const failed = diagnostics.some((d) => d.severity === 'error');
  if (!failed) rememberCache(rule, cache);
  return { value: failed ? undefined : rule, diagnostics: diagnostics.sort(compareDiagnostics) };
}

function checkRule(rule: Rule, src: SourceFile, cache: SchemaCache): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: DocPath, code: string, message: string, key = false) =>
    diagnostic(src.file, key ? keyRangeAt(src, path) : rangeAt(src, path), path, code, 'error', message);
  if (rule.id !== baseName(src.file)) {
    out.push(
      at(
        ['id'],
        'rule-file-id-mismatch',
        `Rule id \`${rule.id}\` must equal its file name \`${baseName(src.file)}\` (one rule per file, file name = rule id).`,
      ),
    );
  }
  for (const [name, p] of Object.entries(rule.params)) {
    if (!paramTypeOk(p.type, p.default)) {
      out.push(
        at(
          ['params', name, 'default'],
          'rule-param-default-type',
          `Parameter \`${name}\` is declared ${p.type} but its default is ${JSON.stringify(p.default)}.`,
        ),
      );
    }
  }
  if (rule.function !== undefined) {
    const fn = RULE_FUNCTIONS.get(rule.function);
    if (!fn) {
      out.push(
        at(
          ['function'],
          'rule-unknown-function',
          `Unknown function \`${rule.function}\`.${didYouMeanSuffix(rule.function, RULE_FUNCTIONS.keys())} Known: ${[...RULE_FUNCTIONS.keys()].join(', ')}.`,
        ),
      );
    } else {
      if (!fn.appliesTo.includes(rule.appliesTo)) {
        out.push(
          at(
            ['appliesTo'],
            'rule-function-kind',
            `Function \`${rule.function}\` works on ${fn.appliesTo.join(', ')}, not on ${rule.appliesTo}.`,
          ),
        );
      }
      for (const p of fn.params) {
        if (!Object.hasOwn(rule.params, p))
          out.push(
            at(
              ['function'],
              'rule-function-param-missing',
              `Function \`${rule.function}\` needs the parameter \`${p}\`; declare it under \`params\` with a default.`,
            ),
          );
      }
    }
  }
  if (out.length > 0) return out;
  const defaults = Object.fromEntries(Object.entries(rule.params).map(([k, p]) => [k, p.default]));
  for (const key of ['selector', 'requirement'] as const) {
    const schema = rule[key];
    if (!schema) continue;
    const unknown = [...paramRefs(schema)].filter((p) => !Object.hasOwn(rule.params, p));
    if (unknown.length > 0) {
      out.push(
        at(
          [key],
          'rule-param-undeclared',
          `The ${key} refers to undeclared parameter(s) ${unknown.map((u) => `\`${u}\``).join(', ')}; declare them under \`params\`.`,
        ),
      );
      continue;
    }
    const proto = protoKeyPath(schema);
    if (proto !== undefined) {
      out.push(
        at(
          [key, ...proto],
          'rule-schema-invalid',
          `The ${key} has a \`__proto__\` member: it is not a JSON Schema keyword, and JavaScript reads it as the object's prototype. Remove it.`,
          true,
        ),
      );
      continue;
    }
    try {
      cache.compile(schema, defaults);
    } catch (e) {
      out.push(at([key], 'rule-schema-invalid', `The ${key} is not a valid JSON Schema: ${(e as Error).message}`));
    }
  }
  return out;
}

/** The path of the first own `__proto__` member in a schema, below it (undefined when there is none). */
function protoKeyPath(schema: unknown, at: DocPath = []): DocPath | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  const entries: [string | number, unknown][] = Array.isArray(schema)
    ? schema.map((v, i) => [i, v])
    : Object.keys(schema).map((k) => [k, (schema as Record<string, unknown>)[k]]);
  for (const [k, v] of entries) {
    if (k === '__proto__') return [...at, k];
    const found = protoKeyPath(v, [...at, k]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Parse several rule files; the first file declaring an id wins, later duplicates are errors — except a file
 * byte-identical to one already loaded (a repository that vendors the default pack next to the built-in one),
 * which is skipped.
 */
export function loadRules(
  files: readonly { file: string; text: string }[],
  cache: SchemaCache = new SchemaCache(),
): Result<Rule[]> {
  const rules: Rule[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, Rule>();
  const texts = new Set<string>();
  for (const f of files) {
    if (texts.has(f.text)) continue;
    texts.add(f.text);
    const r = parseRuleFile(f.file, f.text, cache);
    diagnostics.push(...r.diagnostics);
    if (!r.value) continue;
    const prev = seen.get(r.value.id);
    // Rules and audit checks share one id space (one `rules:` key, one waiver list configures both).
    const check = AUDIT_CHECK_BY_ID.has(r.value.id);
    if (prev || check) {
      const src = parseSource(f.file, f.text).value;
      const range = src ? rangeAt(src, ['id']) : { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
      const where = prev ? `already defined in ${prev.file}` : 'the id of a built-in audit check';
      diagnostics.push(
        diagnostic(
          f.file,
          range,
          ['id'],
          'rule-duplicate-id',
          'error',
          `Rule \`${r.value.id}\` is ${where}; rule ids must be unique across policy directories and audit checks.`,
        ),
      );
      continue;
    }
    seen.set(r.value.id, r.value);
    rules.push(r.value);
  }
  return { value: rules, diagnostics };
}

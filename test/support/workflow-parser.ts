/**
 * GitHub's workflow parser (@actions/workflow-parser, the one behind the Actions language server) for tests:
 * parse a workflow, fail on schema errors, and return its token tree as plain data.
 */
import type { WorkflowTemplate } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { tsImport } from 'tsx/esm/api';

/**
 * The parser's dist imports its schema JSON without an import attribute, which Node's native ESM loader (used by
 * vitest for node_modules) rejects; tsx's loader accepts it. (Alternative: `server.deps.inline` in vitest.config.)
 */
type WorkflowParser = typeof import('@actions/workflow-parser');
let wp: WorkflowParser | undefined;

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

export interface ParsedWorkflow {
  template: WorkflowTemplate;
  /** The document as plain data; expressions keep their `${{ }}` source. */
  raw: Record<string, Plain>;
  /** Schema and conversion errors (empty for a valid workflow). */
  errors: string[];
}

function plain(p: WorkflowParser, token: TemplateToken): Plain {
  if (p.isMapping(token)) {
    const out: Record<string, Plain> = {};
    for (const { key, value } of token) out[key.toString()] = plain(p, value);
    return out;
  }
  if (p.isSequence(token)) return Array.from(token, (t) => plain(p, t));
  if (p.isBasicExpression(token)) return `\${{ ${token.expression} }}`;
  if (p.isString(token)) return token.value;
  if (p.isBoolean(token)) return token.value;
  if (p.isNumber(token)) return token.value;
  return null;
}

export async function parseWorkflow(name: string, content: string): Promise<ParsedWorkflow> {
  wp ??= (await tsImport('@actions/workflow-parser', import.meta.url)) as WorkflowParser;
  const result = wp.parseWorkflow({ name, content }, new wp.NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (result.value === undefined)
    return { template: {} as WorkflowTemplate, raw: {}, errors: [...errors, `${name} did not parse`] };
  const template = await wp.convertWorkflowTemplate(result.context, result.value);
  errors.push(...(template.errors ?? []).map((e) => e.Message));
  return { template, raw: plain(wp, result.value) as Record<string, Plain>, errors };
}

/** Every step of every job. */
export function workflowSteps(raw: Record<string, Plain>): Record<string, Plain>[] {
  const jobs = (raw['jobs'] ?? {}) as Record<string, Record<string, Plain>>;
  return Object.values(jobs).flatMap((job) => (job['steps'] as Record<string, Plain>[] | undefined) ?? []);
}

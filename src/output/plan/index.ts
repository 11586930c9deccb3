import type { Plan } from '../../core/plan/types.js';
import { formatResult } from '../formats.js';
import type { Style } from '../style.js';
import type { PlanReaderContext } from './context.js';
import { renderPlanJson } from './json.js';
import { renderPlanMarkdown } from './markdown.js';
import { renderPlanText } from './text.js';

export const PLAN_FORMATS = ['text', 'markdown', 'json'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/**
 * Pure renderers of the same plan data, chosen by name from the formatter registry (src/output/formats.ts, which
 * `PLAN_FORMATS` equals); `context` (from the mesh) helps the human formats.
 */
export function renderPlan(plan: Plan, format: PlanFormat, style: Style, context?: PlanReaderContext): string {
  // A plan names no files: the SARIF root and version of the context are not read.
  const formatContext = { style, version: '', relativize: (f: string) => f };
  return formatResult('plan', format, context !== undefined ? { plan, context } : { plan }, formatContext);
}

export { readerContext } from './context.js';
export type { PlanReaderContext } from './context.js';
export { renderPlanJson, renderPlanMarkdown, renderPlanText };

import type { Plan } from '../../core/plan/types.js';
import type { Style } from '../style.js';
import type { PlanReaderContext } from './context.js';
import { renderPlanJson } from './json.js';
import { renderPlanMarkdown } from './markdown.js';
import { renderPlanText } from './text.js';

export const PLAN_FORMATS = ['text', 'markdown', 'json'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** Pure renderers of the same plan data, chosen by name; `context` (from the mesh) helps the human formats. */
export function renderPlan(plan: Plan, format: PlanFormat, style: Style, context?: PlanReaderContext): string {
  const options = context !== undefined ? { context } : {};
  switch (format) {
    case 'json':
      return renderPlanJson(plan);
    case 'markdown':
      return renderPlanMarkdown(plan, options);
    default:
      return renderPlanText(plan, style, options);
  }
}

export { readerContext } from './context.js';
export type { PlanReaderContext } from './context.js';
export { renderPlanJson, renderPlanMarkdown, renderPlanText };

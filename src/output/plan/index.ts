import type { Plan } from '../../core/plan/types.js';
import type { Style } from '../style.js';
import { renderPlanJson } from './json.js';
import { renderPlanMarkdown } from './markdown.js';
import { renderPlanText } from './text.js';

export const PLAN_FORMATS = ['text', 'markdown', 'json'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** Pure renderers of the same plan data, chosen by name. */
export function renderPlan(plan: Plan, format: PlanFormat, style: Style): string {
  switch (format) {
    case 'json':
      return renderPlanJson(plan);
    case 'markdown':
      return renderPlanMarkdown(plan);
    default:
      return renderPlanText(plan, style);
  }
}

export { renderPlanJson, renderPlanMarkdown, renderPlanText };

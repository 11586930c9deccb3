/** The plan as JSON (documented in docs/plan-json.md): what `--out` writes and what apply reads. */
import type { Plan } from '../../core/plan/types.js';

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/**
 * Where a template's names come from: an object, or a function that answers the first segment of each name (`x` of
 * `{{x.y}}`); the rest is looked up in what it returns.
 */
export type TemplateVars = Record<string, unknown> | ((name: string) => unknown);

/** Message templates: `{{name}}`, `{{params.maxDays}}`, `{{classificationInfo.name}}`; unknown placeholders stay as written. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, key: string) => {
    const parts = key.split('.');
    const first = parts[0] as string;
    let cur: unknown = typeof vars === 'function' ? vars(first) : vars[first];
    for (let i = 1; i < parts.length; i++) {
      if (cur === null || typeof cur !== 'object') return whole;
      cur = (cur as Record<string, unknown>)[parts[i] as string];
    }
    if (cur === undefined || cur === null) return whole;
    return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
  });
}

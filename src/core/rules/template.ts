/** Message templates: `{{name}}`, `{{params.maxDays}}`, `{{classificationInfo.name}}`; unknown placeholders stay as written. */
export function renderTemplate(template: string, vars: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (whole, key: string) => {
    let cur: unknown = vars;
    for (const p of key.split('.')) {
      if (cur === null || typeof cur !== 'object') return whole;
      cur = (cur as Record<string, unknown>)[p];
    }
    if (cur === undefined || cur === null) return whole;
    return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
  });
}

import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';

/**
 * Stable JSON: `{"formatVersion":1,"valid":bool,"diagnostics":[{file,line,column,endLine,endColumn,severity,code,message,path,help?,waivedBy?,hidden?}]}`;
 * `hidden` is on `diagnostics-truncated` entries: how many diagnostics of the file were not listed.
 * Documented in docs/json-output.md.
 */
export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return `${JSON.stringify(
    {
      formatVersion: 1,
      valid: !diagnostics.some((d) => d.severity === 'error'),
      diagnostics: diagnostics.map((d) => {
        const o: Record<string, unknown> = {
          file: d.file,
          line: d.line,
          column: d.column,
          endLine: d.endLine ?? d.line,
          endColumn: d.endColumn ?? d.column,
          severity: d.severity,
          code: d.code,
          message: d.message,
          path: d.path,
        };
        if (d.help !== undefined) o['help'] = d.help;
        if (d.waivedBy !== undefined) o['waivedBy'] = d.waivedBy;
        if (d.hidden !== undefined) o['hidden'] = d.hidden;
        return o;
      }),
    },
    null,
    2,
  )}\n`;
}

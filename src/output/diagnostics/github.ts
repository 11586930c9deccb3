import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';

/** Escape data for a workflow command, https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow annotations (`::error file=...,line=...,col=...::message`). */
export function formatGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const kind = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
      const props = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`];
      if (d.endLine !== undefined) props.push(`endLine=${d.endLine}`);
      if (d.endColumn !== undefined && d.endLine === d.line) props.push(`endColumn=${d.endColumn}`);
      props.push(`title=${escapeProperty(`meshgov ${d.code}`)}`);
      return `::${kind} ${props.join(',')}::${escapeData(d.message)}\n`;
    })
    .join('');
}

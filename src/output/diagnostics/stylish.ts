import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';
import type { Style } from '../style.js';
import { terminalSafe } from '../terminal.js';

/** Human text, one line per diagnostic: `file:line:col  severity  message  code`, then a summary (terminal-safe). */
export function formatStylish(diagnostics: readonly Diagnostic[], style: Style): string {
  const lines: string[] = [];
  for (const d of diagnostics) {
    const sev =
      d.severity === 'error'
        ? style.red('error')
        : d.severity === 'warning'
          ? style.yellow('warning')
          : style.blue('info');
    const waived = d.waivedBy ? style.dim(` (waived: ${d.waivedBy})`) : '';
    lines.push(`${style.bold(`${d.file}:${d.line}:${d.column}`)}  ${sev}  ${d.message}  ${style.dim(d.code)}${waived}`);
    if (d.help) lines.push(`    ${style.dim(d.help)}`);
  }
  const count = (s: string) => diagnostics.filter((d) => d.severity === s).length;
  const e = count('error');
  const w = count('warning');
  const i = count('info');
  const summary = `${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}, ${i} info`;
  lines.push(e > 0 ? style.red(`✖ ${summary}`) : style.green(`✔ ${summary}`));
  return terminalSafe(`${lines.join('\n')}\n`, style);
}

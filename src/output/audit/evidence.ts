/** Compact one-line rendering of finding evidence for terminals and table cells. */
export function evidenceLine(evidence: Record<string, unknown>, maxValue = 160): string {
  return Object.entries(evidence)
    .map(([k, v]) => {
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}=${s.length > maxValue ? `${s.slice(0, maxValue - 1)}…` : s}`;
    })
    .join(', ');
}

/** stderr without meshgov's timestamped progress lines (what a non-TTY run prints besides warnings and errors). */
export const PROGRESS_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z meshgov: .*$/;

export function withoutProgress(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !PROGRESS_LINE.test(l))
    .join('\n');
}

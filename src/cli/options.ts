/** Option helpers every command shares. */

/** Commander's accumulator for a repeatable option (`--domain a --domain b`). */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

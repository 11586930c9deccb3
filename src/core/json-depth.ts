/**
 * How deep untrusted JSON data nests, found without recursion: the check must not overflow the stack on what it is
 * there to refuse (20 KB of `[[[…` nests 20,000 deep; the recursive walks after it would overflow).
 */

/** Whether `value` nests collections more than `max` levels deep (the value itself is level 1). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, depth] = next;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

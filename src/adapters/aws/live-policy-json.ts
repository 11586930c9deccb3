/**
 * Policy documents as the APIs return them (Kinesis GetResourcePolicy, IAM's URL-decoded documents): untrusted JSON
 * that the diff, the access diff and the live fingerprint then walk recursively. A real policy nests about six levels
 * (Statement, a statement, Condition, an operator, a key, its values); one nested thousands deep (20 KB of `[[[…`)
 * would overflow the stack somewhere in those walks, so it is refused here, where the error can say which call
 * returned it.
 */

/** Levels a live policy document may nest. */
export const MAX_LIVE_POLICY_DEPTH = 64;

/** A live policy document refused for its nesting. */
export class PolicyTooDeepError extends Error {
  constructor() {
    super(`the policy document nests deeper than ${MAX_LIVE_POLICY_DEPTH} levels`);
  }
}

/** JSON.parse of a live policy document; throws when it is not JSON or nests deeper than MAX_LIVE_POLICY_DEPTH. */
export function parseLivePolicy(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // Walked with a stack of its own: the check must not overflow on what it is there to refuse.
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, depth] = next;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_LIVE_POLICY_DEPTH) throw new PolicyTooDeepError();
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return value;
}

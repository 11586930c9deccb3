/**
 * Policy documents as the APIs return them (Kinesis GetResourcePolicy, IAM's URL-decoded documents): untrusted JSON
 * that the diff, the access diff and the live fingerprint then walk recursively. A real policy nests about six levels
 * (Statement, a statement, Condition, an operator, a key, its values); one nested thousands deep (20 KB of `[[[…`)
 * would overflow the stack somewhere in those walks, so it is refused here, where the error can say which call
 * returned it.
 */
import { nestsDeeperThan } from '../../core/json-depth.js';

/** Levels a live policy document may nest. */
export const MAX_LIVE_POLICY_DEPTH = 64;

const TOO_DEEP = `nests deeper than ${MAX_LIVE_POLICY_DEPTH} levels`;

/** A live policy document refused for its nesting; `fault` says why, for messages that name the document. */
export class PolicyTooDeepError extends Error {
  readonly fault = TOO_DEEP;
  constructor() {
    super(`the policy document ${TOO_DEEP}`);
  }
}

/** JSON.parse of a live policy document; throws when it is not JSON or nests deeper than MAX_LIVE_POLICY_DEPTH. */
export function parseLivePolicy(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (nestsDeeperThan(value, MAX_LIVE_POLICY_DEPTH)) throw new PolicyTooDeepError();
  return value;
}

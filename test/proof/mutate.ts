/** Helpers to widen one statement of a rendered state, for the proof's mutation tests. */
import type { DesiredState, PolicyDocument, PolicyStatement } from '../../src/core/render/types.js';

export function clone(state: DesiredState): DesiredState {
  return structuredClone(state);
}

/** The statement `sid` of the `kind` artefact attached to `role` in `account`; throws when absent. */
export function roleStatement(
  state: DesiredState,
  account: string,
  kind: string,
  role: string,
  sid: string,
): PolicyStatement {
  const a = state.accounts.find((x) => x.account === account)?.iam.find((x) => x.kind === kind && x.roleName === role);
  const s = (a?.document as PolicyDocument | undefined)?.Statement.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid} in ${kind} of ${role} in ${account}`);
  return s;
}

/** Statement `sid` of a stream's resource policy. */
export function streamPolicyStatement(state: DesiredState, stream: string, sid: string): PolicyStatement {
  const s = state.accounts
    .flatMap((a) => a.streams)
    .find((x) => x.name === stream)
    ?.resourcePolicy?.Statement.find((x) => x.Sid === sid);
  if (!s) throw new Error(`no statement ${sid} in the resource policy of ${stream}`);
  return s;
}

export function addAction(s: PolicyStatement, action: string): void {
  const list = s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action];
  s.Action = [...list, action];
}

/** In-memory stand-ins for the use cases' target port (src/app/target.ts): a reader, nothing else. */
import type { Target, TargetOpener } from '../../src/app/target.js';
import type { LiveReader, ReadProgress, ReadRequest } from '../../src/core/ports.js';

/** A target that reads through `reader` and cannot execute (plan, audit and import never do). */
export function fakeTarget(reader: LiveReader, kind: Target['kind'] = 'aws'): Target & { closed: number } {
  const t = {
    kind,
    reader,
    closed: 0,
    execute: () => Promise.reject(new Error('this fake target does not execute changes')),
    close: async () => {
      t.closed++;
    },
  };
  return t;
}

/** An opener that always opens `target`. */
export function openerOf(target: Target): TargetOpener {
  return async () => ({ kind: 'open', target });
}

/** A reader that finds the requested accounts empty (and says so for each, as the real readers do). */
export const emptyAccountsReader: LiveReader = {
  read: async (req: ReadRequest, progress?: ReadProgress) => {
    for (const account of req.accounts) progress?.({ account, phase: 'done', streams: 0, managed: 0 });
    return {
      region: req.region,
      accounts: req.accounts.map((account) => ({ account, streams: [], unmanagedStreams: [] })),
      notChecked: [],
    };
  },
};

/**
 * Shadow data products (pure): streams in mesh accounts that the mesh does not govern. An untagged stream is
 * invisible to the other checks by design (they read declared and mesh-tagged streams only); a governance team
 * still wants to know that a data product exists outside the mesh, and how to adopt it.
 */
import type { AccountId } from '../model/types.js';
import type { AuditContext, CheckResult } from './context.js';
import { emptyResult } from './context.js';
import { streamResource } from './findings.js';

export const SHADOW_CHECKS = ['shadow-stream'] as const;

/**
 * A POSIX shell word for `s`: bare when it holds only safe characters, else single-quoted (a `'` inside becomes
 * `'\''`). Mesh file names come from the user's command line and may hold spaces or shell metacharacters.
 */
export function shellWord(s: string): string {
  if (s.length > 0 && /^[A-Za-z0-9_./:@%+=-]+$/.test(s) && !s.startsWith('-')) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `meshgov import` command that adopts what the mesh does not govern in one account: import reads only the
 * accounts named by `--account`, writes stanzas for the streams meshgov does not manage there and efo grants for
 * the undeclared consumers of declared streams, and `--write` puts them into the mesh file (docs/import.md).
 */
export function importCommand(meshFile: string, account: AccountId): string {
  // `./` keeps a file name that starts with `-` from reading as an option.
  const file = meshFile.startsWith('-') ? `./${meshFile}` : meshFile;
  return `meshgov import ${shellWord(file)} --account ${shellWord(account)} --write`;
}

/**
 * Another mesh's stream is governed (by that mesh), and import does not adopt it: not a shadow. The reason string
 * is the live reader's (core/plan/scope.ts unmanagedReason).
 */
function otherMesh(reason: string): boolean {
  return reason.startsWith('managed by another mesh');
}

/** `shadow-stream` findings, one per stream in a mesh account the mesh neither declares nor tags as its own. */
export function shadowChecks(ctx: AuditContext): CheckResult {
  const result = emptyResult();
  const unlisted = ctx.live.accounts.filter((a) => a.unmanagedStreams === undefined).map((a) => a.account);
  if (unlisted.length > 0) {
    result.checksNotRun.push({
      check: 'shadow-stream',
      reason: `the streams the mesh does not manage were not listed in account(s) ${unlisted.join(', ')}`,
    });
  }
  if (unlisted.length < ctx.live.accounts.length) result.checksRun.push('shadow-stream');
  const meshFile = ctx.mesh.at.file;
  for (const account of ctx.live.accounts) {
    for (const u of account.unmanagedStreams ?? []) {
      // A stream being deleted is on its way out; another mesh's stream is governed there.
      if (u.status === 'DELETING' || otherMesh(u.reason)) continue;
      const command = importCommand(meshFile, account.account);
      result.findings.push({
        code: 'shadow-stream',
        severity: 'warning',
        resource: streamResource(account.account, u.name),
        account: account.account,
        message:
          `Stream ${u.name} in mesh account ${account.account} is outside mesh ${ctx.mesh.name} ` +
          '(a shadow data product)',
        evidence: {
          arn: u.arn,
          ...(u.status !== undefined ? { status: u.status } : {}),
          ...(u.mode !== undefined ? { mode: u.mode } : {}),
          ...(u.createdAt !== undefined ? { createdAt: u.createdAt } : {}),
          reason: u.reason,
          importCommand: command,
        },
        remediation:
          `If it is a data product, adopt it: \`${command}\` (add the audit's target options, e.g. ` +
          '`--profile`; import also adopts every other stream of the account the mesh does not manage, and previews ' +
          'the next plan). If it is not, delete it or move it out of the mesh account. Nobody reviews its access ' +
          'while it stays outside the mesh.',
      });
    }
  }
  return result;
}

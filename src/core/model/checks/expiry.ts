import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { CheckContext } from './context.js';

function validDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Expired grants are reported (they are no longer rendered); expired waivers are errors. Dates must be real. */
export function checkExpiry(ctx: CheckContext): Diagnostic[] {
  const { mesh, locator, today } = ctx;
  const out: Diagnostic[] = [];
  for (const g of mesh.grants) {
    if (g.expires === undefined) continue;
    if (!validDate(g.expires)) {
      out.push(
        locator.at(
          g.at,
          ['expires'],
          'date-invalid',
          'error',
          `Grant \`${g.id}\` expires on ${g.expires}, which is not a calendar date.`,
        ),
      );
    } else if (g.expires < today) {
      out.push(
        locator.at(
          g.at,
          ['expires'],
          'grant-expired',
          'warning',
          `Grant \`${g.id}\` expired on ${g.expires}; meshgov no longer renders it, so its access will be revoked. Renew \`expires\` or remove the grant.`,
        ),
      );
    }
  }
  for (const w of mesh.waivers) {
    if (!validDate(w.expires)) {
      out.push(
        locator.at(
          w.at,
          ['expires'],
          'date-invalid',
          'error',
          `Waiver for \`${w.rule}\` expires on ${w.expires}, which is not a calendar date.`,
        ),
      );
    } else if (w.expires < today) {
      out.push(
        locator.at(
          w.at,
          ['expires'],
          'waiver-expired',
          'error',
          `Waiver of \`${w.rule}\` for \`${w.target}\` expired on ${w.expires}. Fix the finding, or renew the waiver with a new justification.`,
        ),
      );
    }
  }
  return out;
}

/**
 * Whether a grant is in force on `today` (YYYY-MM-DD): it has no expiry, or expires today or later. The one answer
 * render (what is granted), audit (what is still in force) and validation (what has expired) share.
 */
export function grantActive(g: { expires?: string }, today: string): boolean {
  return g.expires === undefined || g.expires >= today;
}

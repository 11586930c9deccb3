/**
 * Enhanced fan-out consumers of declared streams that no grant declares and meshgov does not manage (what plan
 * lists as unmanaged, "candidates for `meshgov import`"): each becomes an efo grant, so the next plan neither lists
 * it nor, once it is declared, deregisters it.
 */
import { MANAGED_BY_VALUE, TAG_MANAGED_BY } from '../model/governance-tags.js';
import type { LiveStream } from '../plan/live.js';
import type { GrantStanza } from './document.js';
import type { GrantContext } from './grant-stanzas.js';
import { consumerReader, stanzasFor } from './grant-stanzas.js';
import { TODO } from './notes.js';

/** An enhanced fan-out consumer of a declared stream, adopted as an efo grant. */
export interface AdoptedConsumer {
  account: string;
  stream: string;
  consumer: string;
  /** The id of the grant written for it. */
  grant: string;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The grants for the undeclared consumers of `managed` (live streams the mesh declares): in the stream's domain when
 * the root file declares it (`rootDomains`), else in the root file's top-level `grants:` with a TODO. Consumers being
 * deleted, tagged `meshgov:managed-by=meshgov` (plan deregisters those: their grant was removed) or declared by any
 * grant (an expired one gets a note) are left alone.
 */
export function adoptConsumers(
  ctx: GrantContext,
  managed: readonly LiveStream[],
  rootDomains: ReadonlySet<string>,
  today: string,
): { grants: GrantStanza[]; adopted: AdoptedConsumer[] } {
  const { mesh, notes } = ctx;
  const out = { grants: [] as GrantStanza[], adopted: [] as AdoptedConsumer[] };
  for (const s of [...managed].sort((a, b) => (a.account + a.name < b.account + b.name ? -1 : 1))) {
    const declared = mesh.streams.find((d) => d.name === s.name && d.account === s.account);
    if (declared === undefined || s.status === 'DELETING') continue;
    for (const c of [...s.consumers].sort(byName)) {
      const subject = `${s.account}/stream/${s.name}/consumer/${c.name}`;
      if (c.status === 'DELETING' || c.tags[TAG_MANAGED_BY] === MANAGED_BY_VALUE) continue;
      const owner = mesh.grants.find((g) => g.stream === s.name && g.consumerName === c.name);
      if (owner !== undefined) {
        // A grant render leaves out (expired) still owns its consumer: renewing or removing it is the user's call.
        if (owner.expires !== undefined && owner.expires < today) {
          const message = `declared by the expired grant ${owner.id}; not adopted again (renew or remove that grant)`;
          notes.push({ severity: 'info', subject, message });
        }
        continue;
      }
      const domain = rootDomains.has(declared.domain) ? declared.domain : undefined;
      const comments: string[] = [];
      if (domain === undefined) {
        const file = mesh.domains.find((d) => d.name === declared.domain)?.file ?? 'another file';
        comments.push(
          `${TODO}: consumer ${c.name} of ${s.name} (domain ${declared.domain}, declared in ${file}); ` +
            'move this grant into that domain.',
        );
      }
      const reader = consumerReader(ctx, s, c, comments);
      const [stanza] = stanzasFor(ctx, s, domain, [reader], new Map(), comments);
      if (stanza === undefined) continue;
      out.grants.push(stanza);
      out.adopted.push({ account: s.account, stream: s.name, consumer: c.name, grant: stanza.id });
      const message = `enhanced fan-out consumer no grant declared; adopted as grant ${stanza.id}`;
      notes.push({ severity: 'info', subject, message });
    }
  }
  return out;
}

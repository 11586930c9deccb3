import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { SourceRef } from '../types.js';
import type { CheckContext } from './context.js';

/** Names must be unique: accounts (id and alias), classifications, domains, streams, grant ids. */
export function checkUniqueNames(ctx: CheckContext): Diagnostic[] {
  const { mesh, locator } = ctx;
  const out: Diagnostic[] = [];
  const unique = <T extends { at: SourceRef }>(items: T[], key: (t: T) => string, field: string, what: string) => {
    const first = new Map<string, T>();
    for (const item of items) {
      const k = key(item);
      const prev = first.get(k);
      if (prev) {
        out.push(
          locator.at(
            item.at,
            [field],
            `duplicate-${what.replace(/ /g, '-')}`,
            'error',
            `Duplicate ${what} \`${k}\`: already declared at ${prev.at.file}:${locator.at(prev.at, [field], '', 'error', '').line}. Each ${what} must be unique in the mesh: rename or remove one.`,
          ),
        );
      } else first.set(k, item);
    }
  };
  unique(mesh.accounts, (a) => a.id, 'id', 'account');
  unique(mesh.accounts, (a) => a.alias, 'alias', 'account alias');
  unique(mesh.classifications, (c) => c.name, 'name', 'classification');
  unique(mesh.domains, (d) => d.name, 'name', 'domain');
  unique(mesh.streams, (s) => s.name, 'name', 'stream');
  unique(mesh.grants, (g) => g.id, 'id', 'grant');
  const consumers = mesh.grants.filter((g) => g.consumerName !== undefined);
  unique(consumers, (g) => `${g.stream}/${g.consumerName}`, 'consumer', 'consumer');
  return out;
}

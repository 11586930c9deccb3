/**
 * The audit builders spell the governance tags themselves (from docs/render.md); these tests keep them equal to what
 * render produces, so the fixtures and the product cannot drift apart silently.
 */
import { describe, expect, it } from 'vitest';
import { renderMesh } from '../../src/core/render/index.js';
import { A, B, C, TODAY, aMesh, desiredFrom } from './builders.js';

describe('audit builders', () => {
  it('spell the documented tags of the orders stream and its EFO consumer', () => {
    const orders = desiredFrom(aMesh()).accounts.find((a) => a.account === A);
    expect(orders?.streams.find((s) => s.name === 'orders')?.tags).toEqual({
      'cost-center': 'data',
      [`meshgov:consume:${B}:fraud-scorer`]: 'allow',
      [`meshgov:consume:${C}:analytics`]: 'allow',
      'meshgov:classification': 'confidential',
      'meshgov:domain': 'payments',
      'meshgov:managed-by': 'meshgov',
      'meshgov:mesh': 'acme',
      'meshgov:product': 'orders',
      [`meshgov:produce:${A}:orders-writer`]: 'allow',
    });
    expect(orders?.consumers.map((c) => c.tags)).toEqual([
      {
        'cost-center': 'data',
        [`meshgov:consume:${B}:fraud-scorer`]: 'allow',
        'meshgov:classification': 'confidential',
        'meshgov:domain': 'payments',
        'meshgov:managed-by': 'meshgov',
        'meshgov:mesh': 'acme',
        'meshgov:product': 'orders',
      },
    ]);
  });

  it('give every stream and consumer the tags render gives it (a whole-account grant and deletion protection too)', () => {
    const mesh = aMesh();
    mesh.streams[1] = { ...mesh.streams[1]!, deletionProtection: true, tags: { team: 'web' } };
    const efo = mesh.grants[1]!;
    mesh.grants[1] = { ...efo, consumerTags: { owner: 'fraud' } };
    mesh.grants.push({
      ...mesh.grants[3]!,
      id: 'account-b-reads-clicks',
      access: 'consume',
      principal: { kind: 'account', account: B, path: '/', external: false },
    });
    const rendered = renderMesh(mesh, { today: TODAY });
    expect(rendered.diagnostics).toEqual([]);
    const tagsOf = (d: ReturnType<typeof desiredFrom>) =>
      d.accounts.map((a) => ({
        account: a.account,
        streams: a.streams.map((s) => [s.name, s.tags]),
        consumers: a.consumers.map((c) => [c.name, c.tags]),
      }));
    const built = tagsOf(desiredFrom(mesh));
    expect(built).toEqual(tagsOf(rendered.value));
    // The comparison covered the cases it names (not two empty lists).
    expect(JSON.stringify(built)).toContain(`"meshgov:consume:${B}:root":"allow"`);
    expect(JSON.stringify(built)).toContain('"meshgov:deletion-protection":"true"');
    expect(JSON.stringify(built)).toContain('"owner":"fraud"');
  });
});

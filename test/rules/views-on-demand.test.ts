/**
 * The rule views are built one entity at a time, as the engine asks for them: the views of 100,000 grants copied
 * every grant, and holding them all at once was a third of the heap of a huge mesh (docs/limits.md, grants-100k).
 */
import { describe, expect, it } from 'vitest';
import { eachView, indexMesh } from '../../src/core/rules/views.js';
import { aMesh, TODAY } from '../audit/builders.js';

describe('eachView', () => {
  it('reads one grant per view taken, not every grant up front', () => {
    const mesh = aMesh();
    const ix = indexMesh(mesh, TODAY);
    const counter = { reads: 0 };
    mesh.grants = new Proxy(mesh.grants, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) counter.reads++;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const views = eachView(ix, 'grant');
    const first = views.next();
    expect(first.done).toBe(false);
    expect(first.value?.address).toBe(`grant/${mesh.grants[0]?.id ?? ''}`);
    // Two reads: one to build the first view, one by the assertion just above.
    expect(counter.reads).toBe(2);
    expect([...views].map((v) => v.address)).toEqual(mesh.grants.slice(1).map((g) => `grant/${g.id}`));
  });

  it('gives every kind in declaration order, one view per entity (consumers: one per EFO grant)', () => {
    const mesh = aMesh();
    const ix = indexMesh(mesh, TODAY);
    expect([...eachView(ix, 'stream')].map((v) => v.address)).toEqual(mesh.streams.map((s) => `stream/${s.name}`));
    expect([...eachView(ix, 'mesh')].map((v) => v.address)).toEqual(['mesh']);
    expect([...eachView(ix, 'consumer')].map((v) => v.address)).toEqual(
      mesh.grants
        .filter((g) => g.consumerName !== undefined)
        .map((g) => `consumer/${g.stream}/${g.consumerName ?? ''}`),
    );
  });
});

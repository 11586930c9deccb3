/**
 * A package loaded on first use instead of at start-up (the SDK clients of services a run may not call, ajv's
 * compiler, the positioned YAML parser): `require` from here, memoised. Only for packages whose Node entry is
 * CommonJS, so `require` gives the very module an `import` would (one set of classes: instanceof checks, node-type
 * checks and the tests' SDK mocks hold across both).
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/** `() => module`, loading `specifier` on the first call. */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(specifier) as T);
}

/**
 * Loads a CommonJS package on first use instead of at import time.
 *
 * The clients of the scaled-out deployment (the AWS SDK, pg, pg-boss) are
 * ~13 MB of V8 heap together. A server on embedded defaults never calls them,
 * and every full garbage collection marks whatever is loaded, so loading them
 * eagerly made one machine's recorder pay for a cluster it is not part of
 * (README "Recorder cost"). Types still come from `import type`.
 */
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/** A function returning the package's exports, loaded (synchronously) the first time it is called. */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromHere(specifier) as T);
}

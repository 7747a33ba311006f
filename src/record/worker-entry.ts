/**
 * Where a recorder worker thread loads its code from. From a build it is
 * dist's recorder-worker.js. From the TypeScript sources (tsx: `npx vigil`
 * without a build, the tests, the benchmarks) a worker would have to register
 * tsx's loader, which on Node 20 starts one more thread and V8 heap per
 * worker (~40 MB each); instead the worker's code is bundled once per process
 * with esbuild (tsx's own compiler, present wherever tsx is) into
 * node_modules/.cache, where node-av and the rest still resolve.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');

interface EsbuildSync {
  buildSync(options: Record<string, unknown>): { outputFiles?: Array<{ contents: Uint8Array }> };
}

let bundled: URL | undefined;

/** The module a recorder worker runs. */
export function recorderWorkerUrl(): URL {
  if (!fromSource) return pathToFileURL(join(dirname(here), 'recorder-worker.js'));
  bundled ??= bundleFromSource();
  return bundled;
}

function bundleFromSource(): URL {
  const esbuild = createRequire(import.meta.url)('esbuild') as EsbuildSync;
  const result = esbuild.buildSync({
    entryPoints: [join(dirname(here), 'recorder-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // node-av and the other packages load from node_modules as usual.
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles?.[0]?.contents;
  if (code === undefined) throw new Error('recorder worker: esbuild produced no bundle');
  const cache = resolve(dirname(here), '..', '..', 'node_modules', '.cache', 'vigil');
  // Named by content: processes running the same tree share one file, and a changed tree gets a new one.
  const file = join(cache, `recorder-worker-${createHash('sha1').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(cache, { recursive: true });
    const partial = `${file}.${process.pid}.part`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}

#!/usr/bin/env node
// Entry point for `npx vigil`. Runs the compiled CLI (dist/, built by `npm ci` through `prepare`, or by
// `npm run build`): it starts faster and uses less memory than the sources through tsx, which keeps a
// loader thread with its own V8 heap and every module's source map. In a checkout whose src/ changed
// after the last build, the sources run instead, so a stale build is never what answers.
import { existsSync, readdirSync, statSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const compiled = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src');

/** Newest modification time (ms) of a file under `dir`, or 0. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

const hasSources = existsSync(sources);
const builtAndCurrent = existsSync(compiled) && (!hasSources || newestMtime(sources) <= statSync(compiled).mtimeMs);
if (builtAndCurrent) {
  await import(pathToFileURL(compiled).href);
} else {
  if (existsSync(compiled)) {
    process.stderr.write(
      'vigil: src/ changed since the last build; running the sources (`npm run build` to refresh)\n',
    );
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(sources, 'cli', 'main.ts')).href);
}

/** Runs the real `vigil` CLI (from source, as `npx vigil` would) in a child process. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

/** A config that only names the data dir and the segment length: what an import needs. */
export function writeImportConfig(path: string, dataDir: string, segmentSeconds: number): string {
  writeFileSync(path, `data_dir: ${JSON.stringify(dataDir)}\ndvr:\n  segment_duration: ${segmentSeconds}\n`);
  return path;
}

/** `vigil import --config C --stream S --start ISO clip`, as a user runs it. */
export async function runVigilImport(config: string, stream: string, startIso: string, clip: string): Promise<void> {
  await run(
    process.execPath,
    [
      ...['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'import'],
      ...['--config', config, '--stream', stream, '--start', startIso, clip],
    ],
    {
      cwd: root,
      timeout: 120_000,
      env: { ...process.env, VIGIL_CONFIG: '', VIGIL_DATA: '', VIGIL_PORT: '', VIGIL_ADMIN_TOKEN: '' },
    },
  );
}

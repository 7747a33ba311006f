/**
 * `vigil import --stream NAME --start ISO8601 FILE...`: writes media files
 * into a stream's archive as if they had been recorded from `--start`, using
 * the data directory directly (no server needed; SQLite's busy timeout lets
 * it run beside one).
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Archive } from '../../archive/index.js';
import { loadConfig } from '../../config/config-file.js';
import { checkStreamName, toStreamDefinition } from '../../config/stream-schema.js';
import { invalidArgument } from '../../errors.js';
import { createMediaEngine } from '../../media/index.js';
import { importFiles } from '../../record/index.js';
import { indexLocationFor } from '../../archive/index/database.js';
import { parseTimeToUs, secondsToUs, usToSeconds } from '../../time.js';
import { parseCommandArgs } from '../args.js';

const options = {
  stream: { type: 'string' },
  start: { type: 'string' },
  config: { type: 'string' },
  data: { type: 'string' },
} as const;

export async function runImport(
  args: string[],
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, 'import');
  if (values.stream === undefined) throw invalidArgument('--stream', 'required: the stream to import into');
  if (values.start === undefined) {
    throw invalidArgument('--start', 'required: when the first file starts, in ISO 8601 (2026-01-31T13:00:00Z)');
  }
  if (positionals.length === 0) throw invalidArgument('FILE', 'give at least one media file to import');
  const stream = checkStreamName(values.stream, {}, '--stream');
  const startUs = parseTimeToUs(values.start, '--start');
  const files = positionals.map((file) => resolve(file));

  const config = loadConfig({
    ...(values.config === undefined ? {} : { file: values.config }),
    env,
    overrides: values.data === undefined ? {} : { dataDir: values.data },
  });
  await mkdir(config.dataDir, { recursive: true });
  const archive = await Archive.open({
    databasePath: indexLocationFor(config),
    defaultRoot: config.dvr.root,
    gapToleranceUs: secondsToUs(config.dvr.gapToleranceSeconds),
  });
  try {
    if ((await archive.getStream(stream)) === undefined) {
      // A stream made only to hold imported files: known to the API, but not recorded.
      const firstFile = files[0] ?? '';
      await archive.saveStream(
        toStreamDefinition(stream, { url: pathToFileURL(firstFile).href, enabled: false }, undefined, {
          defaultRoot: config.dvr.root,
        }),
      );
      print(`Created stream "${stream}" (not recorded) to hold the import`);
    }
    const result = await importFiles({
      archive,
      engine: createMediaEngine(),
      stream,
      startUs,
      files,
      segmentDurationUs: secondsToUs(config.dvr.segmentDurationSeconds),
    });
    const seconds = usToSeconds(result.durationUs);
    print(`Imported ${files.length} file(s) into "${stream}": ${result.segments.length} segment(s), ${seconds} s`);
    return 0;
  } finally {
    await archive.close();
  }
}

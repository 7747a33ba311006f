/**
 * `vigil export --stream NAME --from T (--to T | --duration S) [options]`:
 * queues an export job through VideoExporter and follows it to the end
 * with a progress bar (a terminal) or plain lines (anything else). The file
 * path goes to stdout, everything else to stderr; the exit code is 0 only
 * when the job succeeded. Ctrl-C cancels the job before exiting.
 *
 * By default it talks to a running server (`--server`, default
 * http://127.0.0.1:$VIGIL_PORT or 8080; `--token` or VIGIL_ADMIN_TOKEN).
 * With `--config` or `--data` and no `--server`, it exports in this process
 * from the archive on disk, with a private queue: no server is needed, and a
 * running one is not disturbed (it does not list the job).
 */
import { loadConfig } from '../../config/config-file.js';
import { isVigilError, VigilError, invalidArgument, type ErrorCode } from '../../errors.js';
import type { ExportTask } from '../../export/library/types.js';
import { openLocalExportJobs } from '../../export/library/local-export-jobs.js';
import { VideoExporter } from '../../export/library/video-exporter.js';
import type { ServerTarget } from '../../export/library/http-client.js';
import type { ExportOptions } from '../../export/request/types.js';
import { parseDurationToUs, parseTimeToUs, usToSeconds } from '../../time.js';
import { parseCommandArgs } from '../args.js';
import { exitTable } from '../exit-codes.js';
import { ProgressRenderer } from '../progress-bar.js';

const options = {
  stream: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  duration: { type: 'string' },
  substream: { type: 'boolean' },
  out: { type: 'string' },
  codec: { type: 'string' },
  bitrate: { type: 'string' },
  resolution: { type: 'string' },
  audio: { type: 'string' },
  'audio-bitrate': { type: 'string' },
  container: { type: 'string' },
  timelapse: { type: 'string' },
  tz: { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  config: { type: 'string' },
  data: { type: 'string' },
} as const;

export const DEFAULT_SERVER_PORT = 8080;

/** The request's field (wire or library name) → the flag a CLI user typed. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  stream: '--stream',
  channel: '--stream',
  start: '--from',
  dtStart: '--from',
  end: '--to',
  dtEnd: '--to',
  duration: '--duration',
  file_path: '--out',
  file_name: '--out',
  container: '--container',
  tz: '--tz',
  'options.video_codec': '--codec',
  'options.video_bitrate': '--bitrate',
  'options.video_resolution': '--resolution',
  'options.audio_codec': '--audio',
  'options.audio_bitrate': '--audio-bitrate',
  'options.timelapse': '--timelapse',
  'server.url': '--server',
};

export type ExportCliTarget =
  { kind: 'server'; server: ServerTarget } | { kind: 'local'; config: string | undefined; data: string | undefined };

export interface ExportCliArgs {
  target: ExportCliTarget;
  stream: string;
  /** Unix seconds. */
  from: number;
  to: number | undefined;
  duration: number | undefined;
  substream: boolean;
  out: string | undefined;
  container: string | undefined;
  tz: string | undefined;
  options: ExportOptions;
}

/** Checks the command line (no I/O); errors name the flag. */
export function parseExportArgs(args: string[], env: Record<string, string | undefined>): ExportCliArgs {
  const { values, positionals } = parseCommandArgs(args, options, 'export');
  if (positionals.length > 0) {
    throw invalidArgument('arguments', `vigil export takes no arguments, got ${JSON.stringify(positionals[0])}`);
  }
  if (values.stream === undefined || values.stream.trim() === '') {
    throw invalidArgument('--stream', 'required: the stream to export');
  }
  if (values.from === undefined) {
    throw invalidArgument('--from', 'required: the start, in ISO 8601 (2026-01-31T13:00:00Z) or Unix seconds');
  }
  const fromUs = parseTimeToUs(values.from, '--from');
  if (values.to !== undefined && values.duration !== undefined) {
    throw invalidArgument('--to', 'give --to or --duration, not both');
  }
  const toUs = values.to === undefined ? undefined : parseTimeToUs(values.to, '--to');
  if (toUs !== undefined && toUs <= fromUs) {
    throw invalidArgument('--to', `must be after --from (${values.from}), got ${JSON.stringify(values.to)}`);
  }
  const durationUs = values.duration === undefined ? undefined : parseDurationToUs(values.duration, '--duration');
  if (durationUs === 0) throw invalidArgument('--duration', 'must be more than 0 seconds, got 0');

  const local = values.config !== undefined || values.data !== undefined;
  if (local && (values.server !== undefined || values.token !== undefined)) {
    throw invalidArgument(
      '--server',
      'give --server/--token (a running server) or --config/--data (this machine), not both',
    );
  }
  const target: ExportCliTarget = local
    ? { kind: 'local', config: values.config, data: values.data }
    : { kind: 'server', server: serverTarget(values.server, values.token, env) };

  const exportOptions: ExportOptions = {
    ...(values.codec !== undefined && { videoCodec: values.codec }),
    ...(values.bitrate !== undefined && { videoBitrate: values.bitrate }),
    ...(values.resolution !== undefined && { videoResolution: values.resolution }),
    ...(values.audio !== undefined && { audioCodec: values.audio }),
    ...(values['audio-bitrate'] !== undefined && { audioBitrate: values['audio-bitrate'] }),
    ...(values.timelapse !== undefined && { timelapse: values.timelapse }),
  };
  return {
    target,
    stream: values.stream,
    from: usToSeconds(fromUs),
    to: toUs === undefined ? undefined : usToSeconds(toUs),
    duration: durationUs === undefined ? undefined : usToSeconds(durationUs),
    substream: values.substream === true,
    out: values.out,
    container: values.container,
    tz: values.tz,
    options: exportOptions,
  };
}

function serverTarget(
  server: string | undefined,
  token: string | undefined,
  env: Record<string, string | undefined>,
): ServerTarget {
  const port = env.VIGIL_PORT !== undefined && env.VIGIL_PORT !== '' ? env.VIGIL_PORT : String(DEFAULT_SERVER_PORT);
  const url = server ?? `http://127.0.0.1:${port}`;
  const envToken = env.VIGIL_ADMIN_TOKEN === '' ? undefined : env.VIGIL_ADMIN_TOKEN;
  const chosen = token ?? envToken;
  if (chosen !== undefined) return { url, token: chosen };
  if (env.VIGIL_ADMIN_USER !== undefined && env.VIGIL_ADMIN_USER !== '') {
    return { url, user: env.VIGIL_ADMIN_USER, password: env.VIGIL_ADMIN_PASSWORD ?? '' };
  }
  return { url };
}

/** The same error, naming the flag the user typed instead of the request field. */
export function withFlagNames(err: unknown): unknown {
  if (!isVigilError(err) || err.field === undefined) return err;
  const flag = FLAG_OF_FIELD[err.field];
  if (flag === undefined) return err;
  const message = err.message.startsWith(`${err.field}:`)
    ? `${flag}${err.message.slice(err.field.length)}`
    : `${flag}: ${err.message}`;
  return new VigilError(err.code, message, { field: flag, cause: err });
}

export interface ExportCliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where the progress goes; a terminal gets a bar. Default: plain lines through `err`. */
  progress?: { isTty: boolean; write: (text: string) => void };
  /** Ctrl-C: called with a handler to install, returns its remover. Default: none. */
  onInterrupt?: (handler: () => void) => () => void;
}

export async function runExport(args: string[], io: ExportCliIo): Promise<number> {
  const parsed = parseExportArgs(args, io.env);
  let local: Awaited<ReturnType<typeof openLocalExportJobs>> | undefined;
  if (parsed.target.kind === 'local') {
    const config = loadConfig({
      ...(parsed.target.config === undefined ? {} : { file: parsed.target.config }),
      env: io.env,
      overrides: parsed.target.data === undefined ? {} : { dataDir: parsed.target.data },
    });
    local = await openLocalExportJobs(config);
  }
  const exporter = new VideoExporter({
    ...(local !== undefined ? { jobs: local.jobs } : {}),
    ...(parsed.target.kind === 'server' ? { server: parsed.target.server } : {}),
    cancelTaskWithStates: [],
  });
  try {
    return await follow(exporter, parsed, io);
  } catch (err) {
    throw withFlagNames(err);
  } finally {
    await exporter.close();
    await local?.close();
  }
}

async function follow(exporter: VideoExporter, parsed: ExportCliArgs, io: ExportCliIo): Promise<number> {
  const mediaSeconds = parsed.to !== undefined ? parsed.to - parsed.from : (parsed.duration ?? 60);
  const progress = io.progress ?? { isTty: false, write: (text: string) => io.err(text.replace(/\n$/, '')) };
  const renderer = new ProgressRenderer({ tty: progress.isTty, write: progress.write, mediaSeconds });
  exporter.callback = (taskGuid, state) => {
    if (state === 'exporting') renderer.started();
    if (state === 'in_queue') renderer.message(`export ${taskGuid}: in queue`);
  };
  exporter.onProgress = (_taskGuid, step, percent) => renderer.update(step, percent);

  const { taskGuid, filePath } = await exporter.export(parsed.stream, parsed.from, {
    ...(parsed.to !== undefined && { dtEnd: parsed.to }),
    ...(parsed.duration !== undefined && { duration: parsed.duration }),
    ...(parsed.substream && { preferSubstream: true }),
    ...(parsed.out !== undefined && { filePath: parsed.out }),
    ...(parsed.container !== undefined && { container: parsed.container }),
    ...(parsed.tz !== undefined && { tz: parsed.tz }),
    ...(Object.keys(parsed.options).length > 0 && { options: parsed.options }),
  });
  renderer.message(`export ${taskGuid}: writing ${filePath}`);

  let interrupts = 0;
  const removeHandler = io.onInterrupt?.(() => {
    interrupts += 1;
    renderer.message(
      interrupts === 1 ? `export ${taskGuid}: canceling (Ctrl-C again to quit without waiting)` : 'quitting',
    );
    if (interrupts === 1) void exporter.cancel(taskGuid).catch(() => undefined);
    else process.exit(exitTable.CANCELED.exit);
  });
  let task: ExportTask;
  try {
    task = await exporter.whenFinished(taskGuid);
  } finally {
    removeHandler?.();
  }
  if (task.state === 'success') renderer.update(task.step ?? 'finalizing', 100);
  renderer.finish();
  return report(task, renderer.elapsedMs(), mediaSeconds, io);
}

function report(task: ExportTask, elapsedMs: number, mediaSeconds: number, io: ExportCliIo): number {
  if (task.state === 'success') {
    const seconds = elapsedMs / 1000;
    const size = task.bytes === undefined ? '' : `, ${(task.bytes / 1e6).toFixed(1)} MB`;
    const speed = seconds > 0 ? `, ${(mediaSeconds / seconds).toFixed(1)}× realtime` : '';
    io.err(`export ${task.taskGuid}: success in ${seconds.toFixed(1)} s${speed}${size}`);
    io.out(task.filePath);
    return 0;
  }
  if (task.state === 'canceled') {
    io.err(`vigil: ${exitTable.CANCELED.prefix}: export ${task.taskGuid} was canceled; no file was left`);
    return exitTable.CANCELED.exit;
  }
  const code = task.error?.code;
  // INTERRUPTED (the server stopped) and codes this version does not know read as internal failures.
  const row = code !== undefined && Object.hasOwn(exitTable, code) ? exitTable[code as ErrorCode] : exitTable.INTERNAL;
  io.err(`vigil: ${row.prefix}: export ${task.taskGuid} failed: ${task.error?.message ?? 'no reason given'}`);
  return row.exit;
}

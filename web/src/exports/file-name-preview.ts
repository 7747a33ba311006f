/**
 * The file name an export will get with the server's default template,
 * `{name} ({dt_start} - {dt_end}).{ext}` (src/export/request/file-name.ts),
 * shown in the dialog before the job is made. A server configured with another
 * template names the file its own way; the job's answer carries the real name.
 */
import { formatLocalDateTime } from '../timeline/time-zone.js';

// The characters no common file system accepts, as the server replaces them.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/g;

export function fileNameTime(tMs: number, timeZone: string): string {
  return formatLocalDateTime(tMs, timeZone).replace(/:/g, '.');
}

export function previewFileName(options: {
  title: string;
  startMs: number;
  endMs: number;
  container: string;
  timeZone: string;
  /** What the user typed; empty: the template. */
  custom?: string;
}): string {
  const custom = options.custom?.trim();
  if (custom) {
    const withExt = /\.[a-z0-9]{2,4}$/i.test(custom) ? custom : `${custom}.${options.container}`;
    return withExt.replace(UNSAFE_CHARS, '_');
  }
  const start = fileNameTime(options.startMs, options.timeZone);
  const end = fileNameTime(options.endMs, options.timeZone);
  return `${options.title} (${start} - ${end}).${options.container}`.replace(UNSAFE_CHARS, '_');
}

/**
 * Export file names: the template, the characters no common file system
 * accepts, the container's extension, and a free name next to existing files.
 */
import { invalidArgument, VigilError } from '../../errors.js';
import { formatWallClock } from '../export-metadata.js';
import type { JobContainer } from './types.js';
import { show } from './values.js';

export const DEFAULT_FILE_NAME_TEMPLATE = '{name} ({dt_start} - {dt_end}){sub}.{ext}';

/**
 * - `{name}`: the stream's title (the name people see)
 * - `{stream}`: the stream's name (its id)
 * - `{dt_start}`, `{dt_end}`: the range in the job's zone, `2026-01-31 13.28.11`
 * - `{sub}`: ` (sub)` for the substream, empty for the main stream
 * - `{ext}`: the container (`mp4`, `mkv`, `ts`, `avi`)
 * - `{task_id}`: the job's id
 */
export const FILE_NAME_PLACEHOLDERS = ['name', 'stream', 'dt_start', 'dt_end', 'sub', 'ext', 'task_id'] as const;
export type FileNamePlaceholder = (typeof FILE_NAME_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Refuses a placeholder the renderer does not know, so a typo is not left in every file name. */
export function checkFileNameTemplate(template: string, field = 'file_name_template'): void {
  for (const [, key] of template.matchAll(PLACEHOLDER)) {
    if (!(FILE_NAME_PLACEHOLDERS as readonly string[]).includes(key ?? '')) {
      throw invalidArgument(
        field,
        `unknown placeholder {${key}} in ${show(template)}; known: ${FILE_NAME_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
      );
    }
  }
}

export function renderFileName(template: string, values: Record<FileNamePlaceholder, string>): string {
  checkFileNameTemplate(template);
  return template.replace(PLACEHOLDER, (_, key: FileNamePlaceholder) => values[key]);
}

/**
 * `YYYY-MM-DD HH.mm.ss`: colons are not allowed in Windows names (and show as
 * slashes in the macOS Finder); dots are what macOS itself puts in screenshot names.
 */
export function formatFileNameTime(us: number, timeZone: string): string {
  return formatWallClock(us, timeZone).replace(/:/g, '.');
}

/** Windows refuses these as a name's stem whatever the extension (`NUL.mp4` too). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
/** Windows' forbidden characters (the others' `/` and NUL among them), C0 and C1 controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides can show `gpj.exe` as `exe.jpg`; a name should read as it is. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
/** Bytes of UTF-8, below the 255 of ext4, APFS and NTFS, leaving room for a ` (9999)` suffix. */
export const MAX_FILE_NAME_BYTES = 200;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  // Only a short extension is kept whole when the name is cut; a long "extension" is part of the stem.
  return dot > 0 && name.length - dot <= 6 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
}

const isEdgeJunk = (ch: string): boolean => ch === '.' || /\s/.test(ch);

/** Windows drops trailing dots and spaces; a leading dot hides the file on macOS and Linux. */
function trimStem(stem: string): string {
  // Loops rather than /[\s.]+$/, which backtracks quadratically on a long run of blanks.
  let start = 0;
  let end = stem.length;
  while (start < end && isEdgeJunk(stem[start]!)) start++;
  while (end > start && isEdgeJunk(stem[end - 1]!)) end--;
  return stem.slice(start, end);
}

/**
 * A name every common file system accepts: unsafe characters become `_`,
 * edges are trimmed, a reserved Windows name gets a `_` prefix, and the stem
 * is cut (on a code point) so the whole stays within MAX_FILE_NAME_BYTES.
 * Returns '' when nothing usable is left.
 */
export function sanitizeFileName(name: string): string {
  const replaced = name.normalize('NFC').replace(UNSAFE_CHARS, '_').replace(BIDI_CONTROLS, '_');
  const [rawStem, ext] = splitExtension(trimStem(replaced));
  let stem = trimStem(rawStem);
  if (stem === '') return '';
  if (WINDOWS_RESERVED.test(stem.split('.')[0] ?? '')) stem = `_${stem}`;
  const budget = MAX_FILE_NAME_BYTES - utf8Bytes(ext);
  let kept = '';
  let used = 0;
  for (const point of stem) {
    used += utf8Bytes(point);
    if (used > budget) break;
    kept += point;
  }
  stem = trimStem(kept);
  return stem === '' ? '' : stem + ext;
}

const CONTAINER_EXTENSIONS: readonly JobContainer[] = ['mp4', 'mkv', 'ts', 'avi'];

/** The container a name's extension names, compared without case. */
export function containerOfFileName(name: string): JobContainer | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return name.includes('.') ? CONTAINER_EXTENSIONS.find((c) => c === ext) : undefined;
}

/** Appends `.ext` unless the name already ends with it (`clip.MP4` stays as it is). */
export function withExtension(name: string, container: JobContainer): string {
  return containerOfFileName(name) === container ? name : `${name}.${container}`;
}

export const MAX_NAME_SUFFIX = 9999;

/**
 * `name.mp4` if free, else `name (1).mp4`, `name (2).mp4`…; `isTaken` is
 * injected (disk, plus the names queued jobs have reserved).
 */
export async function nextFreeFileName(
  fileName: string,
  isTaken: (candidate: string) => boolean | Promise<boolean>,
): Promise<string> {
  if (!(await isTaken(fileName))) return fileName;
  const dot = fileName.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [fileName.slice(0, dot), fileName.slice(dot)] : [fileName, ''];
  for (let n = 1; n <= MAX_NAME_SUFFIX; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!(await isTaken(candidate))) return candidate;
  }
  throw new VigilError(
    'CONFLICT',
    `file_name: ${show(fileName)} and ${MAX_NAME_SUFFIX} numbered variants already exist; choose another name`,
    { field: 'file_name' },
  );
}

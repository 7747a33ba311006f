/**
 * What a user sends → a validated export job, waiting only for the disk
 * checks of prepareExportJob. Pure: the clock, the ids and the stream lookup
 * come from the context.
 */
import { checkStreamName } from '../../archive/layout.js';
import { invalidArgument, VigilError } from '../../errors.js';
import { assertTimeZone } from '../../time.js';
import { chooseContainer, parseContainer } from './container-choice.js';
import { normalizeRange } from './export-range.js';
import { normalizeOptions } from './export-options.js';
import { resolveRequestedPath } from './export-path.js';
import {
  containerOfFileName,
  DEFAULT_FILE_NAME_TEMPLATE,
  formatFileNameTime,
  renderFileName,
  sanitizeFileName,
  withExtension,
} from './file-name.js';
import type { ExportJobDraft, ExportJobWireRequest, ExportRequestContext } from './types.js';
import { optionalBoolean, optionalString, show } from './values.js';

/** Ids appear in URLs (`/api/v1/exports/{id}`) and file names: URL-safe, short. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Longer names are cut to MAX_FILE_NAME_BYTES anyway; this only bounds the work. */
const MAX_FILE_NAME_CHARS = 1024;

function readStream(value: unknown, ctx: ExportRequestContext): { stream: string; title: string } {
  if (typeof value !== 'string') throw invalidArgument('stream', `required: a stream name, got ${show(value)}`);
  checkStreamName(value);
  const found = ctx.findStream(value);
  if (found === undefined) {
    throw new VigilError('STREAM_NOT_FOUND', `stream: no stream is named ${show(value)}`, { field: 'stream' });
  }
  return { stream: value, title: found.title };
}

function readTaskId(value: unknown, ctx: ExportRequestContext): string {
  const given = optionalString(value, 'task_id');
  if (given === undefined) return ctx.newTaskId();
  if (!TASK_ID_PATTERN.test(given)) {
    throw invalidArgument('task_id', `expected 1-64 of A-Z a-z 0-9 _ -, got ${show(value)}`);
  }
  return given;
}

export function normalizeExportRequest(input: ExportJobWireRequest, ctx: ExportRequestContext): ExportJobDraft {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidArgument('body', `expected an object with stream and start, got ${show(input)}`);
  }
  const { stream, title } = readStream(input.stream, ctx);
  const { fromUs, toUs } = normalizeRange({ start: input.start, end: input.end, duration: input.duration }, ctx.nowUs);
  const variant = optionalBoolean(input.prefer_substream, 'prefer_substream') === true ? 'sub' : 'main';
  const tz = optionalString(input.tz, 'tz');
  const timeZone = tz === undefined || tz.trim() === '' ? ctx.timeZone : assertTimeZone('tz', tz.trim());
  const taskId = readTaskId(input.task_id, ctx);
  const { audio, transcode } = normalizeOptions(input.options, ctx.isAdmin);

  const requested = resolveRequestedPath(optionalString(input.file_path, 'file_path'), ctx.exportRoots);
  const givenName = optionalString(input.file_name, 'file_name');
  if (givenName !== undefined && givenName.length > MAX_FILE_NAME_CHARS) {
    throw invalidArgument('file_name', `at most ${MAX_FILE_NAME_CHARS} characters, got ${givenName.length}`);
  }
  if (givenName !== undefined && givenName.trim() !== '' && requested.fileName !== undefined) {
    throw invalidArgument(
      'file_name',
      `file_path already names the file (${show(requested.fileName)}); send the name in one of them, got ${show(givenName)}`,
    );
  }
  const userName = requested.fileName ?? (givenName?.trim() === '' ? undefined : givenName);
  const nameField = requested.fileName !== undefined ? 'file_path' : 'file_name';
  const namedContainer = userName === undefined ? undefined : containerOfFileName(userName);
  const container = chooseContainer({
    asked: parseContainer(input.container),
    named: namedContainer === undefined ? undefined : { container: namedContainer, field: nameField },
    audio,
    transcode,
  });

  let fileName: string;
  if (userName !== undefined) {
    fileName = sanitizeFileName(withExtension(userName, container));
    if (containerOfFileName(fileName) === undefined) {
      throw invalidArgument(
        nameField,
        `nothing usable is left of ${show(userName)} once unsafe characters are removed`,
      );
    }
  } else {
    const template = ctx.fileNameTemplate ?? DEFAULT_FILE_NAME_TEMPLATE;
    const rendered = renderFileName(template, {
      name: title,
      stream,
      dt_start: formatFileNameTime(fromUs, timeZone),
      dt_end: formatFileNameTime(toUs, timeZone),
      sub: variant === 'sub' ? ' (sub)' : '',
      ext: container,
      task_id: taskId,
    });
    const templated = containerOfFileName(rendered);
    if (templated !== undefined && templated !== container) {
      throw invalidArgument(
        'file_name_template',
        `${show(template)} ends in .${templated} but the container is ${container}; end it with .{ext}`,
      );
    }
    fileName = sanitizeFileName(withExtension(rendered, container));
  }

  return {
    taskId,
    stream,
    variant,
    fromUs,
    toUs,
    container,
    timeZone,
    source: 'archive',
    audio,
    transcode,
    target: { root: requested.root, directory: requested.directory, fileName },
  };
}

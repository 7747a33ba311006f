/**
 * Export jobs over HTTP: create (202 at once, with the id and the final
 * path), list, show, cancel/remove, download the finished file with byte
 * ranges, a thumbnail, and the reference DVR API's `dvr/export`, which makes
 * the same job.
 */
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { VigilError } from '../../errors.js';
import type { ExportJobRecord, ExportJobs } from '../../export/jobs/export-jobs.js';
import type { ExportJobWireRequest, JobContainer } from '../../export/request/index.js';
import { exportJobToJson } from '../../export/queue/index.js';
import { parseThumbnailWidth, planThumbnail } from '../../export/thumbnail-plan.js';
import type { VirtualFile } from '../../export/types.js';
import { readVirtualFile } from '../../export/virtual-file.js';
import { decodeFileThumbnail } from '../../media/index.js';
import { usToIso } from '../../time.js';
import { principalAllowsStream, requireStreamAccess } from '../access/principal.js';
import type { RouteAccess } from '../access/route-access.js';
import type { AppDeps, MediaDeps } from '../deps.js';
import { adminErrorResponses, contentResponse, fileResponses, StreamParamsSchema } from '../schemas/common.js';
import { sendVirtualFile } from '../send-virtual-file.js';
import { servedReporter } from './media/served-usage.js';
import { decodePlannedThumbnail } from './media/thumbnails.js';

const tags = ['exports'];
const operator = { access: { role: 'operator' } } satisfies { access: RouteAccess };
const Loose = Type.Unknown();

const ExportBodySchema = Type.Object(
  {
    stream: Type.String({ minLength: 1 }),
    start: Loose,
    end: Type.Optional(Loose),
    duration: Type.Optional(Loose),
    prefer_substream: Type.Optional(Loose),
    file_name: Type.Optional(Loose),
    file_path: Type.Optional(Loose),
    container: Type.Optional(Loose),
    tz: Type.Optional(Loose),
    task_id: Type.Optional(Loose),
    options: Type.Optional(Loose),
    webhook_url: Type.Optional(Type.String({ pattern: '^https?://', description: 'an http(s) URL' })),
  },
  { additionalProperties: false },
);

const ExportJobSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  state_code: Type.Integer(),
  step: Type.Union([Type.String(), Type.Null()]),
  percent: Type.Number(),
  created_at: Type.String(),
  started_at: Type.Union([Type.String(), Type.Null()]),
  finished_at: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  file_path: Type.String(),
  file_name: Type.String(),
  bytes: Type.Union([Type.Number(), Type.Null()]),
  stream: Type.String(),
  from: Type.String(),
  to: Type.String(),
  container: Type.String(),
  transcode: Type.Boolean(),
});

/** A job's picture is asked again and again by a task list; a finished file never changes. */
const THUMBNAIL_CACHE_ENTRIES = 64;
const THUMBNAIL_DEADLINE_MS = 15_000;
/** Segments whose keyframes a running job's thumbnail looks at: the one at its start and the next. */
const THUMBNAIL_SEGMENTS = 2;

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const errors = { ...adminErrorResponses, 429: adminErrorResponses[400], 501: adminErrorResponses[400] };

const CONTENT_TYPES: Record<JobContainer, string> = {
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
  ts: 'video/mp2t',
  avi: 'video/x-msvideo',
};

export function jobToWire(job: ExportJobRecord) {
  const { spec } = job;
  return {
    ...exportJobToJson(job),
    file_name: spec.fileName,
    stream: spec.stream,
    from: usToIso(spec.fromUs),
    to: usToIso(spec.toUs),
    container: spec.container,
    transcode: spec.transcode !== null,
  };
}

/** The file's size and mtime, or NOT_FOUND naming where it was. */
async function finishedFile(job: ExportJobRecord): Promise<{ sizeBytes: number; mtimeMs: number }> {
  return stat(job.filePath).then(
    (s) => ({ sizeBytes: s.size, mtimeMs: s.mtimeMs }),
    () => {
      throw new VigilError('NOT_FOUND', `the file of export ${job.id} is no longer at ${job.filePath}`, {
        field: 'id',
      });
    },
  );
}

/** A finished file in this node's export dir. */
async function localFile(job: ExportJobRecord, contentType: string, exports: ExportJobs): Promise<VirtualFile> {
  const { spec } = job;
  const path = relative(spec.exportRoot, job.filePath);
  const { sizeBytes } = await finishedFile(job);
  return readVirtualFile(
    {
      contentType,
      sizeBytes,
      parts: [{ kind: 'file', file: { root: spec.exportRoot, path }, offset: 0, length: sizeBytes }],
    },
    exports.reader,
  );
}

/** While a job waits or runs: the archive's keyframe nearest its start (as the archive thumbnails pick it). */
async function archiveThumbnail(
  media: MediaDeps,
  job: ExportJobRecord,
  width: number | undefined,
): Promise<Uint8Array> {
  const { spec } = job;
  const segments = (await media.archive.segmentsInRange(spec.stream, spec.variant, spec.fromUs, spec.toUs)).slice(
    0,
    THUMBNAIL_SEGMENTS,
  );
  const first = segments[0];
  if (first === undefined) {
    throw new VigilError('RANGE_NOT_RECORDED', `export ${job.id}: nothing is recorded in its range yet`, {
      field: 'id',
    });
  }
  const fragments = await media.archive.fragmentsOf(segments.map((s) => s.id));
  const plan = planThumbnail({ segments, fragments }, Math.max(spec.fromUs, first.startUs), 'nearest');
  return decodePlannedThumbnail(media, plan, width);
}

/** Whether the job's file is in the cluster's bucket (its picture is then the archive's, not decoded from the file). */
async function isRemoteFile(exports: ExportJobs, job: ExportJobRecord): Promise<boolean> {
  return (await exports.fileLocationOf(job.id)) !== undefined;
}

function jpegBody(jpeg: Uint8Array): Buffer {
  return Buffer.from(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
}

/** Operators limited to some streams see only those streams' jobs; another's is as absent as a missing one. */
async function requireJob(exports: ExportJobs, id: string, request: FastifyRequest): Promise<ExportJobRecord> {
  const job = await exports.get(id);
  if (job === undefined || !principalAllowsStream(request.principal, job.spec.stream)) {
    throw new VigilError('NOT_FOUND', `no export job ${JSON.stringify(id)}`, { field: 'id' });
  }
  return job;
}

export const exportRoutes: FastifyPluginAsyncTypebox<AppDeps & { exports: ExportJobs }> = async (app, deps) => {
  const { exports } = deps;

  app.post(
    '/api/v1/exports',
    {
      config: operator,
      schema: {
        tags,
        summary: 'Queue an export of a time range to a file (stream copy or transcode)',
        body: ExportBodySchema,
        response: { 202: ExportJobSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { webhook_url: webhookUrl, ...input } = request.body;
      requireStreamAccess(request, input.stream);
      const job = await exports.submit(input as ExportJobWireRequest, {
        isAdmin: request.principal?.role === 'admin',
        ...(webhookUrl !== undefined && { webhookUrl }),
      });
      request.log.info({ id: job.id, stream: job.spec.stream }, 'export queued');
      return reply.code(202).send(jobToWire(job));
    },
  );

  app.get(
    '/api/v1/exports',
    {
      config: operator,
      schema: {
        tags,
        summary: 'Export jobs in the task list, oldest first',
        response: { 200: Type.Object({ exports: Type.Array(ExportJobSchema) }), ...errors },
      },
    },
    async (request) => ({
      exports: (await exports.list())
        .filter((j) => principalAllowsStream(request.principal, j.spec.stream))
        .map(jobToWire),
    }),
  );

  app.get(
    '/api/v1/exports/:id',
    {
      config: operator,
      schema: { tags, summary: 'One export job', params: IdParams, response: { 200: ExportJobSchema, ...errors } },
    },
    async (request) => jobToWire(await requireJob(exports, request.params.id, request)),
  );

  app.delete(
    '/api/v1/exports/:id',
    {
      config: operator,
      schema: {
        tags,
        summary:
          'Cancel a queued or running job; a finished one leaves the task list (a local file stays; one in cluster storage is deleted)',
        params: IdParams,
        response: { 200: ExportJobSchema, ...errors },
      },
    },
    async (request) => {
      const job = await requireJob(exports, request.params.id, request);
      if (job.state === 'in_queue' || job.state === 'exporting') return jobToWire(await exports.cancel(job.id));
      await exports.remove(job.id);
      return jobToWire(job);
    },
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v1/exports/:id/file',
    config: operator,
    schema: {
      tags,
      summary: 'The finished file, with byte ranges',
      params: IdParams,
      response: {
        ...fileResponses('The exported file', ['video/mp4', 'video/x-matroska', 'video/mp2t', 'video/x-msvideo']),
        ...errors,
      },
    },
    handler: async (request, reply) => {
      const job = await requireJob(exports, request.params.id, request);
      if (job.state !== 'success') {
        throw new VigilError('CONFLICT', `export ${job.id} is ${job.state}; its file is served once it is success`, {
          field: 'id',
        });
      }
      const { spec } = job;
      const contentType = CONTENT_TYPES[spec.container];
      // A file stored in the cluster's bucket is served from there by every node, with the same headers.
      const file = (await exports.openRemoteFile(job, contentType)) ?? (await localFile(job, contentType, exports));
      return sendVirtualFile(request, reply, file, {
        cacheControl: 'private, max-age=3600',
        etag: `"${job.id}-${file.sizeBytes}"`,
        downloadName: spec.fileName,
        onDone: servedReporter(request, reply, deps.media?.onServed, {
          stream: spec.stream,
          kind: 'export-file',
          dvrUtcUs: spec.fromUs,
        }),
      });
    },
  });

  const thumbnails = new Map<string, Uint8Array>();
  app.get(
    '/api/v1/exports/:id/thumbnail.jpg',
    {
      config: operator,
      schema: {
        tags,
        summary:
          "A JPEG of the job's picture: the finished file's first frame, or while it waits or runs the archive's keyframe nearest its start",
        params: IdParams,
        querystring: Type.Object(
          {
            width: Type.Optional(
              Type.Union([Type.Integer(), Type.String()], { description: 'pixels (the height follows)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: contentResponse('A JPEG', ['image/jpeg']), ...errors },
      },
    },
    async (request, reply) => {
      const job = await requireJob(exports, request.params.id, request);
      const width = parseThumbnailWidth(request.query.width);
      const stored = job.state === 'success' && exports.remoteFiles !== undefined && (await isRemoteFile(exports, job));
      if (job.state === 'in_queue' || job.state === 'exporting' || stored) {
        if (deps.media === undefined) {
          throw new VigilError(
            'NOT_FOUND',
            `export ${job.id} is ${job.state} and this server has no archive thumbnails`,
          );
        }
        const jpeg = await archiveThumbnail(deps.media, job, width);
        return reply.header('Cache-Control', 'no-cache').type('image/jpeg').send(jpegBody(jpeg));
      }
      if (job.state !== 'success') {
        throw new VigilError('NOT_FOUND', `export ${job.id} is ${job.state}: it has no file to show`, { field: 'id' });
      }
      const { sizeBytes, mtimeMs } = await finishedFile(job);
      // The file's size and time in the key: a file replaced under the same name is decoded again.
      const key = `${job.id}|${sizeBytes}|${mtimeMs}|${width ?? ''}`;
      const jpeg =
        thumbnails.get(key) ??
        (await decodeFileThumbnail(job.filePath, {
          ...(width === undefined ? {} : { width }),
          signal: AbortSignal.timeout(THUMBNAIL_DEADLINE_MS),
        }));
      thumbnails.delete(key); // re-inserted last: the first entry is the least recently used
      thumbnails.set(key, jpeg);
      if (thumbnails.size > THUMBNAIL_CACHE_ENTRIES) thumbnails.delete(thumbnails.keys().next().value as string);
      return reply.header('Cache-Control', 'private, max-age=3600').type('image/jpeg').send(jpegBody(jpeg));
    },
  );

  // The reference DVR API: `POST /streamer/api/v3/streams/{name}/dvr/export?from&duration&path`.
  app.post(
    '/streamer/api/v3/streams/:name/dvr/export',
    {
      config: { access: { role: 'operator', streamParam: 'name' } } satisfies { access: RouteAccess },
      schema: {
        tags: ['dvr'],
        summary: 'Export a range to a file on the server (the same job as POST /api/v1/exports)',
        params: StreamParamsSchema,
        querystring: Type.Object(
          {
            from: Type.Union([Type.Number(), Type.String()], { description: 'Unix seconds or ISO 8601' }),
            duration: Type.Number({ exclusiveMinimum: 0, description: 'seconds (> 0)' }),
            path: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: ExportJobSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { from, duration, path } = request.query;
      const job = await exports.submit(
        { stream: request.params.name, start: from, duration, ...(path !== undefined && { file_path: path }) },
        { isAdmin: request.principal?.role === 'admin' },
      );
      return reply.code(202).send(jobToWire(job));
    },
  );
};

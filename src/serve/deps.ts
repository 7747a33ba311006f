/**
 * What the HTTP layer needs from the rest of Vigil, declared here (by the
 * user, as MediaMTX does) so the real Archive and RecordingManager satisfy it
 * structurally and tests can hand in small stand-ins. Methods may be sync or
 * async; the routes await them either way.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { StreamDefinition, Variant } from '../config/stream-types.js';
import type { LockRecord, NewStreamEvent, RecordedRange, StreamEventRecord } from '../archive/types.js';
import type { RecordingControl } from '../record/types.js';
import type { Archive } from '../archive/archive.js';
import type { SegmentByteReader } from '../archive/types.js';
import type { MediaEngine } from '../media/types.js';
import type { ExportJobs } from '../export/jobs/export-jobs.js';
import type { PlanCache } from '../export/plan-cache.js';
import type { AccessService } from './access/access-service.js';
import type { ServedUsage, Telemetry } from '../telemetry/index.js';

export type MaybePromise<T> = T | Promise<T>;

/** The archive as the admin API uses it. Times are UTC µs. */
export interface ArchiveApi {
  saveStream(def: StreamDefinition): MaybePromise<unknown>;
  /** `undefined` (or a STREAM_NOT_FOUND error) when no stream has that name. */
  getStream(name: string): MaybePromise<StreamDefinition | undefined>;
  listStreams(): MaybePromise<StreamDefinition[]>;
  deleteStream(name: string, options: { purge: boolean }): MaybePromise<unknown>;
  ranges(stream: string, variant?: Variant): MaybePromise<RecordedRange[]>;
  deleteRange(stream: string, fromUs: number, durationUs: number): MaybePromise<unknown>;
  addLock(stream: string, fromUs: number, durationUs: number): MaybePromise<unknown>;
  listLocks(stream: string): MaybePromise<Pick<LockRecord, 'fromUs' | 'durationUs'>[]>;
  removeLock(stream: string, fromUs: number, durationUs: number): MaybePromise<unknown>;
  addEvent(event: NewStreamEvent): MaybePromise<StreamEventRecord>;
  /** Events overlapping [fromUs, toUs). */
  listEvents(stream: string, fromUs: number, toUs: number): MaybePromise<StreamEventRecord[]>;
  deleteEvent(stream: string, id: number): MaybePromise<boolean>;
}

export type { RecordingControl };

/** Admin credentials; a request passes with the token or with user and password. */
export interface AdminAuth {
  token?: string;
  user?: string;
  password?: string;
}

/** What the viewer URLs (downloads, HLS, thumbnails) read: the index and the segment files. */
export interface MediaDeps {
  archive: Pick<
    Archive,
    'segmentsInRange' | 'fragmentsOf' | 'listEvents' | 'segmentById' | 'sequenceBases' | 'getStream' | 'depth'
  >;
  reader: SegmentByteReader;
  /** Decodes thumbnails (the media engine). */
  engine: Pick<MediaEngine, 'decodeThumbnail'>;
  /** IANA zone of chapter titles (the config's `timezone`). */
  timeZone: string;
  /** UTC µs clock (tests inject one). */
  now?: () => number;
  /** Parsed samples of closed segments and whole plans, shared by every download (see export/plan-cache.ts). */
  planCache?: PlanCache;
  /** Usage accounting: called after each media response with what it served (the metrics work consumes it). */
  onServed?: (usage: MediaUsage) => void;
}

/** A media response's usage; reported through routes/media/served-usage.ts. */
export type MediaUsage = ServedUsage;

export interface AppDeps {
  archive: ArchiveApi;
  recording: RecordingControl;
  auth: AdminAuth;
  /** A pino logger; Fastify's own is used (silent) when absent. */
  logger?: FastifyBaseLogger;
  /** The global archive root, which a percentage `disk_limit` refers to when a stream sets no root. */
  defaultDvrRoot?: string;
  /** Viewer URLs are served when present. */
  media?: MediaDeps;
  /** Export jobs (REST and events) are served when present. */
  exports?: ExportJobs;
  /** `/metrics`, `…/dvr` usage and request metrics are served when present. */
  telemetry?: Telemetry;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes?: number;
  /** Users, keys, play tokens and sessions; absent: the admin credentials only (users and keys in memory). */
  access?: AccessService;
  /** Fastify's trustProxy: whose X-Forwarded-For/-Proto to believe (client IP checks, Secure cookies). */
  trustProxy?: boolean | string[];
}

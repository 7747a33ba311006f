/**
 * Every migration, imported by name. A static list (not a directory scan) so
 * the same code runs from tsx sources and from compiled `dist/`.
 */
import type { Migration } from 'kysely/migration';
import * as createArchive from './2026_01_15_00_00_00_create_archive.js';
import * as liveSequence from './2026_11_21_00_00_00_live_sequence.js';
import * as exportJobs from './2026_11_21_01_00_00_export_jobs.js';
import * as streamEvents from './2026_11_22_00_00_00_stream_events.js';
import * as access from './2026_11_23_00_00_00_access.js';
import * as segmentStorage from './2026_11_24_00_00_00_segment_storage.js';
import * as clusterLeases from './2026_11_25_00_00_00_cluster_leases.js';
import * as exportFileLocation from './2026_11_25_02_00_00_export_file_location.js';

export const migrations: Record<string, Migration> = {
  '2026_01_15_00_00_00_create_archive': createArchive,
  '2026_11_21_00_00_00_live_sequence': liveSequence,
  '2026_11_21_01_00_00_export_jobs': exportJobs,
  '2026_11_22_00_00_00_stream_events': streamEvents,
  '2026_11_23_00_00_00_access': access,
  '2026_11_24_00_00_00_segment_storage': segmentStorage,
  '2026_11_25_00_00_00_cluster_leases': clusterLeases,
  '2026_11_25_02_00_00_export_file_location': exportFileLocation,
};

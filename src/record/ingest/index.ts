/** Vigil as a server publishers push to (publish:// streams over RTMP). */
export { RtmpIngest, type IngestLog, type RtmpIngestOptions } from './rtmp-ingest.js';

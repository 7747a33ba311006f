/**
 * A source Vigil waits for instead of pulling (a publish:// stream): before
 * each attempt the recorder asks its gate for the URL to read, which may take
 * as long as the publisher takes to connect. Implemented by record/ingest/.
 */
import type { PublisherInfo } from './types.js';

export interface GatedSource {
  /** What the attempt opens (the ingest's loopback URL of the live publish). */
  url: string;
  /** True once the publisher has left: the attempt's end is then expected, not a failure. */
  ended(): boolean;
}

export interface SourceGate {
  /** Resolves once there is something to read; undefined when `signal` aborted first. */
  waitForSource(signal: AbortSignal): Promise<GatedSource | undefined>;
  /** The publisher connected now, for the state the API shows. */
  publisher(): PublisherInfo | undefined;
}

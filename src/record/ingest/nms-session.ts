/**
 * The part of node-media-server (CommonJS, untyped) the ingest uses: its RTMP
 * session, which speaks the protocol (handshake, chunking, AMF commands) and
 * relays a publish to its players through the library's broadcast. We give it
 * our own listening socket rather than run the library's server class: that
 * class exits the process when its port is taken, cannot listen on port 0,
 * keeps a JSON store on disk and logs to stdout.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/** A media or data message; the ingest buffers and forwards it, and reads only its kind. */
export interface NmsPacket {
  /** FLV tag type: 8 audio, 9 video, 18 data. */
  readonly codec_type: number;
  /** The library's kind of tag: 0 audio config, 1 audio frame, 2 video config, 3 keyframe, 4 inter frame, 6 metadata. */
  readonly flags: number;
}

const FLV_AUDIO = 8;
const FLV_VIDEO = 9;

/** Whether a packet carries a picture or sound (not a codec configuration or metadata). */
export function isMediaFrame(packet: NmsPacket): boolean {
  if (packet.codec_type === FLV_AUDIO) return packet.flags === 1;
  return packet.codec_type === FLV_VIDEO && (packet.flags === 3 || packet.flags === 4);
}

export interface NmsBroadcast {
  /** How long a publish stays reserved for its client after it disconnects. */
  publishGraceMs: number;
  subscribers: Map<string, NmsSession>;
}

export interface NmsSession {
  readonly id: string;
  /** `address:port` of the peer. */
  readonly ip: string;
  readonly streamApp: string;
  readonly streamName: string;
  /** The query after `?` in the stream name (`cam?key=…`). */
  readonly streamQuery: Record<string, string | string[] | undefined>;
  readonly isPublisher: boolean;
  readonly broadcast: NmsBroadcast;
  /** Called when the client publishes / plays / sends a message; replaced to check the client first. */
  onPush: () => void;
  onPlay: () => void;
  onPacket: (packet: NmsPacket) => void;
  run(): void;
  /** Ends the connection once written data is flushed. */
  close(): void;
}

interface NmsLogger {
  log(message: string, level?: string): void;
}

const require = createRequire(import.meta.url);

export function createRtmpSession(socket: Socket): NmsSession {
  const RtmpSession = require('node-media-server/src/session/rtmp_session.js') as new (socket: Socket) => NmsSession;
  return new RtmpSession(socket);
}

/**
 * Sends the library's log lines (console by default) to `write`. The library
 * logs stream paths without their query, so publish keys never reach it.
 */
export function routeNmsLog(write: (level: string, message: string) => void): void {
  const logger = require('node-media-server/src/core/logger.js') as NmsLogger;
  logger.log = (message: string, level = 'info') => write(level, message);
}

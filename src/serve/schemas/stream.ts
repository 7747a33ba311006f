/** The stream as the admin API returns it: its settings, live state and archive extent. */
import { Type } from 'typebox';

const Seconds = (description: string) => Type.Number({ description });

const RecorderErrorSchema = Type.Object({
  code: Type.String(),
  message: Type.String(),
  at: Seconds('Unix seconds'),
});

const StatusSchema = Type.Enum(['disabled', 'stopped', 'connecting', 'recording', 'retrying', 'waiting'], {
  description: 'waiting: a publish:// stream with no publisher connected',
});

/** publish:// streams: who is publishing, or since when Vigil waits for a publisher. */
export const PublisherViewSchema = Type.Object({
  state: Type.Enum(['publishing', 'waiting']),
  via: Type.Optional(Type.Enum(['rtmp', 'vigil'], { description: 'vigil: a StreamPublisher at vigil://' })),
  client: Type.Optional(Type.String({ description: "the publisher's address:port" })),
  since: Seconds('Unix seconds when this state began'),
});

export const RecorderViewSchema = Type.Object({
  variant: Type.Enum(['main', 'sub']),
  status: StatusSchema,
  since: Seconds('Unix seconds when this status began'),
  last_error: Type.Optional(RecorderErrorSchema),
  next_attempt_at: Type.Optional(Seconds('Unix seconds of the next attempt while retrying')),
  last_packet_at: Type.Optional(Seconds('Unix seconds of the last packet written')),
  segments_written: Type.Number(),
  bytes_written: Type.Number(),
  codecs: Type.Optional(Type.String()),
});

export const StreamViewSchema = Type.Object({
  name: Type.String(),
  url: Type.String(),
  substream_url: Type.Optional(Type.String()),
  title: Type.String(),
  flip: Type.String(),
  rotate: Type.Number(),
  audio: Type.String(),
  rtsp_transport: Type.String(),
  enabled: Type.Boolean(),
  node: Type.Optional(
    Type.String({ description: 'cluster mode: the recorder node recording the stream now, when one is known' }),
  ),
  dvr: Type.Object({
    root: Type.Optional(Type.String()),
    expiration: Type.Optional(Seconds('seconds')),
    disk_limit: Type.Optional(Type.Number({ description: 'bytes' })),
  }),
  state: Type.Object({
    status: StatusSchema,
    last_error: Type.Optional(RecorderErrorSchema),
    recorders: Type.Array(RecorderViewSchema),
    publisher: Type.Optional(PublisherViewSchema),
  }),
  archive: Type.Object({
    from: Type.Optional(Seconds('Unix seconds of the oldest recording')),
    to: Type.Optional(Seconds('Unix seconds of the end of the newest recording')),
    depth: Seconds('seconds from the oldest recording to the newest'),
  }),
});

export const StreamListSchema = Type.Object({ streams: Type.Array(StreamViewSchema) });

export const StreamDeletedSchema = Type.Object({
  name: Type.String(),
  deleted: Type.Boolean(),
  purged: Type.Boolean({ description: 'whether the archive was deleted too' }),
});

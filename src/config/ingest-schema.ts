/**
 * The `rtmp:` section of the config file: where Vigil accepts RTMP
 * publishers for its publish:// streams. Off unless the section is present.
 *
 *   rtmp:
 *     listen: 1935            # or "127.0.0.1:1935", "[::1]:1935"
 *     app: live               # rtmp://host:1935/live/{stream}?key=…
 */
import { Type, type Static } from 'typebox';
import { VigilError } from '../errors.js';

export const RtmpIngestConfigSchema = Type.Object(
  {
    listen: Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.String({ minLength: 1 })], {
      description: 'a port (bound on the HTTP host) or "host:port"',
    }),
    app: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'the RTMP application name (default live)' }),
    ),
  },
  { additionalProperties: false },
);

export type RtmpIngestConfigFile = Static<typeof RtmpIngestConfigSchema>;

export interface RtmpIngestConfig {
  host: string;
  /** 0 picks a free port (the runtime reports the one it got). */
  port: number;
  /** The first path part publishers use: rtmp://host:port/{app}/{stream}. */
  app: string;
}

/**
 * Resolves the checked section; `defaultHost` (the HTTP host) is where a bare
 * port listens. `label` names the config file in messages.
 */
export function parseRtmpIngestConfig(
  file: RtmpIngestConfigFile | undefined,
  defaultHost: string,
  label: string,
): RtmpIngestConfig | undefined {
  if (file === undefined) return undefined;
  const app = file.app ?? 'live';
  if (typeof file.listen === 'number') return { host: defaultHost, port: file.listen, app };
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(file.listen.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (match === null || host === undefined || port > 65535) {
    throw new VigilError(
      'INVALID_CONFIG',
      `${label}: rtmp.listen: expected a port (1935) or "host:port" ("127.0.0.1:1935", "[::1]:1935"), ` +
        `got ${JSON.stringify(file.listen.slice(0, 80))}`,
      { field: 'rtmp.listen' },
    );
  }
  return { host, port, app };
}

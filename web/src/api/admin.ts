/**
 * The admin API as the admin pages call it: stream definitions
 * (`/streamer/api/v3/streams/{name}`), users, API keys and archive usage.
 * Wire shapes follow src/serve/schemas/stream.ts and src/serve/access/access-schemas.ts.
 */
import { apiJson } from './client.js';
import type { Role, StreamView } from './types.js';

export type Flip = 'none' | 'horizontal' | 'vertical' | 'both';
export type Rotate = 0 | 90 | 180 | 270;
export type AudioHandling = 'transcode' | 'keep' | 'drop';

/** A stream as an admin sees it: its settings (source URLs unmasked) besides its state. */
export interface StreamSettingsView extends StreamView {
  url: string;
  substream_url?: string;
  flip: Flip;
  rotate: Rotate;
  audio: AudioHandling;
  rtsp_transport: 'tcp' | 'udp';
  dvr: { root?: string; expiration?: number; disk_limit?: number };
}

/** A PUT body: the keys it names change, `null` clears an optional setting. */
export interface StreamWire {
  url?: string;
  substream_url?: string | null;
  title?: string;
  flip?: Flip;
  rotate?: Rotate;
  audio?: AudioHandling;
  enabled?: boolean;
  dvr?: { root?: string | null; expiration?: number | null; disk_limit?: number | string | null };
}

export interface UserView {
  name: string;
  role: Role;
  streams: string[] | null;
  /** Config-file users are read-only here. */
  source: 'config' | 'api';
}

export interface NewUser {
  name: string;
  role: Role;
  password: string;
  streams?: string[] | null;
}

export interface UserChanges {
  role?: Role;
  password?: string;
  streams?: string[] | null;
}

export interface ApiKeyView {
  id: string;
  label: string;
  created_by: string;
  role: Role;
  streams: string[] | null;
  ips: string[];
  /** Unix seconds */
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface NewKey {
  role: Role;
  label?: string;
  streams?: string[] | null;
  ips?: string[];
  /** seconds */
  expires_in?: number;
}

/** `GET /streamer/api/v3/streams/{name}/dvr` */
export interface DvrUsage {
  from: number | null;
  to: number | null;
  depth: number;
  segments: number;
  size_bytes: number;
  locked_bytes: number;
  locks: number;
  disk_limit: number | null;
  /** size_bytes / disk_limit */
  quota_used: number | null;
  expiration: number | null;
}

const enc = encodeURIComponent;
const streamPath = (name: string) => `/streamer/api/v3/streams/${enc(name)}`;

export const adminApi = {
  async streams(): Promise<StreamSettingsView[]> {
    return (await apiJson<{ streams: StreamSettingsView[] }>('GET', '/streamer/api/v3/streams')).streams;
  },
  saveStream(name: string, body: StreamWire): Promise<StreamSettingsView> {
    return apiJson<StreamSettingsView>('PUT', streamPath(name), body);
  },
  async deleteStream(name: string, purge: boolean): Promise<void> {
    await apiJson<unknown>('DELETE', `${streamPath(name)}?purge=${purge}`);
  },
  dvrUsage(name: string): Promise<DvrUsage> {
    return apiJson<DvrUsage>('GET', `${streamPath(name)}/dvr`);
  },
  async users(): Promise<UserView[]> {
    return (await apiJson<{ users: UserView[] }>('GET', '/api/v1/users')).users;
  },
  createUser(user: NewUser): Promise<UserView> {
    return apiJson<UserView>('POST', '/api/v1/users', user);
  },
  changeUser(name: string, changes: UserChanges): Promise<UserView> {
    return apiJson<UserView>('PATCH', `/api/v1/users/${enc(name)}`, changes);
  },
  deleteUser(name: string): Promise<void> {
    return apiJson<void>('DELETE', `/api/v1/users/${enc(name)}`);
  },
  async keys(): Promise<ApiKeyView[]> {
    return (await apiJson<{ keys: ApiKeyView[] }>('GET', '/api/v1/keys')).keys;
  },
  /** The answer's `key` is the only time the key itself is seen. */
  createKey(key: NewKey): Promise<ApiKeyView & { key: string }> {
    return apiJson<ApiKeyView & { key: string }>('POST', '/api/v1/keys', key);
  },
  revokeKey(id: string): Promise<void> {
    return apiJson<void>('DELETE', `/api/v1/keys/${enc(id)}`);
  },
};

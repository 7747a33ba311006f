/**
 * The one way the UI calls Vigil: same-origin fetch with the session cookie,
 * the CSRF header on writes, and the API's error envelope turned into an
 * `ApiError` that says what went wrong and what to do.
 */
import type { ExportJob, ExportRequest, Session, StreamEvent, StreamView, WireRange } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The server could not be reached at all (status 0). */
  get offline(): boolean {
    return this.status === 0;
  }
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** Called when any call answers 401: the session ended (expired, signed out elsewhere). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let field: string | undefined;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; field?: string } };
    if (body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      field = body.error.field;
    }
  } catch {
    // not the JSON envelope (a proxy's page): keep the status line
  }
  return new ApiError(res.status, code, message, field);
}

export async function apiFetch(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'OFFLINE', `Vigil cannot be reached (${String(err)}); check the server and your network`);
  }
  if (res.ok) return res;
  const error = await errorOf(res);
  if (res.status === 401 && path !== '/api/v1/session') for (const l of unauthorizedListeners) l();
  throw error;
}

export async function apiJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await apiFetch(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

export const api = {
  async signIn(user: string, password: string): Promise<Session> {
    const session = await apiJson<Session>('POST', '/api/v1/session', { user, password });
    csrfToken = session.csrf_token;
    return session;
  },
  async currentSession(): Promise<Session> {
    const session = await apiJson<Session>('GET', '/api/v1/session');
    csrfToken = session.csrf_token;
    return session;
  },
  async signOut(): Promise<void> {
    await apiFetch('DELETE', '/api/v1/session');
    csrfToken = undefined;
  },
  async streams(): Promise<StreamView[]> {
    return (await apiJson<{ streams: StreamView[] }>('GET', '/streamer/api/v3/streams')).streams;
  },
  stream(name: string): Promise<StreamView> {
    return apiJson<StreamView>('GET', `/streamer/api/v3/streams/${enc(name)}`);
  },
  async ranges(name: string): Promise<WireRange[]> {
    return (await apiJson<{ ranges: WireRange[] }>('GET', `/streamer/api/v3/streams/${enc(name)}/dvr/ranges`)).ranges;
  },
  async locks(name: string): Promise<WireRange[]> {
    return (await apiJson<{ locks: WireRange[] }>('GET', `/streamer/api/v3/streams/${enc(name)}/dvr/locks`)).locks;
  },
  async addLock(name: string, range: WireRange): Promise<WireRange[]> {
    return (await apiJson<{ locks: WireRange[] }>('POST', `/streamer/api/v3/streams/${enc(name)}/dvr/locks`, range))
      .locks;
  },
  async removeLock(name: string, range: WireRange): Promise<WireRange[]> {
    return (await apiJson<{ locks: WireRange[] }>('DELETE', `/streamer/api/v3/streams/${enc(name)}/dvr/locks`, range))
      .locks;
  },
  async events(name: string, fromS: number, toS: number): Promise<StreamEvent[]> {
    const q = `from=${Math.floor(fromS)}&to=${Math.ceil(toS)}`;
    return (await apiJson<{ events: StreamEvent[] }>('GET', `/api/v1/streams/${enc(name)}/events?${q}`)).events;
  },
  async exports(): Promise<ExportJob[]> {
    return (await apiJson<{ exports: ExportJob[] }>('GET', '/api/v1/exports')).exports;
  },
  createExport(request: ExportRequest): Promise<ExportJob> {
    return apiJson<ExportJob>('POST', '/api/v1/exports', request);
  },
  /** Cancels a waiting or running job; a finished one leaves the list (its file stays). */
  deleteExport(id: string): Promise<ExportJob | undefined> {
    return apiJson<ExportJob | undefined>('DELETE', `/api/v1/exports/${enc(id)}`);
  },
};

/** Viewer URLs (the session cookie works on them, so <img>, <video> and hls.js need no header). */
export const mediaUrls = {
  live: (name: string) => `/${enc(name)}/index.m3u8`,
  archive: (name: string, fromS: number, durationS: number) =>
    `/${enc(name)}/index-${Math.floor(fromS)}-${Math.max(1, Math.ceil(durationS))}.m3u8`,
  preview: (name: string, atS: number, width?: number) =>
    `/${enc(name)}/${atS.toFixed(0)}-preview.jpg${width === undefined ? '' : `?width=${width}`}`,
  exportFile: (id: string) => `/api/v1/exports/${enc(id)}/file`,
  exportThumbnail: (id: string, width = 160) => `/api/v1/exports/${enc(id)}/thumbnail.jpg?width=${width}`,
};

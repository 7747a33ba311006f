/**
 * The two ways a sink delivers: an HTTP POST of a JSON array per batch (any
 * 2xx is success; anything else, or no answer before the timeout, is
 * retried), or lines of JSON appended to a file under the data directory.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventSinkTarget } from '../config/sinks-schema.js';
import type { VigilEvent } from './events.js';
import type { SinkTransport } from './event-sink.js';

export class HttpSinkTransport implements SinkTransport {
  constructor(private readonly url: string) {}

  async deliver(batch: readonly VigilEvent[], signal: AbortSignal): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil-event-sink' },
      body: JSON.stringify(batch),
      signal,
    });
    // Read the body so the connection goes back to the pool.
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`the collector answered HTTP ${res.status}`);
  }

  async close(): Promise<void> {}
}

export class FileSinkTransport implements SinkTransport {
  #handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string) {}

  async deliver(batch: readonly VigilEvent[]): Promise<void> {
    this.#handle ??= this.#open();
    let handle: FileHandle;
    try {
      handle = await this.#handle;
    } catch (err) {
      // Opened again on the next try: the directory may appear, a disk may be remounted.
      this.#handle = undefined;
      throw err;
    }
    // One write per batch: lines of a batch never interleave with another writer's.
    await handle.appendFile(batch.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  async #open(): Promise<FileHandle> {
    await mkdir(dirname(this.path), { recursive: true });
    return open(this.path, 'a');
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await (await handle).close();
  }
}

export function transportFor(target: EventSinkTarget): SinkTransport {
  return target.kind === 'url' ? new HttpSinkTransport(target.url) : new FileSinkTransport(target.path);
}

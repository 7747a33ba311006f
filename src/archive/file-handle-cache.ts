/**
 * Keeps segment files open between reads. A 1 h download reads ~1,800
 * fragment payloads from 60 files, and a player seeking through it or
 * fetching HLS byte ranges asks for the same files again and again; opening
 * and closing each time is two thread-pool round trips per read.
 *
 * Handles are shared and counted; one nobody uses is closed after `idleMs`,
 * so a file deleted by retention gives its disk space back soon after.
 */
import { open, type FileHandle } from 'node:fs/promises';

export interface LeasedHandle {
  readonly fh: FileHandle;
  /** Must be called exactly once when the reads are done. */
  release(): void;
}

interface Entry {
  opened: Promise<FileHandle>;
  users: number;
  idleTimer?: NodeJS.Timeout;
}

export class FileHandleCache {
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  constructor(
    private readonly maxOpen = 64,
    private readonly idleMs = 2_000,
  ) {}

  async lease(path: string): Promise<LeasedHandle> {
    if (this.#closed) throw new Error('the file handle cache is closed');
    let entry = this.#entries.get(path);
    if (entry === undefined) {
      entry = { opened: open(path, 'r'), users: 0 };
      this.#entries.set(path, entry);
      this.#evictIdle();
    } else {
      // Re-insert: the Map's order is the eviction order (least recently leased first).
      this.#entries.delete(path);
      this.#entries.set(path, entry);
    }
    clearTimeout(entry.idleTimer);
    entry.users += 1;
    let fh: FileHandle;
    try {
      fh = await entry.opened;
    } catch (err) {
      entry.users -= 1;
      if (this.#entries.get(path) === entry) this.#entries.delete(path);
      throw err;
    }
    let released = false;
    return {
      fh,
      release: () => {
        if (released) return;
        released = true;
        this.#release(path, entry);
      },
    };
  }

  /** Closes every idle handle now, and each busy one when its last user releases it. */
  async close(): Promise<void> {
    this.#closed = true;
    const idle = [...this.#entries].filter(([, e]) => e.users === 0);
    await Promise.all(idle.map(([path, e]) => this.#drop(path, e)));
  }

  #release(path: string, entry: Entry): void {
    entry.users -= 1;
    if (entry.users > 0) return;
    if (this.#closed || this.#entries.get(path) !== entry) {
      void this.#drop(path, entry);
      return;
    }
    entry.idleTimer = setTimeout(() => void this.#drop(path, entry), this.idleMs);
    entry.idleTimer.unref();
    this.#evictIdle();
  }

  #evictIdle(): void {
    for (const [path, entry] of this.#entries) {
      if (this.#entries.size <= this.maxOpen) return;
      if (entry.users === 0) void this.#drop(path, entry);
    }
  }

  async #drop(path: string, entry: Entry): Promise<void> {
    clearTimeout(entry.idleTimer);
    if (this.#entries.get(path) === entry) this.#entries.delete(path);
    try {
      await (await entry.opened).close();
    } catch {
      // It never opened, or is already closed: nothing to give back.
    }
  }
}

/**
 * RecordingControl: follows stream definitions. Each enabled stream gets a
 * main recorder and, with a substream URL, a `sub` one; `apply` restarts only
 * the recorders whose source settings changed.
 */
import type { ArchiveWriter } from '../archive/types.js';
import type { StreamDefinition, Variant } from '../config/stream-types.js';
import type { MediaEngine } from '../media/types.js';
import { Recorder, type RecorderOptions } from './recorder.js';
import type { SourceGate } from './source-gate.js';
import type { RecorderState, RecordingControl } from './types.js';

export interface RecordingManagerOptions {
  engine: MediaEngine;
  archive: ArchiveWriter;
  /** Options every recorder gets (timeouts, segment length, clock…). */
  recorderDefaults?: Partial<Omit<RecorderOptions, 'engine' | 'archive' | 'stream' | 'variant' | 'url'>>;
  /** Called with each recorder once created, to subscribe to its events. */
  onRecorder?: (recorder: Recorder) => void;
  /** The gate of a source Vigil waits for (publish://, see record/ingest/); undefined for pulled sources. */
  sourceGate?: (stream: string, url: string) => SourceGate | undefined;
}

interface Running {
  recorder: Recorder;
  /** The settings it was started with; a different key means restart. */
  key: string;
}

export class RecordingManager implements RecordingControl {
  private readonly streams = new Map<string, Map<Variant, Running>>();

  constructor(private readonly options: RecordingManagerOptions) {}

  async apply(def: StreamDefinition): Promise<void> {
    if (!def.enabled) return this.remove(def.name);
    const running = this.streams.get(def.name) ?? new Map<Variant, Running>();
    this.streams.set(def.name, running);
    const wanted: Array<[Variant, string | undefined]> = [
      ['main', def.url],
      ['sub', def.substreamUrl],
    ];
    for (const [variant, url] of wanted) {
      const current = running.get(variant);
      const key = url === undefined ? undefined : JSON.stringify([url, def.audio, def.rtspTransport]);
      if (current !== undefined && current.key === key) continue;
      if (current !== undefined) {
        running.delete(variant);
        await current.recorder.stop();
      }
      if (url === undefined || key === undefined) continue;
      const gate = this.options.sourceGate?.(def.name, url);
      const recorder = new Recorder({
        ...(gate === undefined ? {} : { gate }),
        ...this.options.recorderDefaults,
        engine: this.options.engine,
        archive: this.options.archive,
        stream: def.name,
        variant,
        url,
        audio: def.audio,
        rtspTransport: def.rtspTransport,
      });
      this.options.onRecorder?.(recorder);
      running.set(variant, { recorder, key });
      recorder.start();
    }
  }

  async remove(name: string): Promise<void> {
    const running = this.streams.get(name);
    this.streams.delete(name);
    if (running === undefined) return;
    await Promise.all([...running.values()].map((r) => r.recorder.stop()));
  }

  states(name: string): RecorderState[] {
    const running = this.streams.get(name);
    if (running === undefined) return [];
    return [...running.values()].map((r) => r.recorder.state());
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((name) => this.remove(name)));
  }
}

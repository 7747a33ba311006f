/**
 * Test harness for the HTTP layer: the real Archive over SQLite in a temp
 * directory, a recorder stand-in that remembers what it was asked, and the
 * built app (never listening; tests call `app.inject`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive } from '../../archive/index.js';
import type { StreamDefinition } from '../../config/stream-types.js';
import type { RecorderState, RecordingControl } from '../../record/types.js';
import { buildApp, type VigilApp } from '../app.js';
import type { AdminAuth } from '../deps.js';

export const TEST_AUTH: Required<AdminAuth> = { token: 'test-token', user: 'admin', password: 'secret' };
export const BEARER = { authorization: `Bearer ${TEST_AUTH.token}` };
export const BASIC = {
  authorization: `Basic ${Buffer.from(`${TEST_AUTH.user}:${TEST_AUTH.password}`).toString('base64')}`,
};

/** Records apply/remove calls; `states` answers from `setState`. */
export class FakeRecording implements RecordingControl {
  readonly applied: StreamDefinition[] = [];
  readonly removed: string[] = [];
  readonly #states = new Map<string, RecorderState[]>();

  async apply(def: StreamDefinition): Promise<void> {
    this.applied.push(def);
  }

  async remove(name: string): Promise<void> {
    this.removed.push(name);
    this.#states.delete(name);
  }

  states(name: string): RecorderState[] {
    return this.#states.get(name) ?? [];
  }

  setState(name: string, states: RecorderState[]): void {
    this.#states.set(name, states);
  }

  async stopAll(): Promise<void> {
    this.#states.clear();
  }
}

export interface Harness {
  dir: string;
  app: VigilApp;
  archive: Archive;
  recording: FakeRecording;
  /** Closes the app and the archive, then builds both again on the same files. */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-serve-'));
  const open = async () => {
    const archive = await Archive.open({ databasePath: join(dir, 'index.sqlite'), defaultRoot: join(dir, 'archive') });
    const recording = new FakeRecording();
    const app = buildApp({ archive, recording, auth: TEST_AUTH, defaultDvrRoot: join(dir, 'archive') });
    await app.ready();
    return { archive, recording, app };
  };
  const harness: Harness = {
    dir,
    ...(await open()),
    async rebuild() {
      await harness.app.close();
      await harness.archive.close();
      Object.assign(harness, await open());
    },
    async close() {
      await harness.app.close();
      await harness.archive.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

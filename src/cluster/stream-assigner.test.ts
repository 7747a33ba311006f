import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { forEachDialect } from '../../test/helpers/index-dialects.js';
import { Archive } from '../archive/archive.js';
import { makeTempDir, streamDefinition } from '../archive/testing/fixtures.js';
import { videoFragment, writeVideoSegment } from '../archive/testing/segments.js';
import type { ArchiveWriter } from '../archive/types.js';
import type { StreamDefinition } from '../config/stream-types.js';
import { isVigilError } from '../errors.js';
import type { RecorderState, RecordingControl } from '../record/types.js';
import { ClusterRecordingControl } from './cluster-recording.js';
import { findLease } from './leases.repo.js';
import { type ClusterLogger, StreamAssigner } from './stream-assigner.js';

const LEASE_SECONDS = 15;
const LEASE_US = LEASE_SECONDS * 1_000_000;
const STREAMS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];

const quiet: ClusterLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Stands in for a RecordingManager: remembers what runs, and reports each running stream as recording. */
class RecordingStandIn implements RecordingControl {
  readonly running = new Map<string, StreamDefinition>();
  readonly removed: string[] = [];
  writer: ArchiveWriter | undefined;

  apply(def: StreamDefinition): Promise<void> {
    if (!def.enabled) return this.remove(def.name);
    this.running.set(def.name, def);
    return Promise.resolve();
  }

  remove(name: string): Promise<void> {
    if (this.running.delete(name)) this.removed.push(name);
    return Promise.resolve();
  }

  states(name: string): RecorderState[] {
    if (!this.running.has(name)) return [];
    return [
      {
        variant: 'main',
        status: 'recording',
        sinceUs: 1_000,
        lastError: undefined,
        nextAttemptAtUs: undefined,
        lastPacketAtUs: 2_000,
        segmentsWritten: 1,
        bytesWritten: 100,
        codecs: 'avc1.64001f',
      },
    ];
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.running.keys()]) await this.remove(name);
  }
}

forEachDialect('StreamAssigner', (d) => {
  let archive: Archive;
  let cleanup: () => Promise<void>;
  let clockUs: number;
  const assigners: StreamAssigner[] = [];

  beforeEach(async () => {
    const temp = await makeTempDir('vigil-cluster-');
    cleanup = temp.cleanup;
    archive = await Archive.open({ databasePath: await d.newLocation(), defaultRoot: temp.dir });
    clockUs = 1_800_000_000_000_000;
    for (const name of STREAMS) await archive.saveStream(streamDefinition(name));
  });

  afterEach(async () => {
    for (const a of assigners.splice(0)) await a.stop();
    await archive.close();
    await cleanup();
  });

  function node(id: string): { assigner: StreamAssigner; recording: RecordingStandIn } {
    const recording = new RecordingStandIn();
    const assigner = new StreamAssigner({
      db: archive.db,
      streams: archive,
      archive,
      createRecording: (fenced) => {
        recording.writer = fenced;
        return recording;
      },
      nodeId: id,
      roles: ['recorder', 'api'],
      leaseSeconds: LEASE_SECONDS,
      logger: quiet,
      now: () => clockUs,
    });
    assigners.push(assigner);
    return { assigner, recording };
  }

  it('splits the streams between two recorders, then the survivor takes a dead one over with generation + 1', async () => {
    const a = node('rec-a');
    const b = node('rec-b');
    await a.assigner.poll();
    assert.deepEqual(a.assigner.heldStreams(), STREAMS, 'a lone recorder takes every stream');
    await b.assigner.poll(); // b announces itself; every stream is held
    assert.deepEqual(b.assigner.heldStreams(), []);
    await a.assigner.poll(); // a sees b and sheds down to its share
    await b.assigner.poll(); // b takes what a released
    const heldA = a.assigner.heldStreams();
    const heldB = b.assigner.heldStreams();
    assert.equal(heldA.length, 2);
    assert.equal(heldB.length, 2);
    assert.deepEqual([...heldA, ...heldB].sort(), STREAMS);
    assert.deepEqual([...a.recording.running.keys()].sort(), heldA, 'a records exactly what it holds');
    assert.deepEqual([...b.recording.running.keys()].sort(), heldB);

    const victim = heldA[0] ?? '';
    const generation = a.assigner.generationOf(victim) ?? 0;
    // a writes under its lease, then stops renewing (a frozen or dead node).
    const writerA = a.recording.writer;
    assert.ok(writerA !== undefined);
    const appender = await writeVideoSegment(writerA, victim, clockUs, 1, { close: false });

    clockUs += LEASE_US - 1;
    await b.assigner.poll();
    assert.equal(b.assigner.holds(victim), false, 'not taken before the lease period is over');
    clockUs += 1;
    await b.assigner.poll();
    assert.deepEqual(b.assigner.heldStreams(), STREAMS, 'b took over all of the dead node’s streams');
    assert.equal(b.assigner.generationOf(victim), generation + 1);
    assert.equal((await findLease(archive.db, victim))?.node, 'rec-b');

    // a wakes up: its next fragment under the old generation is refused, and its recorder stops at once.
    await assert.rejects(appender.appendFragment(videoFragment(1, appender.segment.startUs)), (err: unknown) =>
      isVigilError(err, 'CONFLICT'),
    );
    await appender.close();
    await assert.rejects(writeVideoSegment(writerA, victim, clockUs, 1), (err: unknown) =>
      isVigilError(err, 'CONFLICT'),
    );
    await a.assigner.poll(); // its renewals fail: every recorder stops
    assert.deepEqual(a.assigner.heldStreams(), []);
    assert.deepEqual([...a.recording.running.keys()], []);
    assert.ok(a.recording.removed.includes(victim));

    // Only what a wrote under its valid lease is in the index.
    const segments = await archive.segmentsInRange(victim, 'main', 0, Number.MAX_SAFE_INTEGER);
    assert.equal(segments.length, 1);
    const [only] = segments;
    assert.equal(only?.endUs, (only?.startUs ?? 0) + 2_000_000, 'one 2 s fragment, none from the refused write');
  });

  it('follows definition changes, disables and deletions; a clean stop hands its streams over at once', async () => {
    const a = node('rec-a');
    await a.assigner.poll();
    const changed = { ...streamDefinition('cam-1'), url: 'rtsp://camera.local/other' };
    await archive.saveStream(changed);
    await archive.saveStream({ ...streamDefinition('cam-2'), enabled: false });
    await archive.deleteStream('cam-3', { purge: false });
    await a.assigner.poll();
    assert.equal(a.recording.running.get('cam-1')?.url, 'rtsp://camera.local/other');
    assert.deepEqual(a.assigner.heldStreams(), ['cam-1', 'cam-4']);
    assert.equal((await findLease(archive.db, 'cam-2'))?.expiresAtUs, 0, 'a disabled stream’s lease is released');

    const b = node('rec-b');
    await a.assigner.stop();
    await b.assigner.poll(); // no time passes: released leases are free at once
    assert.deepEqual(b.assigner.heldStreams(), ['cam-1', 'cam-4']);
  });

  it('shows the recorder node and its published state on a node that does not record', async () => {
    const a = node('rec-a');
    await a.assigner.poll();
    await a.assigner.poll(); // the renewal publishes the recorders' state
    const api = new ClusterRecordingControl({
      db: archive.db,
      nodeId: 'api-1',
      leaseSeconds: LEASE_SECONDS,
      logger: quiet,
      now: () => clockUs,
    });
    await api.refresh();
    const states = api.states('cam-1');
    assert.equal(states.length, 1);
    assert.equal(states[0]?.node, 'rec-a');
    assert.equal(states[0]?.status, 'recording');
    const onRecorder = new ClusterRecordingControl({
      db: archive.db,
      nodeId: 'rec-a',
      leaseSeconds: LEASE_SECONDS,
      logger: quiet,
      assigner: a.assigner,
      now: () => clockUs,
    });
    assert.equal(onRecorder.states('cam-1')[0]?.node, 'rec-a');

    clockUs += LEASE_US;
    assert.deepEqual(api.states('cam-1'), [], 'an expired lease shows no state');
    await api.stopAll();
  });
});

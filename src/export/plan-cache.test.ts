import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FragmentRecord, SegmentFileRef, SegmentRecord } from '../archive/types.js';
import { ByteLru } from './plan-cache-lru.js';
import { PlanCache } from './plan-cache.js';
import { planExport, type ExportSource } from './plan-export.js';
import { request, syntheticSegment, T0 } from './testing/synthetic-archive.js';
import type { ExportContainer, ExportRequest, PlannedExport } from './types.js';

const S = 1_000_000;
const meta = { title: 'Gate', timeZone: 'UTC' };

/** Index rows behind a fake archive that counts the moofs it hands out. */
class FakeIndex {
  segments: SegmentRecord[] = [];
  fragments: FragmentRecord[] = [];
  fragmentQueries = 0;

  put(segment: SegmentRecord, fragments: FragmentRecord[]): void {
    this.segments = [...this.segments.filter((s) => s.id !== segment.id), segment].sort(
      (a, b) => a.startUs - b.startUs,
    );
    this.fragments = [...this.fragments.filter((f) => f.segmentId !== segment.id), ...fragments];
  }

  source(planCache?: PlanCache): ExportSource {
    return {
      archive: {
        segmentsInRange: (_stream, _variant, fromUs, toUs) =>
          Promise.resolve(this.segments.filter((s) => s.endUs > fromUs && s.startUs < toUs)),
        fragmentsOf: (ids) => {
          this.fragmentQueries++;
          return Promise.resolve(this.fragments.filter((f) => ids.includes(f.segmentId)));
        },
        listEvents: () => Promise.resolve([]),
      },
      reader: patternReader,
      ...(planCache === undefined ? {} : { planCache }),
    };
  }
}

/** Payload bytes that depend on the file and the offset, so a wrong slice shows. */
const patternReader = {
  source: 'disk' as const,
  async *read(file: SegmentFileRef, offset: number, length: number): AsyncIterable<Uint8Array> {
    const salt = file.path.length * 31;
    yield Uint8Array.from({ length }, (_, i) => (offset + i + salt) & 255);
  },
};

function minutes(index: FakeIndex, count: number, options: { closed?: boolean } = {}): void {
  for (let i = 0; i < count; i++) {
    const { segment, fragments } = syntheticSegment({
      id: i + 1,
      startUs: T0 + i * 60 * S,
      frames: 1500,
      bFrames: true,
    });
    index.put({ ...segment, closed: options.closed ?? true }, fragments);
  }
}

async function bytesOf(planned: PlannedExport): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of planned.file.read(0, planned.file.sizeBytes, new AbortController().signal)) chunks.push(c);
  return Buffer.concat(chunks);
}

async function plan(
  source: ExportSource,
  req: ExportRequest,
  container: ExportContainer = 'mp4',
): Promise<{ planned: PlannedExport; bytes: Buffer }> {
  const planned = await planExport(source, req, container, meta);
  return { planned, bytes: await bytesOf(planned) };
}

describe('ByteLru', () => {
  it('evicts the least recently used entries until the bytes fit, and refuses one bigger than the budget', () => {
    const lru = new ByteLru<string, string>(100);
    lru.set('a', 'A', 40);
    lru.set('b', 'B', 40);
    assert.equal(lru.get('a'), 'A'); // b is now the least recently used
    lru.set('c', 'C', 40);
    assert.equal(lru.get('b'), undefined);
    assert.equal(lru.get('a'), 'A');
    assert.equal(lru.get('c'), 'C');
    lru.set('huge', 'H', 101);
    assert.equal(lru.get('huge'), undefined);
    lru.set('a', 'A2', 60); // replacing counts the new size only
    assert.deepEqual(
      { ...lru.stats(), hits: undefined, misses: undefined },
      { entries: 2, bytes: 100, maxBytes: 100, hits: undefined, misses: undefined, evictions: 1 },
    );
    assert.equal(lru.get('a'), 'A2');
  });
});

describe('PlanCache', () => {
  it('a second export over the same closed segments reads no moof again and gives the same bytes', async () => {
    const index = new FakeIndex();
    minutes(index, 4);
    const cache = new PlanCache();
    const first = request(T0 + 30 * S, T0 + 150 * S);
    const second = request(T0 + 70.52 * S, T0 + 170 * S);
    await plan(index.source(cache), first);
    const queries = index.fragmentQueries;
    const cached = await plan(index.source(cache), second);
    assert.equal(index.fragmentQueries, queries, 'no fragment rows were read for cached segments');
    const fresh = await plan(index.source(), second);
    assert.deepEqual(cached.bytes, fresh.bytes);
    assert.equal(cached.planned.etag, fresh.planned.etag);
    assert.equal(cache.stats().segments.hits, 2);
  });

  it('serves a repeated request from the cached plan, with a fresh file each time and identical bytes', async () => {
    const index = new FakeIndex();
    minutes(index, 3);
    const cache = new PlanCache();
    const req = request(T0 + 12.34 * S, T0 + 170 * S, 'keep');
    // TS is left out: it needs real decoder configs (its caching is the same path, with no layout).
    for (const container of ['mp4', 'fmp4'] as const) {
      const a = await plan(index.source(cache), req, container);
      const b = await plan(index.source(cache), req, container);
      const fresh = await plan(index.source(), req, container);
      assert.notEqual(a.planned.file, b.planned.file, `${container}: each response counts its own bytes`);
      assert.equal(b.planned.selection, a.planned.selection, `${container}: planned once`);
      assert.deepEqual(b.bytes, fresh.bytes, container);
      assert.deepEqual(a.bytes, fresh.bytes, container);
      assert.equal(b.planned.file.served.fromDisk + b.planned.file.served.fromRam, b.planned.file.sizeBytes);
    }
    assert.equal(cache.stats().plans.entries, 2);
    assert.equal(cache.stats().plans.hits, 2);
  });

  it('plans once for requests that arrive while the plan is being made', async () => {
    const index = new FakeIndex();
    minutes(index, 2);
    const cache = new PlanCache();
    const req = request(T0 + 5 * S, T0 + 100 * S);
    const [a, b] = await Promise.all([plan(index.source(cache), req), plan(index.source(cache), req)]);
    assert.equal(a.planned.selection, b.planned.selection);
    assert.equal(index.fragmentQueries, 1);
    assert.deepEqual(a.bytes, b.bytes);
  });

  it('never serves a growing open segment from the cache', async () => {
    const index = new FakeIndex();
    minutes(index, 1);
    const growing = (frames: number) => {
      const { segment, fragments } = syntheticSegment({ id: 2, startUs: T0 + 60 * S, frames, bFrames: true });
      index.put({ ...segment, closed: false }, fragments);
    };
    growing(500);
    const cache = new PlanCache();
    const req = request(T0 + 30 * S, T0 + 180 * S);
    const before = await plan(index.source(cache), req);
    growing(1000);
    const queries = index.fragmentQueries;
    const after = await plan(index.source(cache), req);
    assert.equal(index.fragmentQueries, queries + 1, 'the open segment is read again');
    assert.deepEqual(after.bytes, (await plan(index.source(), req)).bytes);
    const frames = (p: PlannedExport) => p.selection.tracks[0]!.count;
    assert.equal(frames(after.planned) - frames(before.planned), 500);
    assert.notEqual(after.planned.etag, before.planned.etag);
    assert.equal(cache.stats().plans.entries, 0, 'a plan over an open segment is not kept');
    assert.equal(cache.stats().segments.entries, 1, 'only the closed segment is kept');
  });

  it('keeps within its byte budgets', async () => {
    const index = new FakeIndex();
    minutes(index, 4);
    const cache = new PlanCache({ segmentBytes: 20_000, planBytes: 0 });
    await plan(index.source(cache), request(T0, T0 + 240 * S));
    const { segments, plans } = cache.stats();
    assert.ok(segments.bytes <= 20_000 && segments.entries >= 1 && segments.entries < 4, JSON.stringify(segments));
    assert.equal(plans.entries, 0);
    assert.throws(() => new PlanCache({ planBytes: -1 }), /planBytes/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VigilError, isVigilError } from '../errors.js';
import type { FrameOutput } from './ffmpeg-output.js';
import { StreamPublisher } from './stream-publisher.js';

/** An output that accepts frames and counts them; `breakNow` makes it fail as a lost server does. */
function fakeOutput(onFailure: (err: VigilError) => void): FrameOutput & { breakNow(): void } {
  const output = {
    timeBase: { num: 1, den: 1000 },
    bytes: 0,
    written: 0,
    failure: undefined as VigilError | undefined,
    submit(frame: Uint8Array): Promise<void> {
      if (output.failure !== undefined) return Promise.reject(output.failure);
      output.bytes += frame.byteLength;
      output.written += 1;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
    breakNow() {
      output.failure = new VigilError('PUBLISH_FAILED', 'publisher: writing to rtmp://x/live/a failed: broken pipe');
      onFailure(output.failure);
    },
  };
  return output;
}

function publisherWithFakes(): {
  publisher: StreamPublisher;
  clock: { ms: number };
  output: () => ReturnType<typeof fakeOutput>;
} {
  const clock = { ms: 0 };
  let last: ReturnType<typeof fakeOutput> | undefined;
  const publisher = new StreamPublisher({
    now: () => clock.ms,
    openOutput: (_config, onFailure) => Promise.resolve((last = fakeOutput(onFailure))),
  });
  publisher.setParameter({ address: 'rtmp://x/live/a', width: 4, height: 2, GOPSize: 10 });
  return { publisher, clock, output: () => last! };
}

const FRAME = new Uint8Array(4 * 2 * 3);

describe('StreamPublisher (with a fake output and clock)', () => {
  it('refuses frames before open, naming what to do', async () => {
    const { publisher } = publisherWithFakes();
    assert.equal(await publisher.serveFrame(FRAME), false);
    assert.ok(isVigilError(publisher.lastError, 'CONFLICT'));
    assert.match(publisher.lastError.message, /not open; call open\(\) first/);
  });

  it('counts pushed and played frames and derives waitRef and ptsAhead', async () => {
    const { publisher, clock } = publisherWithFakes();
    await publisher.open();
    for (let i = 0; i < 30; i++) assert.equal(await publisher.serveFrame(FRAME), true);
    clock.ms = 400;
    assert.deepEqual(publisher.counters, { pushed: 30, played: 10, dropped: 0, bytes: 720 });
    assert.ok(Math.abs(publisher.getParameter('waitRef') - 10 / 25) < 1e-9, '30 pushed − 10 played − 10 ahead');
    assert.equal(publisher.getParameter('ptsAhead'), 400, '10 frames in the stream time base (ms)');
    const all = publisher.getParameter();
    assert.deepEqual(Object.keys(all).sort(), [
      'GOPSize',
      'address',
      'bitRate',
      'codecName',
      'formatName',
      'frameAhead',
      'frameRate',
      'height',
      'heightSrc',
      'hlsListSize',
      'hlsPlaylist',
      'hlsSegmentType',
      'hlsTime',
      'maxBframe',
      'nthread',
      'pixelFormat',
      'preset',
      'ptsAhead',
      'timeoutMs',
      'waitRef',
      'width',
      'widthSrc',
    ]);
    assert.match(String(publisher), /counters: pushed 30, played 10, dropped 0, bytes 720, waitRef 0.400 s/);
  });

  it('a failed output moves to failed, emits error, refuses frames and counts them dropped', async () => {
    const { publisher, output } = publisherWithFakes();
    const errors: string[] = [];
    publisher.on('error', (err) => errors.push(err.message));
    await publisher.open();
    assert.equal(await publisher.serveFrame(FRAME), true);
    output().breakNow();
    assert.equal(publisher.state, 'failed');
    assert.equal(await publisher.serveFrame(FRAME), false);
    assert.match(publisher.lastError?.message ?? '', /broken pipe; call open\(\) first/);
    assert.equal(errors[0], 'publisher: writing to rtmp://x/live/a failed: broken pipe');
    await publisher.close();
    assert.equal(publisher.state, 'closed');
    await publisher.open();
    assert.equal(publisher.state, 'open', 'open() works again after a failure');
  });

  it('refuses a source while open and read-only or unknown names always', async () => {
    const { publisher } = publisherWithFakes();
    await publisher.open();
    assert.throws(
      () => publisher.setParameter({ source: { width: 8 } }),
      (err: unknown) => isVigilError(err, 'CONFLICT'),
    );
    assert.throws(
      () => publisher.setParameter({ ptsAhead: 3 } as never),
      (err: unknown) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === 'ptsAhead',
    );
    await publisher.clear();
    assert.equal(publisher.getParameter('address'), undefined);
  });
});

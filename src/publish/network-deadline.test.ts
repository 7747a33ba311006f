import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { IoDeadline, checkReachable, networkEndpoint } from './network-deadline.js';

describe('networkEndpoint', () => {
  it('reads host and port, with each scheme’s default port', () => {
    assert.deepEqual(networkEndpoint('rtmp://h.example/live/a?key=k'), { host: 'h.example', port: 1935 });
    assert.deepEqual(networkEndpoint('rtsp://10.0.0.2/cam'), { host: '10.0.0.2', port: 554 });
    assert.deepEqual(networkEndpoint('rtmp://[::1]:1936/live/a'), { host: '::1', port: 1936 });
    assert.equal(networkEndpoint('/tmp/out.mp4'), undefined);
  });
});

describe('IoDeadline', () => {
  it('interrupts a call that outlives the timeout and reports the address and the timeout', async () => {
    let release: () => void = () => undefined;
    const deadline = new IoDeadline('rtmp://h/live/a', 100, () => release());
    const stuck = () => new Promise<void>((resolve) => (release = resolve));
    await assert.rejects(
      deadline.run('sending frames', stuck),
      (err: unknown) =>
        isVigilError(err, 'TIMEOUT') &&
        err.field === 'address' &&
        err.message ===
          'address: rtmp://h/live/a did not answer within 100 ms (timeoutMs) while sending frames; ' +
            'check that the server is up and reading, or raise timeoutMs',
    );
    await assert.rejects(
      deadline.run('closing the output', () => Promise.resolve()),
      /while sending frames/,
    );
  });

  it('passes results and errors of calls that finish in time', async () => {
    const deadline = new IoDeadline('rtmp://h/live/a', 60_000, () => assert.fail('not interrupted'));
    assert.equal(await deadline.run('x', () => Promise.resolve(7)), 7);
    await assert.rejects(
      deadline.run('x', () => Promise.reject(new Error('refused'))),
      /refused/,
    );
    assert.equal(deadline.failure, undefined);
  });
});

describe('checkReachable', () => {
  it('resolves when something listens and names the address when nothing does', async () => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await checkReachable('vigil://cam', `rtmp://127.0.0.1:${port}/live/cam`, 5000);
    await new Promise<void>((done) => server.close(() => done()));
    await assert.rejects(
      checkReachable('vigil://cam', `rtmp://127.0.0.1:${port}/live/cam`, 5000),
      (err: unknown) => isVigilError(err, 'PUBLISH_FAILED') && /^address: cannot open vigil:\/\/cam /.test(err.message),
    );
  });
});

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { guessOutput } from './output-format.js';
import { registerVigilIngest, resolveVigilAddress } from './vigil-address.js';

async function refusal(address: string): Promise<{ code: string; field: string | undefined; message: string }> {
  try {
    await resolveVigilAddress(address);
  } catch (err) {
    assert.ok(isVigilError(err), String(err));
    return { code: err.code, field: err.field, message: err.message };
  }
  assert.fail('expected a refusal');
}

describe('vigil:// addresses', () => {
  let undo: (() => void) | undefined;
  afterEach(() => undo?.());

  it('publish as FLV over RTMP', () => {
    assert.deepEqual(guessOutput('vigil://cam'), { kind: 'vigil', formatName: 'flv' });
  });

  it('go to the Vigil registered in this process for vigil://{stream}', async () => {
    undo = registerVigilIngest({ publishUrl: async (s) => `rtmp://127.0.0.1:1/live/${s}?token=t` });
    assert.equal(await resolveVigilAddress('vigil://Cam_1'), 'rtmp://127.0.0.1:1/live/Cam_1?token=t');
  });

  it('refuse vigil://{stream} when no Vigil runs in this process', async () => {
    const r = await refusal('vigil://cam');
    assert.equal(r.field, 'address');
    assert.match(r.message, /no Vigil with an RTMP ingest runs in this process/);
  });

  it('forget a registration once undone, but not a newer one', async () => {
    const first = registerVigilIngest({ publishUrl: async () => 'rtmp://first' });
    const second = registerVigilIngest({ publishUrl: async () => 'rtmp://second' });
    first();
    assert.equal(await resolveVigilAddress('vigil://cam'), 'rtmp://second');
    second();
    assert.equal((await refusal('vigil://cam')).code, 'CONFLICT');
  });

  const remote: Array<[string, string]> = [
    ['vigil://10.0.0.5/cam?key=abc', 'rtmp://10.0.0.5:1935/live/cam?key=abc&via=vigil'],
    ['vigil://vigil.example:19350/cam?key=a%2Bb', 'rtmp://vigil.example:19350/live/cam?key=a%2Bb&via=vigil'],
    ['vigil://[::1]:1936/in/cam?key=k', 'rtmp://[::1]:1936/in/cam?key=k&via=vigil'],
  ];
  for (const [address, url] of remote) {
    it(`send ${address} to the remote ingest`, async () => assert.equal(await resolveVigilAddress(address), url));
  }

  const bad: Array<[string, RegExp]> = [
    ['vigil://host/cam', /needs \?key=/],
    ['vigil://host/ca m?key=k', /not a stream name/],
    ['vigil://bad.name', /not a stream name/],
  ];
  for (const [address, message] of bad) {
    it(`refuse ${address}, naming address`, async () => {
      const r = await refusal(address);
      assert.equal(r.field, 'address');
      assert.match(r.message, message);
    });
  }
});

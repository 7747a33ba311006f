import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAudioSpecificConfig, readAudioSpecificConfig } from './aac.js';

describe('buildAudioSpecificConfig', () => {
  const cases: Array<[{ sampleRate: number; channelCount: number; objectType?: number }, string]> = [
    [{ sampleRate: 44100, channelCount: 1 }, '1208'],
    [{ sampleRate: 48000, channelCount: 2 }, '1190'],
    [{ sampleRate: 8000, channelCount: 1 }, '1588'],
    [{ sampleRate: 16000, channelCount: 1 }, '1408'],
    [{ sampleRate: 48000, channelCount: 6 }, '11b0'],
    [{ sampleRate: 48000, channelCount: 8 }, '11b8'],
    [{ sampleRate: 24000, channelCount: 2, objectType: 5 }, '2b10'],
  ];
  for (const [fields, hex] of cases) {
    it(`writes ${hex} for ${JSON.stringify(fields)} and reads it back`, () => {
      const asc = buildAudioSpecificConfig(fields);
      assert.equal(Buffer.from(asc).toString('hex'), hex);
      assert.deepEqual(readAudioSpecificConfig(asc), { objectType: 2, ...fields });
    });
  }

  it('writes a rate without a table index as 24 explicit bits', () => {
    const asc = buildAudioSpecificConfig({ sampleRate: 12345, channelCount: 2 });
    assert.equal(asc.length, 5);
    assert.deepEqual(readAudioSpecificConfig(asc), { objectType: 2, sampleRate: 12345, channelCount: 2 });
  });

  it('refuses a channel count AAC has no configuration for', () => {
    assert.throws(() => buildAudioSpecificConfig({ sampleRate: 48000, channelCount: 7 }), { code: 'INVALID_ARGUMENT' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanEngineMessage } from './engine-message.js';

describe('cleanEngineMessage', () => {
  const cases: Array<[string, string, string[], string]> = [
    [
      'a known path becomes its name',
      'cannot open /srv/exports/alice/out.mp4: denied',
      ['/srv/exports/alice/out.mp4'],
      'cannot open out.mp4: denied',
    ],
    ['another path is hidden', "Error opening '/home/bob/secret/cam.mp4'", [], "Error opening '<path>'"],
    [
      'URL credentials are hidden',
      'rtsp://admin:hunter2@10.0.0.5/stream failed',
      [],
      'rtsp://***@10.0.0.5/stream failed',
    ],
    [
      'query secrets are hidden',
      'GET https://s3.example/b/k?token=abc&x=1',
      [],
      'GET https://s3.example/b/k?token=***&x=1',
    ],
    ['lines are joined', 'first\n  second', [], 'first second'],
  ];
  for (const [name, input, known, expected] of cases) {
    it(name, () => assert.equal(cleanEngineMessage(input, known), expected));
  }
});

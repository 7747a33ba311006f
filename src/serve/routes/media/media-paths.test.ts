import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isVigilError } from '../../../errors.js';
import { parseMediaFileName } from './media-paths.js';

test('archive downloads, playlists and the live playlist parse into µs', () => {
  assert.deepEqual(parseMediaFileName('archive-1763712000-60.mp4'), {
    kind: 'archive',
    fromUs: 1_763_712_000_000_000,
    durationUs: 60_000_000,
    container: 'mp4',
    from: '1763712000',
    duration: '60',
  });
  assert.equal(parseMediaFileName('archive-1763712000.52-8.ts').kind, 'archive');
  assert.deepEqual(parseMediaFileName('index-1763712000-now.m3u8'), {
    kind: 'playlist',
    fromUs: 1_763_712_000_000_000,
    durationUs: 'now',
  });
  assert.deepEqual(parseMediaFileName('index.m3u8'), { kind: 'live-playlist' });
  assert.deepEqual(parseMediaFileName('1763712000.48.jpg'), {
    kind: 'thumbnail',
    fromUs: 1_763_712_000_480_000,
    from: '1763712000.48',
    preview: false,
    format: 'jpg',
  });
  assert.equal(parseMediaFileName('1763712000-preview.mp4').kind, 'thumbnail');
  assert.throws(
    () => parseMediaFileName('1763712000.mp4'),
    (err) => isVigilError(err, 'NOT_FOUND'),
  );
});

test('a wrong from or duration names the field; an unknown name is a 404', () => {
  const field = (name: string) => (err: unknown) => isVigilError(err, 'INVALID_ARGUMENT') && err.field === name;
  assert.throws(() => parseMediaFileName('archive-abc-60.mp4'), field('from'));
  assert.throws(() => parseMediaFileName('archive-1763712000-0.mp4'), field('duration'));
  assert.throws(() => parseMediaFileName('archive-1763712000-x.mp4'), field('duration'));
  assert.throws(() => parseMediaFileName('archive-1763712000-999999999.mp4'), field('duration'));
  assert.throws(() => parseMediaFileName('archive--5-60.mp4'), field('from'));
  assert.throws(() => parseMediaFileName('archive-1763712000--60.mp4'), field('duration'));
  assert.throws(() => parseMediaFileName('index-1763712000-later.m3u8'), field('duration'));
  assert.throws(() => parseMediaFileName('soon-preview.jpg'), field('from'));
  assert.throws(
    () => parseMediaFileName('archive-1-60.avi'),
    (err) => isVigilError(err, 'NOT_FOUND'),
  );
});

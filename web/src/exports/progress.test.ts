import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { previewFileName } from './file-name-preview.js';
import { estimateEtaSeconds, formatBytes, formatDuration } from './progress.js';

describe('export progress', () => {
  test('ETA is the time left at the average rate so far', () => {
    assert.equal(estimateEtaSeconds(0, 10_000, 25), 30);
    assert.equal(estimateEtaSeconds(0, 10_000, 0), undefined);
    assert.equal(estimateEtaSeconds(0, 500, 50), undefined);
    assert.equal(estimateEtaSeconds(0, 10_000, 100), undefined);
  });

  test('durations and sizes read as people write them', () => {
    assert.equal(formatDuration(41), '0:41');
    assert.equal(formatDuration(3723), '1:02:03');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1_500_000), '1.5 MB');
    assert.equal(formatBytes(25_000_000_000), '25 GB');
  });
});

describe('file name preview', () => {
  test('the default template in the chosen zone, with dots for colons', () => {
    const name = previewFileName({
      title: 'Front door',
      startMs: Date.parse('2026-11-21T09:00:00Z'),
      endMs: Date.parse('2026-11-21T09:10:00Z'),
      container: 'mp4',
      timeZone: 'Europe/Berlin',
    });
    assert.equal(name, 'Front door (2026-11-21 10.00.00 - 2026-11-21 10.10.00).mp4');
  });

  test('a typed name gets the container’s extension and loses unsafe characters', () => {
    const name = previewFileName({
      title: 't',
      startMs: 0,
      endMs: 1,
      container: 'mkv',
      timeZone: 'UTC',
      custom: 'a/b:c',
    });
    assert.equal(name, 'a_b_c.mkv');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  etaSecondsOf,
  formatClock,
  formatProgressBar,
  formatProgressLine,
  formatSpeed,
  ProgressRenderer,
  speedOf,
} from './progress-bar.js';

function renderer(tty: boolean, mediaSeconds = 100) {
  let now = 0;
  const written: string[] = [];
  const r = new ProgressRenderer({ tty, mediaSeconds, write: (t) => written.push(t), now: () => now });
  return { r, written, at: (ms: number) => (now = ms) };
}

describe('progress formatting', () => {
  it('writes clocks as m:ss or h:mm:ss', () => {
    assert.equal(formatClock(0), '0:00');
    assert.equal(formatClock(5.4), '0:05');
    assert.equal(formatClock(754), '12:34');
    assert.equal(formatClock(3723), '1:02:03');
  });

  it('measures speed as media seconds per wall second, and the ETA from the pace so far', () => {
    assert.equal(speedOf(50, 60, 10_000), 3);
    assert.equal(speedOf(0, 60, 10_000), undefined);
    assert.equal(etaSecondsOf(25, 10_000), 30);
    assert.equal(etaSecondsOf(100, 10_000), 0);
    assert.equal(etaSecondsOf(0, 10_000), undefined);
    assert.equal(formatSpeed(3.14), '3.1×');
    assert.equal(formatSpeed(612.4), '612×');
  });

  it('draws a bar with percent, step, speed and ETA', () => {
    const view = { step: 'encoding', percent: 50, speed: 3, etaSeconds: 12 };
    assert.equal(formatProgressBar(view, 10), '[#####-----]  50% encoding  3.0× realtime  ETA 0:12');
    assert.equal(formatProgressLine(view), 'export: encoding 50% (3.0× realtime, ETA 0:12)');
    assert.equal(
      formatProgressLine({ step: 'preparing', percent: 0, speed: undefined, etaSeconds: undefined }),
      'export: preparing 0%',
    );
  });
});

describe('ProgressRenderer', () => {
  it('prints a plain line per step change and per 10 %, never going back', () => {
    const { r, written, at } = renderer(false);
    r.started();
    for (const [ms, step, pct] of [
      [100, 'preparing', 0],
      [200, 'copying', 3],
      [300, 'copying', 9],
      [400, 'copying', 12],
      [500, 'copying', 15],
      [600, 'copying', 8],
      [700, 'copying', 31],
      [800, 'finalizing', 99],
    ] as const) {
      at(ms);
      r.update(step, pct);
    }
    assert.deepEqual(
      written.map((l) => l.replace(/ \(.*\)/, '')),
      [
        'export: preparing 0%\n',
        'export: copying 3%\n',
        'export: copying 12%\n',
        'export: copying 31%\n',
        'export: finalizing 99%\n',
      ],
    );
  });

  it('redraws in place with \\r at most every 250 ms on a terminal, and always on a step change', () => {
    const { r, written, at } = renderer(true);
    r.started();
    at(10_000);
    r.update('copying', 10);
    at(10_100);
    r.update('copying', 20);
    at(10_300);
    r.update('copying', 30);
    at(10_310);
    r.update('finalizing', 95);
    assert.equal(written.length, 3);
    assert.ok(written.every((w) => w.startsWith('\r') && !w.includes('\n')));
    assert.match(written[1] ?? '', /30% copying {2}2\.9× realtime {2}ETA 0:24/);
    assert.match(written[2] ?? '', /95% finalizing/);
    r.message('done');
    assert.deepEqual(written.slice(3), ['\n', 'done\n']);
  });

  it('draws the latest state when finishing a throttled bar', () => {
    const { r, written, at } = renderer(true);
    r.started();
    at(1000);
    r.update('copying', 10);
    at(1050);
    r.update('copying', 100);
    r.finish();
    assert.match(written.at(-2) ?? '', /100% copying/);
    assert.equal(written.at(-1), '\n');
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ExportStep } from './job-types.js';
import { MAX_RUNNING_PERCENT, ProgressTracker } from './progress-tracker.js';

const cases: Array<{ name: string; reports: Array<[ExportStep, number]>; want: [ExportStep, number] }> = [
  {
    name: 'moves forward',
    reports: [
      ['copying', 10],
      ['copying', 20.25],
    ],
    want: ['copying', 20.2],
  },
  {
    name: 'never goes backwards',
    reports: [
      ['encoding', 60],
      ['encoding_retry', 5],
    ],
    want: ['encoding_retry', 60],
  },
  {
    name: 'keeps 100 for success',
    reports: [
      ['finalizing', 100],
      ['finalizing', 1e9],
    ],
    want: ['finalizing', 99],
  },
  {
    name: 'ignores a non-finite percent',
    reports: [
      ['copying', 30],
      ['copying', Number.NaN],
    ],
    want: ['copying', 30],
  },
  { name: 'ignores negative values', reports: [['copying', -5]], want: ['copying', 0] },
  {
    name: 'ignores an unknown step',
    reports: [
      ['copying', 1],
      ['uploading' as ExportStep, 2],
    ],
    want: ['copying', 2],
  },
];

for (const c of cases) {
  it(`progress ${c.name}`, () => {
    const tracker = new ProgressTracker();
    for (const [step, percent] of c.reports) tracker.report(step, percent);
    assert.deepEqual([tracker.step, tracker.percent], c.want);
    assert.ok(tracker.percent <= MAX_RUNNING_PERCENT);
  });
}

it('says what a report changed', () => {
  const tracker = new ProgressTracker();
  assert.deepEqual(tracker.report('preparing', 0), { stepChanged: false, percentChanged: false });
  assert.deepEqual(tracker.report('copying', 0), { stepChanged: true, percentChanged: false });
  assert.deepEqual(tracker.report('copying', 3), { stepChanged: false, percentChanged: true });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigilMetrics } from './metrics.js';

const PROCESS_CPU = 'vigil_process_cpu_seconds_total';
const EVENT_LOOP_P99 = 'vigil_nodejs_eventloop_lag_p99_seconds';

test('process metrics start at the first scrape and are in every scrape after it, beside Vigil’s own', async () => {
  const metrics = new VigilMetrics({}, { processMetrics: true });
  metrics.addRecordedBytes('cam', 'main', 1000);

  const first = await metrics.render();
  assert.match(first.text, /^vigil_recorded_bytes_total\{stream="cam",variant="main"\} 1000$/m);
  assert.doesNotMatch(first.text, new RegExp(PROCESS_CPU));

  const second = await metrics.render();
  assert.match(second.text, /^vigil_recorded_bytes_total\{stream="cam",variant="main"\} 1000$/m);
  assert.match(second.text, new RegExp(`^${PROCESS_CPU} [0-9.e-]+$`, 'm'));
  assert.match(second.text, new RegExp(`^${EVENT_LOOP_P99} `, 'm'));
  // One exposition: each metric named once.
  const names = [...second.text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
  assert.equal(new Set(names).size, names.length);
  assert.equal(second.contentType, first.contentType);
});

test('without process metrics no scrape shows them', async () => {
  const metrics = new VigilMetrics();
  await metrics.render();
  const { text } = await metrics.render();
  assert.doesNotMatch(text, new RegExp(PROCESS_CPU));
  assert.match(text, /^# TYPE vigil_recorded_bytes_total counter$/m);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVigilError } from '../errors.js';
import { checkNewEvent, parseSeverity, severityTitle } from './event-check.js';
import type { NewStreamEvent } from './types.js';

const S = 1_000_000;
const T0 = 1_700_000_000 * S;
const good: NewStreamEvent = { stream: 'cam', startUs: T0, endUs: T0 + 5 * S, label: 'person', severity: 'alert' };
const box = { tUs: T0, x: 0.1, y: 0.1, w: 0.2, h: 0.2 };

function refusedField(event: NewStreamEvent): string | undefined {
  try {
    checkNewEvent(event);
    return undefined;
  } catch (err) {
    assert.ok(isVigilError(err, 'INVALID_ARGUMENT'), String(err));
    return err.field;
  }
}

describe('checkNewEvent', () => {
  it('trims the label, folds the severity and orders the boxes by time', () => {
    const later = { ...box, tUs: T0 + 2 * S };
    const checked = checkNewEvent({ ...good, label: '  car ', severity: 'Warning' as 'warning', boxes: [later, box] });
    assert.equal(checked.label, 'car');
    assert.equal(checked.severity, 'warning');
    assert.deepEqual(checked.boxes, [box, later]);
  });

  it('accepts an instant, a box exactly at the edges of the picture and of the event', () => {
    assert.doesNotThrow(() => checkNewEvent({ ...good, endUs: T0 }));
    assert.doesNotThrow(() => checkNewEvent({ ...good, boxes: [{ tUs: T0 + 5 * S, x: 0.75, y: 0, w: 0.25, h: 1 }] }));
  });

  const refused: Array<[string, Partial<NewStreamEvent>, string]> = [
    ['end before start', { endUs: T0 - 1 }, 'end'],
    ['an event over a day', { endUs: T0 + 25 * 3600 * S }, 'end'],
    ['a negative start', { startUs: -1 }, 'start'],
    ['an empty label', { label: '   ' }, 'label'],
    ['a label too long', { label: 'x'.repeat(201) }, 'label'],
    ['a label over two lines', { label: 'a\nb' }, 'label'],
    ['an unknown severity', { severity: 'urgent' as 'alert' }, 'severity'],
    ['too many boxes', { boxes: Array.from({ length: 101 }, () => box) }, 'boxes'],
    ['x + w > 1', { boxes: [box, { ...box, x: 0.9, w: 0.2 }] }, 'boxes[1].w'],
    ['y + h > 1', { boxes: [{ ...box, y: 0.5, h: 0.6 }] }, 'boxes[0].h'],
    ['x below 0', { boxes: [{ ...box, x: -0.1 }] }, 'boxes[0].x'],
    ['a box with no width', { boxes: [{ ...box, w: 0 }] }, 'boxes[0].w'],
    ['a box before the event', { boxes: [{ ...box, tUs: T0 - 1 }] }, 'boxes[0].t'],
    ['a box after the event', { boxes: [{ ...box, tUs: T0 + 6 * S }] }, 'boxes[0].t'],
  ];
  for (const [name, change, field] of refused) {
    it(`refuses ${name}, naming ${field}`, () => {
      assert.equal(refusedField({ ...good, ...change }), field);
    });
  }
});

describe('severities', () => {
  it('are titled with a capital and parsed in any case', () => {
    assert.equal(severityTitle('critical'), 'Critical');
    assert.equal(parseSeverity(' ALERT '), 'alert');
    assert.throws(() => parseSeverity(3), /severity: expected one of info, warning, alert, critical, got 3/);
  });
});

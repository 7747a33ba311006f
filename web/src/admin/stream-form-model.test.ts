import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StreamSettingsView } from '../api/admin.js';
import { EMPTY_STREAM_FORM, formFieldOf, formOfStream, maskUrlPassword, wireOfForm } from './stream-form-model.js';

describe('stream form model', () => {
  test('a new stream sends its settings, empty optional ones as null', () => {
    const wire = wireOfForm({ ...EMPTY_STREAM_FORM, url: ' rtsp://cam/main ', title: 'Gate', expirationHours: '48' });
    assert.deepEqual(wire, {
      url: 'rtsp://cam/main',
      substream_url: null,
      title: 'Gate',
      flip: 'none',
      rotate: 0,
      audio: 'keep',
      enabled: true,
      dvr: { root: null, expiration: 48 * 3600, disk_limit: null },
    });
  });

  test('disk limits: digits are bytes, anything else goes as typed for the server to read', () => {
    assert.equal(wireOfForm({ ...EMPTY_STREAM_FORM, diskLimit: '1000000' }).dvr?.disk_limit, 1_000_000);
    assert.equal(wireOfForm({ ...EMPTY_STREAM_FORM, diskLimit: '80%' }).dvr?.disk_limit, '80%');
    assert.equal(wireOfForm({ ...EMPTY_STREAM_FORM, diskLimit: '1.5T' }).dvr?.disk_limit, '1.5T');
  });

  test('an edit round-trips the stream it starts from', () => {
    const stream = {
      name: 'cam',
      title: 'Front door',
      url: 'rtsp://u:p@cam/1',
      substream_url: 'rtsp://cam/2',
      flip: 'both',
      rotate: 90,
      audio: 'drop',
      enabled: false,
      dvr: { expiration: 5400, disk_limit: 2_000_000 },
    } as StreamSettingsView;
    const form = formOfStream(stream);
    assert.equal(form.expirationHours, '1.5');
    assert.deepEqual(wireOfForm(form), {
      url: 'rtsp://u:p@cam/1',
      substream_url: 'rtsp://cam/2',
      title: 'Front door',
      flip: 'both',
      rotate: 90,
      audio: 'drop',
      enabled: false,
      dvr: { root: null, expiration: 5400, disk_limit: 2_000_000 },
    });
  });

  test('API error fields map to the form field that shows them', () => {
    assert.equal(formFieldOf('url'), 'url');
    assert.equal(formFieldOf('dvr.disk_limit'), 'diskLimit');
    assert.equal(formFieldOf('dvr.expiration'), 'expirationHours');
    assert.equal(formFieldOf('substream_url'), 'substreamUrl');
    assert.equal(formFieldOf('body'), undefined);
    assert.equal(formFieldOf(undefined), undefined);
  });

  test('lists hide a source password', () => {
    assert.equal(maskUrlPassword('rtsp://admin:s3cret@10.0.0.5:554/h264'), 'rtsp://admin:***@10.0.0.5:554/h264');
    assert.equal(maskUrlPassword('rtsp://10.0.0.5/h264'), 'rtsp://10.0.0.5/h264');
  });
});

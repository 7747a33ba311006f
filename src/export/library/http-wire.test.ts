import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VigilError } from '../../errors.js';
import { parseSseChunk } from './event-stream.js';
import { ExportStatus } from './export-status.js';
import { errorFromResponse } from './http-client.js';

describe('the HTTP face of VideoExporter', () => {
  it('turns an error answer back into the VigilError the server threw', () => {
    const body = JSON.stringify({ error: { code: 'QUEUE_FULL', message: 'the export queue is full' } });
    const full = errorFromResponse(429, body, 'POST /api/v1/exports');
    assert.ok(full instanceof VigilError);
    assert.equal(full.code, 'QUEUE_FULL');
    assert.equal(full.message, 'the export queue is full');
    const field = errorFromResponse(
      400,
      JSON.stringify({ error: { code: 'INVALID_ARGUMENT', message: 'start: bad', field: 'start' } }),
      'x',
    );
    assert.equal(field.field, 'start');
    // A proxy's page, not Vigil's envelope: the status picks the code.
    assert.equal(errorFromResponse(401, '<html>no</html>', 'x').code, 'UNAUTHORIZED');
    assert.equal(errorFromResponse(502, '', 'GET /x').code, 'INTERNAL');
    assert.equal(errorFromResponse(418, '{"error":{"code":"TEAPOT","message":"m"}}', 'x').code, 'INTERNAL');
  });

  it('splits an event stream into messages, skipping comments and keeping an unfinished tail', () => {
    const { messages, rest } = parseSseChunk(
      ': vigil events\n\nevent: export.progress\ndata: {"id":"a","percent":5}\n\r\nevent: export.state\ndata: {"id"',
    );
    assert.deepEqual(messages, [{ event: 'export.progress', data: '{"id":"a","percent":5}' }]);
    assert.equal(rest, 'event: export.state\ndata: {"id"');
    const next = parseSseChunk(`${rest}:"b"}\n\n`);
    assert.deepEqual(next.messages, [{ event: 'export.state', data: '{"id":"b"}' }]);
    assert.equal(next.rest, '');
  });

  it('ExportStatus names the queue states and their reference codes', () => {
    assert.equal(ExportStatus.inQueue, 'in_queue');
    assert.equal(ExportStatus.canceled, 'canceled');
    assert.deepEqual(
      (['in_queue', 'exporting', 'success', 'error', 'canceled'] as const).map(ExportStatus.codeOf),
      [0, 1, 2, 3, 3],
    );
    assert.deepEqual(ExportStatus.statesOf(3), ['error', 'canceled']);
  });
});

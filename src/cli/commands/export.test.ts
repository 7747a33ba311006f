import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VigilError } from '../../errors.js';
import { parseExportArgs, withFlagNames } from './export.js';

const base = ['--stream', 'cam1', '--from', '2026-01-31T12:00:00Z'];

function refused(args: string[], field: string, env: Record<string, string> = {}): void {
  assert.throws(
    () => parseExportArgs(args, env),
    (err: unknown) => err instanceof VigilError && err.field === field && err.message.startsWith(field),
    `${args.join(' ')} should be refused naming ${field}`,
  );
}

describe('vigil export arguments', () => {
  it('reads the range, the options and a running server from the environment', () => {
    const parsed = parseExportArgs(
      [...base, '--duration', '10', '--codec', 'h264', '--resolution', '640x480', '--substream', '--out', 'a.mp4'],
      { VIGIL_PORT: '9000', VIGIL_ADMIN_TOKEN: 'secret' },
    );
    assert.equal(parsed.from, Date.UTC(2026, 0, 31, 12) / 1000);
    assert.equal(parsed.duration, 10);
    assert.equal(parsed.to, undefined);
    assert.equal(parsed.substream, true);
    assert.equal(parsed.out, 'a.mp4');
    assert.deepEqual(parsed.options, { videoCodec: 'h264', videoResolution: '640x480' });
    assert.deepEqual(parsed.target, { kind: 'server', server: { url: 'http://127.0.0.1:9000', token: 'secret' } });
  });

  it('takes Unix seconds and --to; --token and --server win over the environment', () => {
    const parsed = parseExportArgs(
      [
        '--stream',
        'cam1',
        '--from',
        '1769860800',
        '--to',
        '2026-01-31T12:00:30Z',
        '--server',
        'http://h:1',
        '--token',
        't',
      ],
      { VIGIL_ADMIN_TOKEN: 'env' },
    );
    assert.equal(parsed.to! - parsed.from, 30);
    assert.deepEqual(parsed.target, { kind: 'server', server: { url: 'http://h:1', token: 't' } });
  });

  it('exports in this process with --config or --data', () => {
    assert.deepEqual(parseExportArgs([...base, '--data', '/srv/vigil'], {}).target, {
      kind: 'local',
      config: undefined,
      data: '/srv/vigil',
    });
  });

  it('refuses bad or missing arguments naming the flag', () => {
    refused(['--from', '2026-01-31T12:00:00Z'], '--stream');
    refused(['--stream', 'cam1'], '--from');
    refused(['--stream', 'cam1', '--from', 'yesterday'], '--from');
    refused([...base, '--to', '2026-01-31T12:00:10Z', '--duration', '5'], '--to');
    refused([...base, '--to', '2026-01-31T11:00:00Z'], '--to');
    refused([...base, '--duration', '-3'], '--duration');
    refused([...base, '--duration', '0'], '--duration');
    refused([...base, '--data', 'd', '--server', 'http://h'], '--server');
    refused([...base, '--codec'], '--codec');
    refused([...base, '--frm', 'x'], '--frm');
    refused([...base, 'extra'], 'arguments');
  });

  it('names the flag in errors about request fields', () => {
    const err = withFlagNames(
      new VigilError('INVALID_ARGUMENT', 'options.video_resolution: expected one of …, got "1x1"', {
        field: 'options.video_resolution',
      }),
    ) as VigilError;
    assert.equal(err.field, '--resolution');
    assert.equal(err.message, '--resolution: expected one of …, got "1x1"');
    const queueFull = new VigilError('QUEUE_FULL', 'the export queue is full');
    assert.equal(withFlagNames(queueFull), queueFull);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, type CliIo } from './run-cli.js';
import { describeFailure } from './exit-codes.js';
import { VigilError } from '../errors.js';

function captureIo(env: Record<string, string | undefined> = {}): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { env, lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

describe('vigil CLI', () => {
  it('prints help and exits 0', async () => {
    const io = captureIo();
    assert.equal(await runCli(['help'], io), 0);
    assert.match(io.lines.join('\n'), /vigil <command>/);
    assert.match(io.lines.join('\n'), /--no-demo/);
  });

  it('refuses an unknown command with a usage exit code', async () => {
    const io = captureIo();
    assert.equal(await runCli(['record'], io), 64);
    assert.match(io.errors[0] ?? '', /^vigil: invalid argument: unknown command "record"/);
  });

  it('refuses an unknown option by name', async () => {
    const io = captureIo();
    assert.equal(await runCli(['serve', '--prot', '80'], io), 64);
    assert.match(io.errors[0] ?? '', /--prot: unknown option for "vigil serve"/);
  });

  it('refuses a bad config before starting, with exit code 78', async () => {
    const io = captureIo();
    assert.equal(await runCli(['serve', '--config', '/nonexistent/vigil.yaml'], io), 78);
    assert.match(io.errors[0] ?? '', /^vigil: invalid configuration: \/nonexistent\/vigil\.yaml: file not found/);
  });

  it('checks import arguments before touching the data directory', async () => {
    const io = captureIo();
    assert.equal(await runCli(['import', '--stream', 'cam1', 'a.mp4'], io), 64);
    assert.match(io.errors[0] ?? '', /--start: required/);
    assert.equal(await runCli(['import', '--stream', 'a/b', '--start', '2026-01-01T00:00:00Z', 'a.mp4'], io), 64);
    assert.match(io.errors[1] ?? '', /^vigil: invalid argument: --stream: expected a name of 1 to 64 letters/);
  });

  it('maps every error code to an exit code and a message', () => {
    assert.deepEqual(describeFailure(new VigilError('STREAM_NOT_FOUND', 'stream "x" does not exist')), {
      exit: 66,
      message: 'vigil: no such stream: stream "x" does not exist',
    });
    assert.equal(describeFailure(new Error('boom')).exit, 70);
  });
});

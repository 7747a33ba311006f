/**
 * The export queue as a user of a real `vigil serve` process meets it: a full
 * queue answers 429 over REST and leaves the queued jobs alone; `kill -9` in
 * the middle of a transcode leaves no job `exporting` after the restart and no
 * partial file on disk; the webhook from the config file reaches a receiver
 * that fails twice, signed, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signWebhookBody } from '../../src/export/queue/webhook-notifier.js';
import { findFreePort } from '../helpers/free-port.js';
import { makeTestClip, probeDurationSeconds } from '../helpers/media-check.js';
import { runVigilImport, writeImportConfig } from '../helpers/vigil-cli.js';
import { eventually, startVigilProcess } from '../helpers/vigil-process.js';

const START_ISO = '2026-03-01T10:00:00Z';
const FROM_S = Date.parse(START_ISO) / 1000;
const SECRET = 'a-webhook-secret-of-some-length';

interface Delivery {
  jobId: string;
  state: string;
  signatureOk: boolean;
}

/** A webhook receiver that answers 500 to the next `failNext` requests, then records what it accepts. */
async function startReceiver() {
  const accepted: Delivery[] = [];
  let refused = 0;
  const receiver = {
    failNext: 0,
    accepted,
    refused: () => refused,
  };
  const server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      if (receiver.failNext > 0) {
        receiver.failNext -= 1;
        refused += 1;
        res.writeHead(500).end();
        return;
      }
      const body = JSON.parse(raw) as { job: { id: string; state: string } };
      accepted.push({
        jobId: body.job.id,
        state: body.job.state,
        signatureOk: req.headers['x-vigil-signature'] === signWebhookBody(SECRET, raw),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { receiver, url: `http://127.0.0.1:${port}/hook`, close: () => server.close() };
}

test('queue overflow, kill -9 mid-transcode and a webhook from the config, against a real server', async () => {
  const work = mkdtempSync(join(tmpdir(), 'vigil-e2e-queue-'));
  const dataDir = join(work, 'data');
  const exportDir = join(work, 'exports');
  const hook = await startReceiver();
  let vigil: Awaited<ReturnType<typeof startVigilProcess>> | undefined;
  try {
    const clip = join(work, 'clip.mp4');
    await makeTestClip(clip, { seconds: 20, size: '1280x720' });
    await runVigilImport(writeImportConfig(join(work, 'import.yaml'), dataDir, 10), 'cam', START_ISO, clip);

    const port = await findFreePort();
    const extraConfig = [
      'exports:',
      `  roots: [${JSON.stringify(exportDir)}]`,
      '  queue_max_len: 3',
      '  transcode_concurrency: 1',
      '  cancel_task_with_states: []',
      `  webhook_url: ${hook.url}`,
      `  webhook_secret: ${SECRET}`,
    ].join('\n');
    vigil = await startVigilProcess({ dataDir, port, extraConfig });
    const server = vigil;

    // H.265 at 720p is slow enough on two cores to still be running when the server is killed.
    const slow = { stream: 'cam', start: FROM_S, duration: 20, options: { video_codec: 'h265' } };
    const submitted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await server.api('POST', '/api/v1/exports', slow);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      submitted.push((res.body as { id: string }).id);
    }
    const overflow = await server.api('POST', '/api/v1/exports', slow);
    assert.equal(overflow.status, 429);
    assert.equal((overflow.body as { error: { code: string } }).error.code, 'QUEUE_FULL');
    assert.match((overflow.body as { error: { message: string } }).error.message, /3/);

    const [running, ...waiting] = submitted as [string, string, string];
    const listed = (await server.api('GET', '/api/v1/exports')).body as { exports: Array<{ id: string }> };
    assert.deepEqual(
      listed.exports.map((j) => j.id),
      submitted,
      'the refused job disturbed nothing and is not listed',
    );
    await eventually('the first transcode to be exporting', async () => {
      const job = (await server.api('GET', `/api/v1/exports/${running}`)).body as { state: string };
      return job.state === 'exporting' ? job : undefined;
    });
    for (const id of waiting) {
      const res = await server.api('DELETE', `/api/v1/exports/${id}`);
      assert.equal((res.body as { state: string }).state, 'canceled');
    }

    await server.kill('SIGKILL');
    hook.receiver.failNext = 2;
    vigil = await startVigilProcess({ dataDir, port, extraConfig });
    const restarted = vigil;

    const after = (await restarted.api('GET', `/api/v1/exports/${running}`)).body as {
      state: string;
      error: { code: string } | null;
      file_path: string;
    };
    assert.equal(after.state, 'error', 'no job stays exporting after a restart');
    assert.equal(after.error?.code, 'INTERRUPTED');
    const left = readdirSync(exportDir);
    assert.deepEqual(left, [], `no partial or final file of the killed job is left: ${left.join(', ')}`);

    const copy = await restarted.api('POST', '/api/v1/exports', { stream: 'cam', start: FROM_S + 2, duration: 6 });
    assert.equal(copy.status, 202);
    const copyId = (copy.body as { id: string }).id;
    const done = await eventually('the copy job to succeed', async () => {
      const job = (await restarted.api('GET', `/api/v1/exports/${copyId}`)).body as {
        state: string;
        file_path: string;
      };
      return job.state === 'success' ? job : undefined;
    });
    assert.ok(Math.abs((await probeDurationSeconds(done.file_path)) - 6) < 0.1);

    // Two refusals cost two retries (1 s, then 2 s); every state still arrives, signed, in order.
    const copyStates = await eventually(
      'the webhook to see the copy job succeed',
      async () => {
        const states = hook.receiver.accepted.filter((d) => d.jobId === copyId).map((d) => d.state);
        return states.includes('success') ? states : undefined;
      },
      60_000,
    );
    assert.deepEqual(copyStates, ['in_queue', 'exporting', 'success']);
    assert.equal(hook.receiver.refused(), 2);
    assert.ok(
      hook.receiver.accepted.every((d) => d.signatureOk),
      'every delivery carries a valid signature',
    );
    const interrupted = hook.receiver.accepted.filter((d) => d.jobId === running).map((d) => d.state);
    assert.equal(interrupted.at(-1), 'error', 'the receiver is told the killed job ended in error');
  } finally {
    await vigil?.kill();
    hook.close();
    rmSync(work, { recursive: true, force: true });
  }
});

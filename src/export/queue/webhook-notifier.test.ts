import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { ExportWebhookBody } from './job-json.js';
import { ControlledRunner, makeQueue, openQueueDb } from './testing/queue-kit.js';
import { type WebhookDeliveryResult, WebhookNotifier } from './webhook-notifier.js';

const SECRET = 'test-secret';

interface Received {
  rawBody: string;
  signatureOk: boolean;
  deliveryId: string;
  attempt: string;
  answered: number;
}

/** A real HTTP receiver: answers each request with the next status of `plan`, then 200. */
async function startReceiver(
  plan: number[] | ((req: IncomingMessage, res: ServerResponse) => void),
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    if (typeof plan === 'function') {
      plan(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(rawBody).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-vigil-signature'] ?? ''));
      const status = plan.shift() ?? 200;
      received.push({
        rawBody,
        signatureOk: given.length === expected.length && timingSafeEqual(given, expected),
        deliveryId: String(req.headers['x-vigil-delivery']),
        attempt: String(req.headers['x-vigil-attempt']),
        answered: status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

describe('webhooks', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const closeServer = (server: Server) => () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  it('retries a receiver that fails twice, then delivers every state change in order, signed', async () => {
    const receiver = await startReceiver([500, 503]);
    cleanups.push(closeServer(receiver.server));
    const results: WebhookDeliveryResult[] = [];
    const webhooks = new WebhookNotifier({ secret: SECRET, backoffMs: () => 1, onResult: (r) => results.push(r) });
    cleanups.push(() => webhooks.close());
    const qdb = await openQueueDb();
    cleanups.push(() => qdb.close());
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { webhooks, cancelTaskWithStates: [] });
    await queue.start();
    cleanups.push(() => queue.stop());

    await queue.submit({
      id: 'hooked',
      kind: 'copy',
      spec: { label: 'hooked' },
      filePath: join(qdb.dir, 'hooked.mp4'),
      webhookUrl: receiver.url,
    });
    await (await runner.started('hooked')).succeed();
    await queue.whenFinished('hooked');
    await webhooks.idle();

    const got = receiver.received;
    assert.ok(got.every((r) => r.signatureOk));
    assert.deepEqual(
      got.map((r) => r.answered),
      [500, 503, 200, 200, 200],
    );
    assert.deepEqual(
      got.slice(0, 3).map((r) => r.attempt),
      ['1', '2', '3'],
    );
    assert.equal(new Set(got.slice(0, 3).map((r) => r.deliveryId)).size, 1);
    const delivered = got.filter((r) => r.answered === 200).map((r) => JSON.parse(r.rawBody) as ExportWebhookBody);
    assert.deepEqual(
      delivered.map((b) => [b.previous_state, b.job.state, b.job.state_code]),
      [
        [null, 'in_queue', 0],
        ['in_queue', 'exporting', 1],
        ['exporting', 'success', 2],
      ],
    );
    assert.equal(delivered[2]?.job.percent, 100);
    assert.equal(delivered[2]?.job.id, 'hooked');
    assert.deepEqual(
      results.map((r) => [r.ok, r.attempts]),
      [
        [true, 3],
        [true, 1],
        [true, 1],
      ],
    );
  });

  it('never holds up the queue while the receiver hangs, and gives up on close', async () => {
    const hanging: ServerResponse[] = [];
    const receiver = await startReceiver((_req, res) => hanging.push(res));
    cleanups.push(closeServer(receiver.server));
    const webhooks = new WebhookNotifier({ url: receiver.url, secret: SECRET, timeoutMs: 60_000 });
    const qdb = await openQueueDb();
    cleanups.push(() => qdb.close());
    const runner = new ControlledRunner();
    const queue = makeQueue(qdb, runner, { webhooks, cancelTaskWithStates: [] });
    await queue.start();
    cleanups.push(() => queue.stop());

    await queue.submit({ id: 'q', kind: 'copy', spec: { label: 'q' }, filePath: join(qdb.dir, 'q.mp4') });
    await (await runner.started('q')).succeed();
    assert.equal((await queue.whenFinished('q')).state, 'success');
    assert.equal(webhooks.pending, 3);
    webhooks.close();
    await webhooks.idle();
    assert.equal(webhooks.pending, 0);
  });

  it('bounds what waits, and does not retry a receiver that refuses the body', async () => {
    const receiver = await startReceiver([400]);
    cleanups.push(closeServer(receiver.server));
    const results: WebhookDeliveryResult[] = [];
    const webhooks = new WebhookNotifier({ maxPending: 2, backoffMs: () => 1, onResult: (r) => results.push(r) });
    cleanups.push(() => webhooks.close());

    assert.equal(webhooks.send('a', receiver.url, { n: 1 }), true);
    assert.equal(webhooks.send('a', receiver.url, { n: 2 }), true);
    assert.equal(webhooks.send('b', receiver.url, { n: 3 }), false);
    assert.equal(webhooks.dropped, 1);
    await webhooks.idle();
    assert.deepEqual(
      results.map((r) => [r.ok, r.attempts, r.status]),
      [
        [false, 1, 400],
        [true, 1, 200],
      ],
    );
    assert.equal(receiver.received[0]?.signatureOk, false);
    assert.deepEqual(
      receiver.received.map((r) => JSON.parse(r.rawBody) as unknown),
      [{ n: 1 }, { n: 2 }],
    );
  });

  it('gives up after maxAttempts on a receiver that is down', async () => {
    const receiver = await startReceiver([]);
    const url = receiver.url;
    await closeServer(receiver.server)();
    const results: WebhookDeliveryResult[] = [];
    const webhooks = new WebhookNotifier({ maxAttempts: 3, backoffMs: () => 1, onResult: (r) => results.push(r) });
    webhooks.send('x', url, { n: 1 });
    await webhooks.idle();
    assert.equal(results[0]?.ok, false);
    assert.equal(results[0]?.attempts, 3);
    assert.equal(results[0]?.status, undefined);
    assert.match(results[0]?.error ?? '', /fetch failed/);
  });
});

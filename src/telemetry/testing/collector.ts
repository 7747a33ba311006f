/**
 * A real HTTP event collector for tests: takes the JSON arrays sinks POST,
 * answers with the statuses a test scripts (e.g. 503 then 200), and lets a
 * test wait for an event that matches, instead of sleeping.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VigilEvent } from '../events.js';

export interface Collector {
  url: string;
  /** Every event received, in arrival order. */
  events: VigilEvent[];
  /** Batches received (200 answers only). */
  batches: number;
  /** Requests answered with an error status. */
  refused: number;
  /** The first received event (past or future) matching `pick` that no earlier `next` returned. */
  next<E extends VigilEvent>(pick: (e: VigilEvent) => e is E): Promise<E>;
  next(pick: (e: VigilEvent) => boolean): Promise<VigilEvent>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `statuses`: answers to the first requests, in order; 200 after them. */
export async function startCollector(statuses: number[] = []): Promise<Collector> {
  const events: VigilEvent[] = [];
  const taken = new Set<VigilEvent>();
  const waiters: Array<{ pick: (e: VigilEvent) => boolean; resolve: (e: VigilEvent) => void }> = [];
  const answers = [...statuses];
  const offer = (event: VigilEvent) => {
    const i = waiters.findIndex((w) => w.pick(event));
    if (i < 0) return;
    taken.add(event);
    waiters.splice(i, 1)[0]!.resolve(event);
  };
  const collector: Collector = {
    url: '',
    events,
    batches: 0,
    refused: 0,
    next(pick: (e: VigilEvent) => boolean): Promise<never> {
      const found = events.find((e) => !taken.has(e) && pick(e));
      if (found !== undefined) {
        taken.add(found);
        return Promise.resolve(found as never);
      }
      return new Promise<never>((resolve) =>
        waiters.push({ pick, resolve: resolve as unknown as (e: VigilEvent) => void }),
      );
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const status = answers.shift() ?? 200;
      if (status === 200) {
        collector.batches++;
        for (const event of JSON.parse(body) as VigilEvent[]) {
          events.push(event);
          offer(event);
        }
      } else {
        collector.refused++;
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  collector.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  return collector;
}

/**
 * The archive writer recorders get on a cluster node: every segment open and
 * fragment append first checks that this node's lease on the stream, under
 * the generation the segment was opened with, is still the current one. A
 * node that lost a stream (it stalled past its lease and another node took
 * over) thus never adds media to the index next to the new owner's.
 *
 * The check is a separate statement just before the write, not inside the
 * write's own transaction (local-store.ts owns that transaction). That is
 * still safe: another node takes a lease only once it has expired, and the
 * check refuses an expired lease, so the window is the few milliseconds
 * between the check and the write crossing the expiry instant of a lease its
 * holder has already failed to renew for the whole lease period.
 *
 * Closing a segment is let through: it adds no media, only marks what was
 * written under a valid lease as complete, so retention and the uploader can
 * take it; left open it would stay undeletable.
 */
import type { ArchiveWriter, NewFragment, NewSegment, SegmentAppender } from '../archive/types.js';
import { VigilError } from '../errors.js';
import type { LeaseHold } from './leases.repo.js';

/** What the fenced writer asks of the node's lease holder (the StreamAssigner). */
export interface LeaseFence {
  readonly nodeId: string;
  /** The generation this node holds the stream's lease under, or undefined when it holds none. */
  generationOf(stream: string): number | undefined;
  /** True while `hold` is still the stream's current, unexpired lease in the index. */
  isCurrent(hold: LeaseHold): Promise<boolean>;
  /** A write was refused: stop the stream's recorder at once. Must not throw. */
  refused(hold: LeaseHold, error: VigilError): void;
}

function leaseLost(hold: LeaseHold, what: string): VigilError {
  return new VigilError(
    'CONFLICT',
    `stream ${JSON.stringify(hold.stream)}: refused to ${what}: node ${JSON.stringify(hold.node)} no longer holds ` +
      `its lease (generation ${hold.generation}); another node records the stream now`,
  );
}

export class FencedArchiveWriter implements ArchiveWriter {
  readonly #inner: ArchiveWriter;
  readonly #fence: LeaseFence;

  constructor(inner: ArchiveWriter, fence: LeaseFence) {
    this.#inner = inner;
    this.#fence = fence;
  }

  async openSegment(segment: NewSegment): Promise<SegmentAppender> {
    const generation = this.#fence.generationOf(segment.stream);
    const hold: LeaseHold = { stream: segment.stream, node: this.#fence.nodeId, generation: generation ?? 0 };
    if (generation === undefined) throw this.#refuse(hold, 'open a segment');
    await this.#require(hold, 'open a segment');
    const appender = await this.#inner.openSegment(segment);
    return {
      segment: appender.segment,
      appendFragment: async (fragment: NewFragment) => {
        await this.#require(hold, 'append a fragment');
        await appender.appendFragment(fragment);
      },
      close: () => appender.close(),
    };
  }

  async #require(hold: LeaseHold, what: string): Promise<void> {
    if (!(await this.#fence.isCurrent(hold))) throw this.#refuse(hold, what);
  }

  #refuse(hold: LeaseHold, what: string): VigilError {
    const error = leaseLost(hold, what);
    this.#fence.refused(hold, error);
    return error;
  }
}

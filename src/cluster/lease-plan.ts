/**
 * Pure decisions about stream leases (no I/O, no clock of its own): when a
 * lease is expired, how often to renew, and which streams a recorder node
 * takes, keeps or sheds on each poll.
 *
 * The fair rule: with L live recorder nodes and S wanted streams, a node's
 * share is ceil(S / L). A node under its share takes free or expired streams
 * until it reaches it; a node over its share releases the extras (it stops
 * their recorders first) so a node that joined later picks them up on its
 * next poll. Since share × L ≥ S, every stream has room somewhere. Among the
 * free streams each node prefers those with the highest rendezvous score for
 * its own id, so two nodes starting together mostly try different streams
 * instead of racing for the same ones.
 */

export interface LeaseView {
  stream: string;
  node: string;
  generation: number;
  renewedAtUs: number;
  expiresAtUs: number;
}

/** A lease nobody renewed in time (or one released: `expiresAtUs` 0) may be taken by any recorder node. */
export function isLeaseExpired(lease: Pick<LeaseView, 'expiresAtUs'>, nowUs: number): boolean {
  return lease.expiresAtUs <= nowUs;
}

/** Renew three times per lease period, so two missed renewals in a row still keep the lease. */
export function renewIntervalMs(leaseSeconds: number): number {
  return Math.max(1, Math.floor((leaseSeconds * 1000) / 3));
}

export function leaseDurationUs(leaseSeconds: number): number {
  return leaseSeconds * 1_000_000;
}

export interface AssignmentInput {
  /** This node. */
  nodeId: string;
  nowUs: number;
  /** Streams that should be recorded (enabled definitions this node may record). */
  wanted: readonly string[];
  /** Every lease row, held or not. */
  leases: readonly LeaseView[];
  /** Streams this node holds now (its in-memory view, which wins over a stale row). */
  held: ReadonlySet<string>;
  /** Recorder nodes seen alive recently, this one included or not (it is added). */
  liveNodes: readonly string[];
}

export interface AssignmentPlan {
  /** Free or expired streams to try to take, best first. */
  acquire: string[];
  /** Held streams to keep renewing. */
  renew: string[];
  /** Held streams to stop and give back: no longer wanted, or beyond this node's share. */
  release: string[];
}

/** Share of the wanted streams each live recorder node should hold. */
export function fairShare(wantedCount: number, liveNodeCount: number): number {
  return Math.ceil(wantedCount / Math.max(1, liveNodeCount));
}

/** FNV-1a over `node` and `stream`: a stable per-node preference order among streams. */
export function rendezvousScore(node: string, stream: string): number {
  let hash = 0x811c9dc5;
  for (const ch of `${node}\u0000${stream}`) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function byPreference(node: string): (a: string, b: string) => number {
  return (a, b) => rendezvousScore(node, b) - rendezvousScore(node, a) || (a < b ? -1 : a > b ? 1 : 0);
}

export function planAssignment(input: AssignmentInput): AssignmentPlan {
  const wanted = new Set(input.wanted);
  const byStream = new Map(input.leases.map((l) => [l.stream, l]));
  const liveNodes = new Set(input.liveNodes);
  liveNodes.add(input.nodeId);
  const share = fairShare(wanted.size, liveNodes.size);
  const prefer = byPreference(input.nodeId);

  const release: string[] = [];
  const kept: string[] = [];
  for (const stream of [...input.held].sort(prefer)) {
    if (!wanted.has(stream)) release.push(stream);
    else kept.push(stream);
  }
  // Shed the least preferred first; a stream another node has taken meanwhile is the assigner's to notice on renewal.
  while (kept.length > share) release.push(kept.pop() ?? '');

  const free = [...wanted]
    .filter((stream) => !input.held.has(stream))
    .filter((stream) => {
      const lease = byStream.get(stream);
      // A row naming this node that it does not hold is a previous run's: take it back at once.
      return lease === undefined || lease.node === input.nodeId || isLeaseExpired(lease, input.nowUs);
    })
    .sort(prefer);
  const room = Math.max(0, share - kept.length);
  return { acquire: free.slice(0, room), renew: kept, release };
}

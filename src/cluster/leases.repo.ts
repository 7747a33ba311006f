/**
 * Stream leases and node heartbeats in the index (tables from migration
 * 2026_11_25_00_00_00_cluster_leases). Each write is one statement, so it is
 * atomic on both dialects; on PostgreSQL the acquiring upsert locks the row,
 * so of two nodes racing for an expired lease exactly one gets it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../archive/index/database.js';
import type { StreamLeaseRow } from '../archive/index/leases.table.js';
import type { LeaseView } from './lease-plan.js';

export interface LeaseRecord extends LeaseView {
  stateJson: string | null;
}

function leaseRowToRecord(row: StreamLeaseRow): LeaseRecord {
  return {
    stream: row.stream,
    node: row.node,
    generation: Number(row.generation),
    renewedAtUs: Number(row.renewed_at_us),
    expiresAtUs: Number(row.expires_at_us),
    stateJson: row.state_json,
  };
}

export interface LeaseClaim {
  stream: string;
  node: string;
  nowUs: number;
  expiresAtUs: number;
}

/**
 * Takes a stream's lease when it has none, when it is expired, or when its
 * row names this node (a previous run of it). Returns the new generation
 * (1 for a first lease, the old one + 1 on takeover), or undefined when
 * another node holds it.
 */
export async function acquireLease(db: Kysely<Database>, claim: LeaseClaim): Promise<number | undefined> {
  const row = await db
    .insertInto('stream_leases')
    .values({
      stream: claim.stream,
      node: claim.node,
      generation: 1,
      renewed_at_us: claim.nowUs,
      expires_at_us: claim.expiresAtUs,
      state_json: null,
    })
    .onConflict((oc) =>
      oc
        .column('stream')
        .doUpdateSet((eb) => ({
          node: claim.node,
          generation: eb(eb.ref('stream_leases.generation'), '+', 1),
          renewed_at_us: claim.nowUs,
          expires_at_us: claim.expiresAtUs,
          state_json: null,
        }))
        .where((eb) =>
          eb.or([eb('stream_leases.expires_at_us', '<=', claim.nowUs), eb('stream_leases.node', '=', claim.node)]),
        ),
    )
    .returning('generation')
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.generation);
}

export interface LeaseHold {
  stream: string;
  node: string;
  generation: number;
}

/** Extends a lease this node still holds, publishing its recorders' state; false when it was lost. */
export async function renewLease(
  db: Kysely<Database>,
  hold: LeaseHold & { nowUs: number; expiresAtUs: number; stateJson: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('stream_leases')
    .set({ renewed_at_us: hold.nowUs, expires_at_us: hold.expiresAtUs, state_json: hold.stateJson })
    .where('stream', '=', hold.stream)
    .where('node', '=', hold.node)
    .where('generation', '=', hold.generation)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a lease back at once (clean stop, or shedding): the row stays so the next generation is higher. */
export async function releaseLease(db: Kysely<Database>, hold: LeaseHold): Promise<void> {
  await db
    .updateTable('stream_leases')
    .set({ expires_at_us: 0, state_json: null })
    .where('stream', '=', hold.stream)
    .where('node', '=', hold.node)
    .where('generation', '=', hold.generation)
    .execute();
}

/**
 * The fencing check: true while `hold` is the stream's current, unexpired
 * lease. Takes `db` or a transaction, so a caller can check inside the
 * transaction that writes.
 */
export async function isLeaseCurrent(db: Kysely<Database>, hold: LeaseHold, nowUs: number): Promise<boolean> {
  const row = await db
    .selectFrom('stream_leases')
    .select('generation')
    .where('stream', '=', hold.stream)
    .where('node', '=', hold.node)
    .where('generation', '=', hold.generation)
    .where('expires_at_us', '>', nowUs)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listLeases(db: Kysely<Database>): Promise<LeaseRecord[]> {
  const rows = await db.selectFrom('stream_leases').selectAll().orderBy('stream').execute();
  return rows.map(leaseRowToRecord);
}

export async function findLease(db: Kysely<Database>, stream: string): Promise<LeaseRecord | undefined> {
  const row = await db.selectFrom('stream_leases').selectAll().where('stream', '=', stream).executeTakeFirst();
  return row === undefined ? undefined : leaseRowToRecord(row);
}

/** Records that `node` is alive now, with its roles. */
export async function touchNode(
  db: Kysely<Database>,
  node: { id: string; roles: Iterable<string>; nowUs: number },
): Promise<void> {
  const roles = [...node.roles].sort().join(',');
  await db
    .insertInto('cluster_nodes')
    .values({ node: node.id, roles, last_seen_us: node.nowUs })
    .onConflict((oc) => oc.column('node').doUpdateSet({ roles, last_seen_us: node.nowUs }))
    .execute();
}

/** Nodes with `role` seen after `sinceUs`, by name. */
export async function listLiveNodes(db: Kysely<Database>, role: string, sinceUs: number): Promise<string[]> {
  const rows = await db
    .selectFrom('cluster_nodes')
    .select(['node', 'roles'])
    .where('last_seen_us', '>', sinceUs)
    .orderBy('node')
    .execute();
  return rows.filter((r) => r.roles.split(',').includes(role)).map((r) => r.node);
}

/** A clean stop: the node no longer counts towards the others' fair share. */
export async function forgetNode(db: Kysely<Database>, nodeId: string): Promise<void> {
  await db.deleteFrom('cluster_nodes').where('node', '=', nodeId).execute();
}

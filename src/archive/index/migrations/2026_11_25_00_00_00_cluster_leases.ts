import type { Kysely } from 'kysely';
import { sortedTextType } from './column-types.js';

/**
 * Cluster mode (src/cluster/): `stream_leases` says which node records each
 * stream and under which generation (the fencing token its index writes
 * carry); `cluster_nodes` holds each node's heartbeat. Embedded mode creates
 * them too and leaves them empty.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stream_leases')
    .addColumn('stream', sortedTextType(db), (col) => col.primaryKey())
    .addColumn('node', 'text', (col) => col.notNull())
    .addColumn('generation', 'bigint', (col) => col.notNull())
    .addColumn('renewed_at_us', 'bigint', (col) => col.notNull())
    .addColumn('expires_at_us', 'bigint', (col) => col.notNull())
    .addColumn('state_json', 'text')
    .execute();
  await db.schema
    .createTable('cluster_nodes')
    .addColumn('node', sortedTextType(db), (col) => col.primaryKey())
    .addColumn('roles', 'text', (col) => col.notNull())
    .addColumn('last_seen_us', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cluster_nodes').execute();
  await db.schema.dropTable('stream_leases').execute();
}

import type { Kysely } from 'kysely';
import type { StreamDefinition } from '../../config/stream-types.js';
import type { Database } from './database.js';
import type { StreamRow } from './streams.table.js';

/** Rebuilds the definition field by field, so a definition read back equals the one saved. */
export function streamRowToDefinition(row: StreamRow): StreamDefinition {
  const d = JSON.parse(row.definition) as Partial<StreamDefinition>;
  const dvr: Partial<StreamDefinition['dvr']> = d.dvr ?? {};
  return {
    name: row.name,
    url: d.url ?? '',
    substreamUrl: d.substreamUrl,
    ...(d.publishKey === undefined ? {} : { publishKey: d.publishKey }),
    title: d.title ?? row.name,
    flip: d.flip ?? 'none',
    rotate: d.rotate ?? 0,
    audio: d.audio ?? 'transcode',
    rtspTransport: d.rtspTransport ?? 'tcp',
    enabled: d.enabled ?? true,
    dvr: { root: dvr.root, expirationSeconds: dvr.expirationSeconds, diskLimitBytes: dvr.diskLimitBytes },
  };
}

export async function upsertStream(db: Kysely<Database>, def: StreamDefinition, nowUs: number): Promise<void> {
  const definition = JSON.stringify(def);
  await db
    .insertInto('streams')
    .values({ name: def.name, definition, created_at_us: nowUs, updated_at_us: nowUs })
    .onConflict((oc) => oc.column('name').doUpdateSet({ definition, updated_at_us: nowUs }))
    .execute();
}

export async function findStream(db: Kysely<Database>, name: string): Promise<StreamDefinition | undefined> {
  const row = await db.selectFrom('streams').selectAll().where('name', '=', name).executeTakeFirst();
  return row === undefined ? undefined : streamRowToDefinition(row);
}

export async function listStreams(db: Kysely<Database>): Promise<StreamDefinition[]> {
  const rows = await db.selectFrom('streams').selectAll().orderBy('name').execute();
  return rows.map(streamRowToDefinition);
}

/** Returns whether a row was deleted. */
export async function deleteStream(db: Kysely<Database>, name: string): Promise<boolean> {
  const result = await db.deleteFrom('streams').where('name', '=', name).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * The `export_jobs` table as several nodes share it. Each node's in-memory
 * view is no longer the truth, so what the in-process queue decides in memory
 * is decided here in SQL: the queue limit and the queue order (seq) under one
 * advisory lock, and every state change as a conditional update (from the
 * states the writer saw), so two nodes never both win a transition.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../archive/index/database.js';
import { dialectOf } from '../../archive/index/dialect.js';
import type { ExportJobPatch, StoredExportJob } from './job-store.js';
import type { ExportJobState } from './job-types.js';
import { queueFull } from './queue-options.js';
import { patchToRow, SqlJobStore, type SqlJobStoreOptions } from './sql-job-store.js';

// First key of the submit lock ("VGEQ"); stream locks use "VGLK" (dialect.ts).
const SUBMIT_LOCK_KEY = 0x56474551;
const UNFINISHED: readonly ExportJobState[] = ['in_queue', 'exporting'];

export class ClusterJobStore<TSpec = unknown> extends SqlJobStore<TSpec> {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>, options: SqlJobStoreOptions<TSpec> = {}) {
    super(db, options);
    this.#db = db;
  }

  /**
   * Inserts a job at the end of the shared queue: refused with QUEUE_FULL when
   * `maxLen` jobs are waiting or running on any node, CONFLICT when the id is
   * taken. Returns the job with its seq.
   */
  async insertBounded(job: Omit<StoredExportJob<TSpec>, 'seq'>, maxLen: number): Promise<StoredExportJob<TSpec>> {
    return this.#db.transaction().execute(async (trx) => {
      // Count, seq and insert under one lock: nodes submitting at once can't both take the last slot or one seq.
      if (dialectOf(this.#db) === 'postgres') {
        await sql`select pg_advisory_xact_lock(${sql.lit(SUBMIT_LOCK_KEY)}, 0)`.execute(trx);
      }
      const counted = await trx
        .selectFrom('export_jobs')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('state', 'in', [...UNFINISHED])
        .executeTakeFirst();
      const active = Number(counted?.n ?? 0);
      if (active >= maxLen) throw queueFull(active, maxLen);
      const top = await trx
        .selectFrom('export_jobs')
        .select((eb) => eb.fn.max('seq').as('max'))
        .executeTakeFirst();
      const stored = { ...job, seq: Number(top?.max ?? 0) + 1 };
      await new SqlJobStore<TSpec>(trx).insert(stored);
      return stored;
    });
  }

  /** Applies `patch` only while the job is in one of `from`; returns whether it did. */
  async updateInStates(id: string, from: readonly ExportJobState[], patch: ExportJobPatch): Promise<boolean> {
    const result = await this.#db
      .updateTable('export_jobs')
      .set(patchToRow(patch))
      .where('id', '=', id)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Deletes the jobs in `states` that finished before `beforeUs`; returns their ids. */
  async deleteFinishedBefore(states: readonly ExportJobState[], beforeUs: number): Promise<string[]> {
    if (states.length === 0) return [];
    const rows = await this.#db
      .deleteFrom('export_jobs')
      .where('state', 'in', [...states])
      .where('finished_at_us', '<=', beforeUs)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }
}

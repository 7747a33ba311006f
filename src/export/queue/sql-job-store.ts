/**
 * The embedded JobStore: the `export_jobs` table of the index DB, through
 * Kysely (SQLite here, PostgreSQL with the same queries).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../archive/index/database.js';
import type { ExportJobRow, ExportJobRowUpdate } from '../../archive/index/export-jobs.table.js';
import { errorTable, VigilError } from '../../errors.js';
import type { ExportJobPatch, JobStore, StoredExportJob } from './job-store.js';
import { duplicateId } from './queue-options.js';
import {
  type ExportJobErrorCode,
  type ExportJobKind,
  exportJobKinds,
  type ExportJobState,
  exportJobStates,
  type ExportStep,
  exportSteps,
} from './job-types.js';

export interface SqlJobStoreOptions<TSpec> {
  /** Turns the stored spec JSON back into a spec (default: the parsed JSON as is). */
  reviveSpec?: (json: unknown) => TSpec;
}

export class SqlJobStore<TSpec = unknown> implements JobStore<TSpec> {
  readonly #db: Kysely<Database>;
  readonly #reviveSpec: (json: unknown) => TSpec;

  constructor(db: Kysely<Database>, options: SqlJobStoreOptions<TSpec> = {}) {
    this.#db = db;
    this.#reviveSpec = options.reviveSpec ?? ((json) => json as TSpec);
  }

  async insert(job: StoredExportJob<TSpec>): Promise<void> {
    const inserted = await this.#db
      .insertInto('export_jobs')
      .values({
        id: job.id,
        seq: job.seq,
        kind: job.kind,
        spec: JSON.stringify(job.spec),
        state: job.state,
        step: job.step ?? null,
        percent: job.percent,
        created_at_us: job.createdAtUs,
        started_at_us: job.startedAtUs ?? null,
        finished_at_us: job.finishedAtUs ?? null,
        error_code: job.error?.code ?? null,
        error_message: job.error?.message ?? null,
        file_path: job.filePath,
        bytes: job.bytes ?? null,
        webhook_url: job.webhookUrl ?? null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted === undefined) throw duplicateId(job.id);
  }

  async update(id: string, patch: ExportJobPatch): Promise<boolean> {
    const set = patchToRow(patch);
    if (Object.keys(set).length === 0) return (await this.get(id)) !== undefined;
    const result = await this.#db.updateTable('export_jobs').set(set).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async get(id: string): Promise<StoredExportJob<TSpec> | undefined> {
    const row = await this.#db.selectFrom('export_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : this.#rowToJob(row);
  }

  async list(states?: readonly ExportJobState[]): Promise<StoredExportJob<TSpec>[]> {
    if (states !== undefined && states.length === 0) return [];
    let query = this.#db.selectFrom('export_jobs').selectAll();
    if (states !== undefined) query = query.where('state', 'in', [...states]);
    const rows = await query.orderBy('seq').execute();
    return rows.map((row) => this.#rowToJob(row));
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('export_jobs').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteInStates(states: readonly ExportJobState[]): Promise<string[]> {
    if (states.length === 0) return [];
    const rows = await this.#db
      .deleteFrom('export_jobs')
      .where('state', 'in', [...states])
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async maxSeq(): Promise<number> {
    const row = await this.#db
      .selectFrom('export_jobs')
      .select((eb) => eb.fn.max('seq').as('max'))
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  #rowToJob(row: ExportJobRow): StoredExportJob<TSpec> {
    return {
      id: row.id,
      seq: Number(row.seq),
      kind: oneOf(row.kind, exportJobKinds, row.id, 'kind') as ExportJobKind,
      spec: this.#reviveSpec(JSON.parse(row.spec) as unknown),
      state: oneOf(row.state, exportJobStates, row.id, 'state') as ExportJobState,
      step: row.step === null ? undefined : (oneOf(row.step, exportSteps, row.id, 'step') as ExportStep),
      percent: Number(row.percent),
      createdAtUs: Number(row.created_at_us),
      startedAtUs: optionalNumber(row.started_at_us),
      finishedAtUs: optionalNumber(row.finished_at_us),
      error:
        row.error_code === null ? undefined : { code: errorCodeOf(row.error_code), message: row.error_message ?? '' },
      filePath: row.file_path,
      bytes: optionalNumber(row.bytes),
      webhookUrl: row.webhook_url ?? undefined,
    };
  }
}

/** The columns a patch sets (the cluster store's conditional updates reuse it). */
export function patchToRow(patch: ExportJobPatch): ExportJobRowUpdate {
  const set: ExportJobRowUpdate = {};
  if ('state' in patch && patch.state !== undefined) set.state = patch.state;
  if ('step' in patch) set.step = patch.step ?? null;
  if ('percent' in patch && patch.percent !== undefined) set.percent = patch.percent;
  if ('startedAtUs' in patch) set.started_at_us = patch.startedAtUs ?? null;
  if ('finishedAtUs' in patch) set.finished_at_us = patch.finishedAtUs ?? null;
  if ('error' in patch) {
    set.error_code = patch.error?.code ?? null;
    set.error_message = patch.error?.message ?? null;
  }
  if ('filePath' in patch && patch.filePath !== undefined) set.file_path = patch.filePath;
  if ('bytes' in patch) set.bytes = patch.bytes ?? null;
  if ('webhookUrl' in patch) set.webhook_url = patch.webhookUrl ?? null;
  return set;
}

function optionalNumber(value: number | null): number | undefined {
  return value === null ? undefined : Number(value);
}

function oneOf(value: string, allowed: readonly string[], id: string, column: string): string {
  if (!allowed.includes(value)) {
    throw new VigilError(
      'STORAGE_FAILED',
      `export job "${id}": stored ${column} "${value}" is not one of ${allowed.join(', ')}`,
    );
  }
  return value;
}

/** A code written by a newer Vigil reads as INTERNAL rather than failing the whole list. */
function errorCodeOf(code: string): ExportJobErrorCode {
  return code === 'INTERRUPTED' || code in errorTable ? (code as ExportJobErrorCode) : 'INTERNAL';
}

/**
 * Runs a suite once per index dialect: SQLite in a temp file, and PostgreSQL
 * on a throwaway server (one per test file, a fresh database per `open`).
 * The PostgreSQL run is skipped, with the reason, only where the server
 * binaries are absent.
 */
import { after, describe } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { type Database, openDatabase } from '../../src/archive/index/database.js';
import type { IndexDialectName } from '../../src/archive/index/dialect.js';
import { postgresSkipReason, startPostgres, type TestPostgres } from './postgres.js';

export const INDEX_DIALECTS: readonly IndexDialectName[] = ['sqlite', 'postgres'];

export interface DialectUnderTest {
  dialect: IndexDialectName;
  /** A location for a new, empty index: an SQLite file path or a `postgres://` URL. */
  newLocation(): Promise<string>;
  /** Opens (and migrates) a new, empty index. */
  open(): Promise<Kysely<Database>>;
}

let server: Promise<TestPostgres> | undefined;
let stopRegistered = false;

/** The file's PostgreSQL server, started on first use and stopped after the file's last test. */
export function sharedPostgres(): Promise<TestPostgres> {
  if (server === undefined) server = startPostgres();
  return server;
}

function registerStop(): void {
  if (stopRegistered) return;
  stopRegistered = true;
  after(async () => {
    const running = server;
    server = undefined;
    if (running !== undefined) await (await running).stop();
  });
}

function dialectUnderTest(dialect: IndexDialectName, tempDirs: string[]): DialectUnderTest {
  let count = 0;
  const newLocation = async (): Promise<string> => {
    if (dialect === 'postgres') return (await sharedPostgres()).createDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'vigil-index-'));
    tempDirs.push(dir);
    count += 1;
    return join(dir, `index-${count}.sqlite`);
  };
  return { dialect, newLocation, open: async () => openDatabase(await newLocation()) };
}

export function dialectSkipReason(dialect: IndexDialectName): string | false {
  return dialect === 'postgres' ? (postgresSkipReason() ?? false) : false;
}

/** `describe(title (sqlite))` and `describe(title (postgres))` around the same body. */
export function forEachDialect(title: string, body: (d: DialectUnderTest) => void): void {
  registerStop();
  for (const dialect of INDEX_DIALECTS) {
    describe(`${title} (${dialect})`, { skip: dialectSkipReason(dialect) }, () => {
      const tempDirs: string[] = [];
      after(async () => {
        for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
      });
      body(dialectUnderTest(dialect, tempDirs));
    });
  }
}

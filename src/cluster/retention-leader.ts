/**
 * Which node runs retention passes: one at a time, so two nodes never plan
 * and delete over each other. On PostgreSQL the leader holds a session
 * advisory lock on a connection it keeps for that alone; if the connection
 * (or the node) dies, the server drops the lock and another node's next try
 * takes it. SQLite is a single node's file: that node always leads.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../archive/index/database.js';
import { dialectOf } from '../archive/index/dialect.js';

// Two-key advisory lock: "VGRT" (Vigil retention), then 1. Stream locks use "VGLK" (dialect.ts).
const RETENTION_LOCK_KEY = 0x56475254;
const RETENTION_LOCK_ID = 1;

export interface Leadership {
  /** True when this node leads now (taking the lead if it is free); checked before each pass. */
  isLeader(): Promise<boolean>;
  /** Gives the lead up, so another node takes it on its next try. */
  stop(): Promise<void>;
}

interface HeldConnection {
  conn: Kysely<Database>;
  release: () => void;
  done: Promise<void>;
}

class AdvisoryLeadership implements Leadership {
  readonly #db: Kysely<Database>;
  #held: HeldConnection | undefined;
  #stopped = false;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async isLeader(): Promise<boolean> {
    if (this.#stopped) return false;
    const held = this.#held;
    if (held !== undefined) {
      try {
        // The lock lives as long as the session: a session that still answers still holds it.
        await sql`select 1`.execute(held.conn);
        return true;
      } catch {
        this.#held = undefined;
        held.release();
        await held.done.catch(() => undefined);
      }
    }
    this.#held = await this.#tryLock();
    return this.#held !== undefined;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) return;
    held.release();
    await held.done.catch(() => undefined);
  }

  /** Takes a pooled connection and keeps it, lock held, until released; undefined when another node leads. */
  #tryLock(): Promise<HeldConnection | undefined> {
    // Node 20 has no Promise.withResolvers.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    return new Promise<HeldConnection | undefined>((resolve, reject) => {
      const done: Promise<void> = this.#db.connection().execute(async (conn) => {
        const result = await sql<{ locked: boolean }>`
          select pg_try_advisory_lock(${sql.lit(RETENTION_LOCK_KEY)}, ${sql.lit(RETENTION_LOCK_ID)}) as locked
        `.execute(conn);
        if (result.rows[0]?.locked !== true) {
          resolve(undefined);
          return;
        }
        resolve({ conn, release, done });
        await released;
        // Unlocked before the connection goes back to the pool, where the lock would otherwise linger.
        await sql`select pg_advisory_unlock(${sql.lit(RETENTION_LOCK_KEY)}, ${sql.lit(RETENTION_LOCK_ID)})`.execute(
          conn,
        );
      });
      done.catch((err: unknown) => reject(err));
    });
  }
}

const alwaysLeader: Leadership = {
  isLeader: () => Promise.resolve(true),
  stop: () => Promise.resolve(),
};

/** Retention leadership over the index: an advisory lock on PostgreSQL, always this node on SQLite. */
export function retentionLeadership(db: Kysely<Database>): Leadership {
  return dialectOf(db) === 'postgres' ? new AdvisoryLeadership(db) : alwaysLeader;
}

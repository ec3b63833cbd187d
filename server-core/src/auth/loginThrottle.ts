import { sql } from 'kysely';
import type { ShoalDb } from '../db/dialects/dialect.js';

/** Failures a key may have before it is locked. */
const FREE_FAILURES = 5;
/** Lock after the nth failure past the free ones: 2^(n-1) s, at most this long. */
const MAX_LOCK_MS = 15 * 60 * 1000;
/** At most one audit row per source in this interval, however many failures. */
const AUDIT_EVERY_MS = 60 * 1000;
/** Failures older than this are forgotten. */
const FORGET_AFTER_MS = 60 * 60 * 1000;

export const throttleKeys = (username: string, address: string): string[] => [`user:${username.toLowerCase()}`.slice(0, 300), `ip:${address}`];

const lockFor = (failures: number): number => (failures < FREE_FAILURES ? 0 : Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES)));

/**
 * Login throttling shared by every node through the database: per account name (known or
 * not, so the answer never tells which exist) and per client address. A locked key is
 * refused before any password hashing, so a flood costs one indexed read per attempt.
 */
export class LoginThrottle {
  constructor(private readonly shoal: ShoalDb) {}

  /** Milliseconds until a login for these keys may be tried again; 0 when it may now. */
  async waitMs(keys: string[]): Promise<number> {
    const { db, dialect } = this.shoal;
    const rows = await db
      .selectFrom('login_throttle')
      .select((eb) => [eb.ref('locked_until').as('until'), dialect.now().as('now')])
      .where('throttle_key', 'in', keys)
      .execute();
    return Math.max(0, ...rows.map((r) => Number(r.until) - Number(r.now)));
  }

  /** Counts a failure on each key; returns whether the failure should be audited (rate-limited per source). */
  async failed(keys: string[]): Promise<boolean> {
    const { db, dialect } = this.shoal;
    let audit = false;
    for (const key of keys) {
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('login_throttle')
          .select(['failures', 'updated_at', 'audited_at', dialect.now().as('now')])
          .where('throttle_key', '=', key)
          .executeTakeFirst();
        if (!row) {
          const { now } = await trx.selectNoFrom(dialect.now().as('now')).executeTakeFirstOrThrow();
          await trx.insertInto('login_throttle').values({ throttle_key: key, failures: 1, locked_until: 0, updated_at: now, audited_at: now }).execute();
          if (key.startsWith('ip:')) audit = true;
          return;
        }
        const now = Number(row.now);
        const failures = now - Number(row.updated_at) > FORGET_AFTER_MS ? 1 : Number(row.failures) + 1;
        const auditNow = now - Number(row.audited_at) >= AUDIT_EVERY_MS;
        if (auditNow && key.startsWith('ip:')) audit = true;
        await trx
          .updateTable('login_throttle')
          .set({ failures, locked_until: now + lockFor(failures), updated_at: now, audited_at: auditNow ? now : Number(row.audited_at) })
          .where('throttle_key', '=', key)
          .execute();
      });
    }
    return audit;
  }

  /** A successful login clears the account's failures (the address keeps its own). */
  async succeeded(keys: string[]): Promise<void> {
    await this.shoal.db.deleteFrom('login_throttle').where('throttle_key', 'in', keys.filter((k) => k.startsWith('user:'))).execute();
  }

  /** Forgets old failures; any node may run it. */
  async purge(): Promise<void> {
    const { db, dialect } = this.shoal;
    await db.deleteFrom('login_throttle').where('updated_at', '<', sql<number>`${dialect.now()} - ${FORGET_AFTER_MS}`).execute();
  }
}

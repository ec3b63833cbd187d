import type { ColumnDefinitionBuilder, InsertQueryBuilder, Kysely, RawBuilder, Transaction } from 'kysely';
import type { Schema } from '../schema.js';

/** For messages and logs only: behaviour that differs between databases is a method below. */
export type DialectName = 'sqlite' | 'postgres' | 'mssql';

/** What the queue hands a dialect to claim tasks: its conditions, the dialect adds locking and returning. */
export interface ClaimQuery {
  nodeName: string;
  /** Condition on `tasks t`: the task may be claimed now. */
  eligible: RawBuilder<unknown>;
  /** How many tasks this node may claim (may be negative or null: none). */
  slots: RawBuilder<number>;
  /** The SET list that makes a task this node's (`state = 'Executing', …`). */
  assignments: RawBuilder<unknown>;
}

/** What the agent work queue hands a dialect to claim a target's pending work. */
export interface AgentWorkClaim {
  targetId: number;
  limit: number;
  /** The SET list that makes the work the claimant's (`state = 'Running', …`). */
  assignments: RawBuilder<unknown>;
}

/**
 * Everything that differs between databases. The rest of Shoal writes its SQL once with
 * Kysely and calls these; nothing outside `db/dialects/` compares a dialect's name.
 */
export interface ShoalDialect {
  readonly name: DialectName;
  /** Current time in epoch milliseconds, from the database clock. */
  now(): RawBuilder<number>;
  /** Column type for an auto-incrementing integer primary key (with `autoIncrementedKey`). */
  readonly autoIncrementType: 'integer' | 'bigserial' | 'bigint';
  /** Column type for unbounded text that is still comparable with `=`. */
  readonly longTextType: 'text' | 'nvarchar(max)';
  /** Makes a column the auto-incremented primary key, as this database spells it. */
  autoIncrementedKey(c: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** How often an idle node looks for work queued elsewhere when nothing woke it. */
  readonly wakeUpPollMs: number;
  /**
   * Whether several nodes share this database. Only then can another node take over a
   * silent node's tasks, and only then must a node fence itself when its lease runs out; a
   * node alone on its database (SQLite, one process per data dir) keeps running through a
   * slow disk rather than kill its own scripts.
   */
  readonly sharedByNodes: boolean;
  /**
   * Claims the oldest eligible tasks, up to the free slots, in one statement that skips
   * rows other nodes are claiming (never waits for them, never takes them twice).
   */
  claim(db: Kysely<Schema>, q: ClaimQuery): Promise<Record<string, unknown>[]>;
  /**
   * Claims a target's oldest pending agent work, up to `limit` rows, in one statement that
   * skips rows another node is claiming (never waits for them, never takes them twice).
   */
  claimAgentWork(db: Kysely<Schema>, q: AgentWorkClaim): Promise<Record<string, unknown>[]>;
  /** Adds "give me the inserted row back" to an insert. */
  returningInserted<Q extends InsertQueryBuilder<any, any, any>>(q: Q): Q;
  /** Wakes the other nodes' listeners, telling them `payload` (what changed); a no-op where they poll. */
  notify(db: Kysely<Schema>, channel: string, payload?: string): Promise<void>;
  /** Inserts rows with explicit values for an identity key (the migration's copy). */
  withExplicitKeys<T>(trx: Transaction<any>, table: string, insert: () => Promise<T>): Promise<T>;
  /** After explicit keys were inserted, new rows must get keys above them. */
  advanceIdSequence(db: Kysely<any>, table: string, key: string): Promise<void>;
}

export interface QueueListener {
  close(): Promise<void>;
}

export interface ShoalDb {
  readonly db: Kysely<Schema>;
  readonly dialect: ShoalDialect;
  /** Human-readable location (file path or URL without password). */
  readonly location: string;
  /**
   * Listens on `channel` through a connection of its own and calls `onChange` for each
   * notification with its payload (and once after every reconnect, without one: anything may
   * have changed); undefined where the dialect polls.
   */
  listen(channel: string, onChange: (payload?: string) => void, onError: (err: Error) => void): QueueListener | undefined;
  /**
   * A handle for the lease paths (heartbeat, claim, complete, sweep, ping) whose statements
   * end within `statementTimeoutMs`, connecting included: a pool of its own on server
   * databases, so long work never delays a heartbeat; on SQLite this same handle (one
   * writer per file, and a local file does not hang on a network).
   */
  forLeasePaths(statementTimeoutMs: number): ShoalDb;
  close(): Promise<void>;
}

/** How a connection pool is used: long work, or the lease paths that must fail fast. */
export interface OpenOptions {
  /** Connections in the pool (server databases only). */
  poolSize?: number;
  onError?: (err: Error) => void;
  /**
   * For the lease paths (heartbeat, claim, complete, sweep): every statement ends within
   * this many milliseconds, connecting included, and a connection that timed out is
   * discarded. Absent for long work (schema migration, checksums, re-indexing).
   */
  statementTimeoutMs?: number;
}

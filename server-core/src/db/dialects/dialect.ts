import type { Kysely, RawBuilder } from 'kysely';
import type { Schema } from '../schema.js';

export type DialectName = 'sqlite' | 'postgres' | 'mssql';

/**
 * The few places where SQL differs between databases. Everything else is written
 * once with Kysely's query builder. Each operation that needs dialect-specific SQL
 * (claim, notify) lives in its own module and switches on `name`.
 */
export interface ShoalDialect {
  readonly name: DialectName;
  /** Current time in epoch milliseconds, from the database clock. */
  now(): RawBuilder<number>;
  /** Column type for an auto-incrementing integer primary key. */
  readonly autoIncrementType: 'integer' | 'bigserial' | 'bigint';
  /** Column type for unbounded text that is still comparable with `=`. */
  readonly longTextType: 'text' | 'nvarchar(max)';
}

export interface ShoalDb {
  readonly db: Kysely<Schema>;
  readonly dialect: ShoalDialect;
  /** Human-readable location (file path or URL without password). */
  readonly location: string;
  close(): Promise<void>;
}

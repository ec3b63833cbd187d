import type { ColumnDefinitionBuilder } from 'kysely';
import type { ShoalDialect } from '../dialects/dialect.js';

/** An auto-incremented integer primary key, as each dialect spells it (use with `autoIncrementType`). */
export const autoIncrementedKey =
  (dialect: ShoalDialect) =>
  (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => {
    const key = c.primaryKey();
    if (dialect.name === 'sqlite') return key.autoIncrement();
    if (dialect.name === 'mssql') return key.identity();
    return key;
  };

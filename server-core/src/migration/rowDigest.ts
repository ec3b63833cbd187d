import crypto from 'node:crypto';

/**
 * Values as every driver agrees on them: numbers as numbers (PostgreSQL's int8 arrives as
 * a number here, SQLite integers too), text as text, null as null.
 */
export function canonical(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return value;
}

const MOD = 1n << 256n;

/**
 * A digest of a table's content that does not depend on row order (databases sort text
 * keys by their own collation): the sum, modulo 2^256, of every row's SHA-256.
 */
export const sameRow = (columns: string[], a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  columns.every((c) => JSON.stringify(canonical(a[c])) === JSON.stringify(canonical(b[c])));

export class RowDigest {
  private sum = 0n;
  count = 0;
  constructor(private readonly columns: string[]) {}
  add(row: Record<string, unknown>): void {
    const h = crypto.createHash('sha256').update(JSON.stringify(this.columns.map((c) => canonical(row[c])))).digest('hex');
    this.sum = (this.sum + BigInt(`0x${h}`)) % MOD;
    this.count++;
  }
  digest(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}

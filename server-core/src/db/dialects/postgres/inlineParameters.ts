import type { CompiledQuery } from 'kysely';
import pg from 'pg';

/**
 * The query's text with its parameters written in as literals. PostgreSQL's simple query
 * protocol takes several statements in one message (one round trip, one implicit
 * transaction) but no parameters. Only the values Shoal's queries bind are accepted.
 */
export function inlineParameters(q: CompiledQuery): string {
  return q.sql.replace(/\$(\d+)/g, (_, n: string) => literal(q.parameters[Number(n) - 1]));
}

function literal(v: unknown): string {
  if (v === null) return 'null';
  // In parentheses when negative: `x -$1` must not become the comment `x --1`.
  if (typeof v === 'number' && Number.isFinite(v)) return v < 0 ? `(${v})` : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // A NUL would end the query text early; the extended protocol refuses it too.
  if (typeof v === 'string' && !v.includes('\0')) return pg.escapeLiteral(v);
  throw new TypeError(`cannot write ${typeof v} ${String(v)} into a query as a literal`);
}

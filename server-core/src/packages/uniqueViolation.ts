/** Whether a database error is a unique-constraint violation, on any of the three databases. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; number?: unknown; message?: unknown };
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e.code === '23505' ||
    e.number === 2601 ||
    e.number === 2627 ||
    /UNIQUE constraint failed|duplicate key/i.test(String(e.message ?? ''))
  );
}

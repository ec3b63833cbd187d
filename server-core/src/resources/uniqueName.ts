import { conflict } from '../api/errors.js';
import { isUniqueViolation } from '../packages/uniqueViolation.js';

/**
 * Runs a create or rename; a unique-index violation (two requests racing past the name
 * check) becomes the same 409 the check gives.
 */
export async function guardUniqueName<T>(message: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(message);
    throw err;
  }
}

import type { ShoalDb } from '../db/dialects/dialect.js';
import { notFound } from '../api/errors.js';
import { spaceExists } from '../packages/spaces.js';

/** Every route under /api/{spaceId}/ starts here: an unknown space is a 404. */
export async function requireSpace(shoal: ShoalDb, spaceId: string): Promise<void> {
  if (!(await spaceExists(shoal, spaceId))) throw notFound(`There is no space ${spaceId}.`);
}

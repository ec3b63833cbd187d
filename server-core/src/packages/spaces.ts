import type { ShoalDb } from '../db/dialects/dialect.js';

export const DEFAULT_SPACE_ID = 'Spaces-1';

export async function spaceExists({ db }: ShoalDb, spaceId: string): Promise<boolean> {
  return !!(await db.selectFrom('spaces').select('id').where('id', '=', spaceId).executeTakeFirst());
}

export async function listSpaceIds({ db }: ShoalDb): Promise<string[]> {
  return (await db.selectFrom('spaces').select('id').orderBy('id').execute()).map((r) => r.id);
}

import type { FastifyRequest } from 'fastify';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { notFound } from '../api/errors.js';
import { spaceExists } from '../packages/spaces.js';

/** Every route under /api/{spaceId}/ starts here: an unknown space is a 404. */
export async function requireSpace(shoal: ShoalDb, spaceId: string): Promise<void> {
  if (!(await spaceExists(shoal, spaceId))) throw notFound(`There is no space ${spaceId}.`);
}

/** The preHandler of a domain whose routes are all under /api/:spaceId/. */
export const requireSpaceOfRoute =
  (shoal: ShoalDb) =>
  async (req: FastifyRequest): Promise<void> =>
    requireSpace(shoal, (req.params as { spaceId: string }).spaceId);

import type { FastifyInstance } from 'fastify';
import type { MigrationJob } from './migrationJob.js';
import { ApiError } from '../api/errors.js';

/**
 * While the portal's migration copies this node's database, the node takes no changes
 * through the API (they would be lost, or break the verification): everything but reads
 * answers 503. Registered once in buildApp, before the routes.
 */
export function blockWritesWhileMigrating(app: FastifyInstance, job: MigrationJob): void {
  app.addHook('onRequest', async (req) => {
    if (job.running && req.method !== 'GET' && req.method !== 'HEAD') {
      throw new ApiError(503, 'MigrationInProgress', 'This node is moving to high availability; changes are refused until the migration ends.');
    }
  });
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { rootEndpoints } from '../contract/root.js';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from './endpointSchema.js';
import { renderReference } from './referencePage.js';

/** Version of the native API's shape; raised when a change would break its clients. */
export const API_VERSION = '1';

/** Fields another API dialect adds to the root document (the Octopus facade's), after Shoal's own. */
export type RootFields = () => Promise<Record<string, unknown>>;

/**
 * `GET /api`: what this server is and where its collections are (one document for every client:
 * `extraFields` adds the Octopus facade's); the OpenAPI document and its readable page.
 */
export const rootRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext; extraFields?: RootFields }> = async (app, { ctx, extraFields }) => {
  app.get(rootEndpoints.root.url, { schema: endpointSchema(rootEndpoints.root), config: { access: 'authenticated' } }, async (_req, reply) => {
    reply.header('x-shoal-version', ctx.version);
    return {
      application: 'Shoal',
      version: ctx.version,
      apiVersion: API_VERSION,
      links: {
        self: '/api',
        nodes: '/api/nodes',
        tasks: '/api/tasks',
        users: '/api/users',
        me: '/api/users/me',
        teams: '/api/teams',
        events: '/api/events',
        packages: '/api/Spaces-1/packages',
        environments: '/api/Spaces-1/environments',
        lifecycles: '/api/Spaces-1/lifecycles',
        projects: '/api/Spaces-1/projects',
        libraryVariableSets: '/api/Spaces-1/libraryvariablesets',
        releases: '/api/Spaces-1/releases',
        deployments: '/api/Spaces-1/deployments',
        interruptions: '/api/Spaces-1/interruptions',
        runbookRuns: '/api/Spaces-1/runbook-runs',
        dashboard: '/api/Spaces-1/dashboard',
        openapi: '/api/openapi.json',
        reference: '/api/reference',
      },
      ...(await extraFields?.()),
    };
  });

  app.get(rootEndpoints.openapi.url, { schema: { ...endpointSchema(rootEndpoints.openapi), hide: true }, config: { access: 'authenticated' } }, async () =>
    app.swagger() as unknown as Record<string, unknown>,
  );

  app.get(rootEndpoints.reference.url, { schema: { ...endpointSchema(rootEndpoints.reference), hide: true }, config: { access: 'authenticated' } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(renderReference(app.swagger() as never)),
  );
};

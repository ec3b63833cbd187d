import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { withErrors } from '../contract/common.js';
import { OpenApiDocument, ReferencePage, RootDocument } from '../contract/root.js';
import type { NodeContext } from './context.js';
import { renderReference } from './referencePage.js';

/** Version of the native API's shape; raised when a change would break its clients. */
export const API_VERSION = '1';

/** `GET /api`: what this server is and where its collections are; the OpenAPI document and its readable page. */
export const rootRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  app.get('/api', { schema: { response: withErrors({ 200: RootDocument }) }, config: { access: 'authenticated' } }, async () => ({
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
      openapi: '/api/openapi.json',
      reference: '/api/reference',
    },
  }));

  app.get('/api/openapi.json', { schema: { hide: true, response: withErrors({ 200: OpenApiDocument }) }, config: { access: 'authenticated' } }, async () =>
    app.swagger() as unknown as Record<string, unknown>,
  );

  app.get('/api/reference', { schema: { hide: true, response: withErrors({ 200: ReferencePage }) }, config: { access: 'authenticated' } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(renderReference(app.swagger() as never)),
  );
};

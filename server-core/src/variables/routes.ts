import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { NoContent, withErrors } from '../contract/common.js';
import { LibraryVariableSet, LibraryVariableSetBody, LibraryVariableSetList, SpaceIdParams, SpaceParams } from '../contract/deployments.js';
import type { ProjectDeps } from '../projects/service.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpace } from '../resources/space.js';
import {
  createLibraryVariableSet,
  deleteLibraryVariableSet,
  listLibraryVariableSets,
  requireLibraryVariableSet,
  toLibraryVariableSet,
  updateLibraryVariableSet,
} from './service.js';

/** Library variable sets: variables several projects share (`project.edit`, like project variables). */
export const libraryVariableSetRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const deps: ProjectDeps = { shoal, masterKey: ctx.masterKey, runAsConfigured: !!ctx.config.builtInWorkerRunAs };
  const setId = (p: { spaceId: string; id: string }) => requireId('libraryVariableSet', p.id, p.spaceId);
  app.addHook('preHandler', async (req) => requireSpace(shoal, (req.params as { spaceId: string }).spaceId));

  app.get('/api/:spaceId/libraryvariablesets', { schema: { params: SpaceParams, response: withErrors({ 200: LibraryVariableSetList }) }, config: { access: 'read' } }, async (req) =>
    (await listLibraryVariableSets(shoal, req.params.spaceId)).map(toLibraryVariableSet),
  );
  app.post(
    '/api/:spaceId/libraryvariablesets',
    { schema: { params: SpaceParams, body: LibraryVariableSetBody, response: withErrors({ 201: LibraryVariableSet }) }, config: { access: 'project.edit' } },
    async (req, reply) => reply.status(201).send(await createLibraryVariableSet(deps, actorOf(req), req.params.spaceId, req.body)),
  );
  app.get('/api/:spaceId/libraryvariablesets/:id', { schema: { params: SpaceIdParams, response: withErrors({ 200: LibraryVariableSet }) }, config: { access: 'read' } }, async (req) =>
    toLibraryVariableSet(await requireLibraryVariableSet(shoal, req.params.spaceId, setId(req.params))),
  );
  app.put(
    '/api/:spaceId/libraryvariablesets/:id',
    { schema: { params: SpaceIdParams, body: LibraryVariableSetBody, response: withErrors({ 200: LibraryVariableSet }) }, config: { access: 'project.edit' } },
    async (req) => updateLibraryVariableSet(deps, actorOf(req), req.params.spaceId, setId(req.params), req.body),
  );
  app.delete('/api/:spaceId/libraryvariablesets/:id', { schema: { params: SpaceIdParams, response: withErrors({ 204: NoContent }) }, config: { access: 'project.edit' } }, async (req, reply) => {
    await deleteLibraryVariableSet(deps, actorOf(req), req.params.spaceId, setId(req.params));
    return reply.status(204).send(null);
  });
};

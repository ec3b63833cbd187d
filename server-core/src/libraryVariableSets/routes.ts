import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { libraryVariableSetEndpoints as e } from '../contract/projects.js';
import { projectDeps } from '../projects/service.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpaceOfRoute } from '../resources/space.js';
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
  const deps = projectDeps(ctx);
  const setId = (p: { spaceId: string; id: string }) => requireId('libraryVariableSet', p.id, p.spaceId);
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.get(e.listLibraryVariableSets.url, { schema: endpointSchema(e.listLibraryVariableSets), config: { access: 'read' } }, async (req) =>
    (await listLibraryVariableSets(shoal, req.params.spaceId)).map(toLibraryVariableSet),
  );
  app.post(e.createLibraryVariableSet.url, { schema: endpointSchema(e.createLibraryVariableSet), config: { access: 'project.edit' } }, async (req, reply) =>
    reply.status(201).send(await createLibraryVariableSet(deps, actorOf(req), req.params.spaceId, req.body)),
  );
  app.get(e.getLibraryVariableSet.url, { schema: endpointSchema(e.getLibraryVariableSet), config: { access: 'read' } }, async (req) =>
    toLibraryVariableSet(await requireLibraryVariableSet(shoal, req.params.spaceId, setId(req.params))),
  );
  app.put(e.updateLibraryVariableSet.url, { schema: endpointSchema(e.updateLibraryVariableSet), config: { access: 'project.edit' } }, async (req) =>
    updateLibraryVariableSet(deps, actorOf(req), req.params.spaceId, setId(req.params), req.body),
  );
  app.delete(e.deleteLibraryVariableSet.url, { schema: endpointSchema(e.deleteLibraryVariableSet), config: { access: 'project.edit' } }, async (req, reply) => {
    await deleteLibraryVariableSet(deps, actorOf(req), req.params.spaceId, setId(req.params));
    return reply.status(204).send(null);
  });
};

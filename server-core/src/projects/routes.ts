import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { projectEndpoints as e } from '../contract/projects.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpaceOfRoute } from '../resources/space.js';
import { listProjects, toProject } from './projectRows.js';
import { createProject, deleteProject, processOf, projectDeps, requireProject, saveProcess, saveVariables, updateProject, variablesOf } from './service.js';

/**
 * Projects with their deployment process and variables (`project.edit`). A process or
 * variables that make scripts run on the server with its own rights need `admin` besides
 * (see projects/serverScripts.ts).
 */
export const projectRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const deps = projectDeps(ctx);
  const projectId = (p: { spaceId: string; id: string }) => requireId('project', p.id, p.spaceId);
  app.addHook('preHandler', requireSpaceOfRoute(shoal));

  app.get(e.listProjects.url, { schema: endpointSchema(e.listProjects), config: { access: 'read' } }, async (req) => {
    const { items, total } = await listProjects(shoal, req.params.spaceId, req.query);
    return { items: items.map(toProject), total };
  });

  app.post(e.createProject.url, { schema: endpointSchema(e.createProject), config: { access: 'project.edit' } }, async (req, reply) =>
    reply.status(201).send(await createProject(deps, actorOf(req), req.params.spaceId, req.body)),
  );

  app.get(e.getProject.url, { schema: endpointSchema(e.getProject), config: { access: 'read' } }, async (req) =>
    toProject(await requireProject(shoal, req.params.spaceId, projectId(req.params))),
  );

  app.put(e.updateProject.url, { schema: endpointSchema(e.updateProject), config: { access: 'project.edit' } }, async (req) =>
    updateProject(deps, actorOf(req), req.params.spaceId, projectId(req.params), req.body),
  );

  app.delete(e.deleteProject.url, { schema: endpointSchema(e.deleteProject), config: { access: 'project.edit' } }, async (req, reply) => {
    await deleteProject(deps, actorOf(req), req.params.spaceId, projectId(req.params));
    return reply.status(204).send(null);
  });

  app.get(e.getProcess.url, { schema: endpointSchema(e.getProcess), config: { access: 'read' } }, async (req) =>
    processOf(await requireProject(shoal, req.params.spaceId, projectId(req.params))),
  );

  app.put(e.saveProcess.url, { schema: endpointSchema(e.saveProcess), config: { access: 'project.edit' } }, async (req) =>
    saveProcess(deps, actorOf(req), req.params.spaceId, projectId(req.params), req.body),
  );

  app.get(e.getVariables.url, { schema: endpointSchema(e.getVariables), config: { access: 'read' } }, async (req) =>
    variablesOf(await requireProject(shoal, req.params.spaceId, projectId(req.params))),
  );

  app.put(e.saveVariables.url, { schema: endpointSchema(e.saveVariables), config: { access: 'project.edit' } }, async (req) =>
    saveVariables(deps, actorOf(req), req.params.spaceId, projectId(req.params), req.body),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { NodeContext } from '../nodeContext.js';
import { NoContent, withErrors } from '../contract/common.js';
import { NameQuery, Process, ProcessBody, Project, ProjectBody, ProjectPage, SpaceIdParams, SpaceParams, VariableSet, VariablesBody } from '../contract/deployments.js';
import { actorOf } from '../resources/actor.js';
import { requireId } from '../resources/ids.js';
import { requireSpace } from '../resources/space.js';
import { listProjects, toProject } from './projectRows.js';
import { createProject, deleteProject, processOf, requireProject, saveProcess, saveVariables, updateProject, variablesOf, type ProjectDeps } from './service.js';

/**
 * Projects with their deployment process and variables (`project.edit`). A process or
 * variables that make scripts run on the server with its own rights need `admin` besides
 * (see projects/serverScripts.ts).
 */
export const projectRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const deps: ProjectDeps = { shoal, masterKey: ctx.masterKey, runAsConfigured: !!ctx.config.builtInWorkerRunAs };
  const projectId = (p: { spaceId: string; id: string }) => requireId('project', p.id, p.spaceId);
  app.addHook('preHandler', async (req) => requireSpace(shoal, (req.params as { spaceId: string }).spaceId));

  app.get('/api/:spaceId/projects', { schema: { params: SpaceParams, querystring: NameQuery, response: withErrors({ 200: ProjectPage }) }, config: { access: 'read' } }, async (req) => {
    const { items, total } = await listProjects(shoal, req.params.spaceId, req.query);
    return { items: items.map(toProject), total };
  });

  app.post('/api/:spaceId/projects', { schema: { params: SpaceParams, body: ProjectBody, response: withErrors({ 201: Project }) }, config: { access: 'project.edit' } }, async (req, reply) =>
    reply.status(201).send(await createProject(deps, actorOf(req), req.params.spaceId, req.body)),
  );

  app.get('/api/:spaceId/projects/:id', { schema: { params: SpaceIdParams, response: withErrors({ 200: Project }) }, config: { access: 'read' } }, async (req) =>
    toProject(await requireProject(shoal, req.params.spaceId, projectId(req.params))),
  );

  app.put('/api/:spaceId/projects/:id', { schema: { params: SpaceIdParams, body: ProjectBody, response: withErrors({ 200: Project }) }, config: { access: 'project.edit' } }, async (req) =>
    updateProject(deps, actorOf(req), req.params.spaceId, projectId(req.params), req.body),
  );

  app.delete('/api/:spaceId/projects/:id', { schema: { params: SpaceIdParams, response: withErrors({ 204: NoContent }) }, config: { access: 'project.edit' } }, async (req, reply) => {
    await deleteProject(deps, actorOf(req), req.params.spaceId, projectId(req.params));
    return reply.status(204).send(null);
  });

  app.get('/api/:spaceId/projects/:id/process', { schema: { params: SpaceIdParams, response: withErrors({ 200: Process }) }, config: { access: 'read' } }, async (req) =>
    processOf(await requireProject(shoal, req.params.spaceId, projectId(req.params))),
  );

  app.put('/api/:spaceId/projects/:id/process', { schema: { params: SpaceIdParams, body: ProcessBody, response: withErrors({ 200: Process }) }, config: { access: 'project.edit' } }, async (req) =>
    saveProcess(deps, actorOf(req), req.params.spaceId, projectId(req.params), req.body),
  );

  app.get('/api/:spaceId/projects/:id/variables', { schema: { params: SpaceIdParams, response: withErrors({ 200: VariableSet }) }, config: { access: 'read' } }, async (req) =>
    variablesOf(await requireProject(shoal, req.params.spaceId, projectId(req.params))),
  );

  app.put('/api/:spaceId/projects/:id/variables', { schema: { params: SpaceIdParams, body: VariablesBody, response: withErrors({ 200: VariableSet }) }, config: { access: 'project.edit' } }, async (req) =>
    saveVariables(deps, actorOf(req), req.params.spaceId, projectId(req.params), req.body),
  );
};

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { endpointSchema } from '../api/endpointSchema.js';
import { octopusEndpoints as e } from '../contract/octopus.js';
import type { NodeContext } from '../nodeContext.js';
import { collection, matchesIds, matchesPartialName, pageOf } from './collection.js';
import { createDeploymentV1, createTenantedDeploymentV1 } from './deployments.js';
import { answerOctopus, type OctopusHandler } from './dialect.js';
import { listEnvironmentsOctopus } from './lists.js';
import { createReleaseV1, projectReleaseByVersion } from './releases.js';
import { createRunbookRunV1, listRunbookRunsOctopus } from './runbooks.js';
import { taskDetailsOctopus, taskRawOctopus } from './taskLogs.js';
import { cancelTaskOctopus, getTaskOctopus, listTasksOctopus } from './tasks.js';
import { octopusQuery } from './query.js';
import { listSpaces, requireSpaceRow, toNativeSpaceRoot, toOctopusSpace } from './spaces.js';

/** The facade's own paths: ones only Octopus's clients call (always in Octopus's shape), and the space root. */
export const octopusRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const { shoal } = ctx;
  const octopusOnly = { octopus: 'only' } as const;
  const answer = (h: OctopusHandler) => (req: Parameters<OctopusHandler>[0], reply: Parameters<OctopusHandler>[1]) => answerOctopus(h, req, reply);

  app.get(e.listSpaces.url, { schema: endpointSchema(e.listSpaces), config: { access: 'read', ...octopusOnly } }, answer(async (req) => {
    const q = octopusQuery(req);
    const ids = q.list('ids');
    const spaces = (await listSpaces(shoal)).filter((s) => matchesIds(s.id, ids) && matchesPartialName(s.name, q.get('partialName')));
    return collection('Space', pageOf(spaces.map(toOctopusSpace), q), q, '/api/spaces');
  }));

  app.get(e.allSpaces.url, { schema: endpointSchema(e.allSpaces), config: { access: 'read', ...octopusOnly } }, answer(async () =>
    (await listSpaces(shoal)).map(toOctopusSpace),
  ));

  app.post(e.createRelease.url, { schema: endpointSchema(e.createRelease), config: { access: 'deploy', ...octopusOnly } }, answer(createReleaseV1(ctx)));
  app.get(e.projectRelease.url, { schema: endpointSchema(e.projectRelease), config: { access: 'read', ...octopusOnly } }, answer(projectReleaseByVersion(ctx)));
  app.post(e.createDeployment.url, { schema: endpointSchema(e.createDeployment), config: { access: 'deploy', ...octopusOnly } }, answer(createDeploymentV1(ctx)));
  app.post(e.createTenantedDeployment.url, { schema: endpointSchema(e.createTenantedDeployment), config: { access: 'deploy', ...octopusOnly } }, answer(createTenantedDeploymentV1));
  app.post(e.createRunbookRun.url, { schema: endpointSchema(e.createRunbookRun), config: { access: 'deploy', ...octopusOnly } }, answer(createRunbookRunV1(ctx)));
  app.get(e.listRunbookRuns.url, { schema: endpointSchema(e.listRunbookRuns), config: { access: 'read', ...octopusOnly } }, answer(listRunbookRunsOctopus(ctx)));
  app.get(e.environmentsV2.url, { schema: endpointSchema(e.environmentsV2), config: { access: 'read', ...octopusOnly } }, answer(listEnvironmentsOctopus(ctx)));
  app.get(e.spaceTasks.url, { schema: endpointSchema(e.spaceTasks), config: { access: 'read', ...octopusOnly } }, answer(listTasksOctopus(ctx)));
  app.get(e.spaceTask.url, { schema: endpointSchema(e.spaceTask), config: { access: 'read', ...octopusOnly } }, answer(getTaskOctopus(ctx)));
  app.get(e.spaceTaskDetails.url, { schema: endpointSchema(e.spaceTaskDetails), config: { access: 'read', ...octopusOnly } }, answer(taskDetailsOctopus(ctx)));
  app.get(e.taskRaw.url, { schema: endpointSchema(e.taskRaw), config: { access: 'read', ...octopusOnly } }, answer(taskRawOctopus(ctx)));
  app.get(e.spaceTaskRaw.url, { schema: endpointSchema(e.spaceTaskRaw), config: { access: 'read', ...octopusOnly } }, answer(taskRawOctopus(ctx)));
  app.post(e.cancelSpaceTask.url, { schema: endpointSchema(e.cancelSpaceTask), config: { access: 'authenticated', ...octopusOnly } }, answer(cancelTaskOctopus(ctx)));

  // Shared with Octopus's clients (see octopusShared): this is the native answer.
  app.get(e.spaceRoot.url, { schema: endpointSchema(e.spaceRoot), config: { access: 'read' } }, async (req) =>
    toNativeSpaceRoot(await requireSpaceRow(shoal, req.params.spaceId)),
  );
};

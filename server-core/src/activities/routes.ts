import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { NodeContext } from '../nodeContext.js';
import { notFound } from '../api/errors.js';
import { withErrors } from '../contract/common.js';
import { TaskDetails, TaskDetailsQuery } from '../contract/releases.js';
import { getTask } from '../queue/list.js';
import { parseTaskId } from '../queue/taskRecord.js';
import { taskDetails } from './taskDetails.js';

const TaskParams = Type.Object({ id: Type.String({ maxLength: 40 }) });

/** The log of any task as a tree of activities (deployments and runbook runs have steps). */
export const activityRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  app.get(
    '/api/tasks/:id/details',
    { schema: { params: TaskParams, querystring: TaskDetailsQuery, response: withErrors({ 200: TaskDetails }) }, config: { access: 'read' } },
    async (req) => {
      const n = parseTaskId(req.params.id);
      const task = n === undefined ? undefined : await getTask(ctx.shoal, n);
      if (!task) throw notFound(`There is no task ${req.params.id}.`);
      return taskDetails(ctx.shoal, task, ctx.config.storage.taskLogs, req.query.tail);
    },
  );
};

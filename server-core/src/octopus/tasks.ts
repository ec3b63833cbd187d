import type { NodeContext } from '../nodeContext.js';
import { getTask, listTasks } from '../queue/list.js';
import { parseTaskId, toTaskResource } from '../queue/taskRecord.js';
import { requireSpace } from '../resources/space.js';
import { cancelTask, requireTask } from '../tasks/service.js';
import { collection } from './collection.js';
import type { OctopusHandler } from './dialect.js';
import { octopusQuery } from './query.js';
import { toOctopusTask } from './resources.js';

type TaskParams = { spaceId?: string; id: string };

/**
 * `GET /api/tasks` and `/api/{spaceId}/tasks` to an Octopus client. With `ids` (comma-joined or
 * repeated), those tasks whatever `skip` says: the TS waiter sends `skip=300` with its second
 * batch of ids. Shoal's tasks all belong to the default space.
 */
export function listTasksOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId } = req.params as Partial<TaskParams>;
    if (spaceId) await requireSpace(ctx.shoal, spaceId);
    const q = octopusQuery(req);
    const path = spaceId ? `/api/${spaceId}/tasks` : '/api/tasks';
    const ids = q.list('ids');
    if (ids) {
      const rows = await Promise.all([...new Set(ids.map(parseTaskId).filter((n) => n !== undefined))].map((n) => getTask(ctx.shoal, n)));
      const items = rows.filter((r) => r !== undefined).map((r) => toOctopusTask(toTaskResource(r)));
      return collection('Task', { items, total: items.length }, q, path);
    }
    const { items, total } = await listTasks(ctx.shoal, { take: q.take, skip: q.skip });
    return collection('Task', { items: items.map((r) => toOctopusTask(toTaskResource(r))), total }, q, path);
  };
}

export function getTaskOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId, id } = req.params as TaskParams;
    if (spaceId) await requireSpace(ctx.shoal, spaceId);
    return toOctopusTask(toTaskResource(await requireTask(ctx.shoal, id)));
  };
}

/** `POST /api/tasks/{id}/cancel` (TS, body `{}`) and `/api/spaces/{spaceId}/tasks/{id}/cancel` (Go, no body): Shoal's cancel and its rules. */
export function cancelTaskOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const { spaceId, id } = req.params as TaskParams;
    if (spaceId) await requireSpace(ctx.shoal, spaceId);
    const before = await requireTask(ctx.shoal, id);
    return toOctopusTask(await cancelTask(ctx, before, req.user!.username, req.principal!.permissions, req.ip));
  };
}

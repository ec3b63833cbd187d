import type { NodeContext } from '../nodeContext.js';
import { recordEvent } from '../audit/events.js';
import type { NewTask, Task } from '../contract/tasks.js';
import { badRequest, forbidden, notFound } from '../api/errors.js';
import type { Permissions } from '../auth/permissions.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import type { TaskKind } from '../executor/taskKind.js';
import { getTask } from '../queue/list.js';
import { requestCancel } from '../queue/cancel.js';
import { enqueueTask } from '../queue/enqueue.js';
import { isFinal } from '../queue/states.js';
import { parseTaskId, taskId, toTaskResource, type TaskRow } from '../queue/taskRecord.js';

/** The task a route names (`ServerTasks-12`), or 404. */
export async function requireTask(shoal: ShoalDb, id: string): Promise<TaskRow> {
  const n = parseTaskId(id);
  const row = n === undefined ? undefined : await getTask(shoal, n);
  if (!row) throw notFound(`There is no task ${id}.`);
  return row;
}

/** Queues a task of `kind` (arguments validated by the kind), records it, wakes the nodes. */
export async function queueTask(ctx: NodeContext, kind: TaskKind, body: NewTask, username: string, clientIp: string): Promise<Task> {
  const args = body.arguments ?? {};
  const parsed = kind.parseArguments(args);
  if ('error' in parsed) throw badRequest(parsed.error);
  const row = await enqueueTask(ctx.shoal, {
    kind: kind.name,
    description: body.description || parsed.description,
    arguments: args,
    concurrencyTag: body.concurrencyTag ?? parsed.concurrencyTag ?? null,
    createdBy: username,
    expiryMs: ctx.config.queueExpiryMs,
  });
  ctx.executor.queueChanged();
  const task = toTaskResource(row);
  await recordEvent(ctx.shoal, { username, action: 'task.create', target: task.id, details: { kind: kind.name }, clientIp });
  return task;
}

/**
 * Cancels a task: a queued one ends at once, a running one is stopped by its node. Its
 * creator may, anyone with administrator rights, or whoever the task's kind also allows
 * (a deployment: whoever may deploy to its environment).
 */
export async function cancelTask(ctx: NodeContext, before: TaskRow, username: string, permissions: Permissions, clientIp: string): Promise<Task> {
  const mayCancel =
    before.created_by === username ||
    permissions.isAdmin ||
    !!(await ctx.kinds.get(before.kind)?.mayCancel?.(ctx.shoal, Number(before.id), permissions));
  if (!mayCancel) throw forbidden(`Only ${before.created_by ?? 'its creator'} or an administrator may cancel ${taskId(Number(before.id))}.`);
  if (isFinal(before.state)) return toTaskResource(before);
  const reason = `Canceled by ${username}.`;
  const after = (await requestCancel(ctx.shoal, Number(before.id), reason))!;
  if (after.state === 'Cancelling') ctx.executor.cancelLocal(Number(after.id), reason);
  await recordEvent(ctx.shoal, { username, action: 'task.cancel', target: taskId(Number(after.id)), clientIp });
  return toTaskResource(after);
}

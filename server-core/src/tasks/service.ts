import type { NodeContext } from '../nodeContext.js';
import { recordEvent } from '../audit/events.js';
import type { NewTask, Task } from '../contract/tasks.js';
import { badRequest } from '../api/errors.js';
import type { TaskKind } from '../executor/taskKind.js';
import { requestCancel } from '../queue/cancel.js';
import { enqueueTask } from '../queue/enqueue.js';
import { isFinal } from '../queue/states.js';
import { taskId, toTaskResource, type TaskRow } from '../queue/taskRecord.js';

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

/** Cancels a task: a queued one ends at once, a running one is stopped by its node. */
export async function cancelTask(ctx: NodeContext, before: TaskRow, username: string, clientIp: string): Promise<Task> {
  if (isFinal(before.state)) return toTaskResource(before);
  const reason = `Canceled by ${username}.`;
  const after = (await requestCancel(ctx.shoal, Number(before.id), reason))!;
  if (after.state === 'Cancelling') ctx.executor.cancelLocal(Number(after.id), reason);
  await recordEvent(ctx.shoal, { username, action: 'task.cancel', target: taskId(Number(after.id)), clientIp });
  return toTaskResource(after);
}

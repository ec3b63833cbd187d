import type { TaskDetails } from '../contract/activities.js';
import { taskDetails } from '../activities/taskDetails.js';
import { readLog } from '../logs/logStream.js';
import { openTaskLog } from '../logs/taskLogSource.js';
import type { NodeContext } from '../nodeContext.js';
import { isFinal } from '../queue/states.js';
import { toTaskResource } from '../queue/taskRecord.js';
import { requireSpace } from '../resources/space.js';
import { requireTask } from '../tasks/service.js';
import type { OctopusHandler } from './dialect.js';
import { octopusQuery } from './query.js';
import { toOctopusTask } from './resources.js';

type TaskParams = { spaceId?: string; id: string };
type Line = TaskDetails['lines'][number];
type Activity = Omit<TaskDetails['activities'][number], 'children'> & { children?: Activity[] };

const CATEGORY: Record<string, string> = { INFO: 'Info', WARN: 'Warning', ERROR: 'Error' };
/** Octopus's activity status of a task state. */
const STATUS: Record<string, string> = { Queued: 'Pending', Executing: 'Running', Cancelling: 'Running', TimedOut: 'Failed' };

const logElements = (lines: Line[]) => lines.map((l) => ({ Category: CATEGORY[l.level] ?? 'Info', MessageText: l.text, OccurredAt: l.time }));

const activityLog = (a: Activity): Record<string, unknown> => ({
  Id: a.id,
  Name: a.name,
  Status: a.state,
  Started: a.startedAt,
  Ended: a.endedAt,
  ShowAtSummaryLevel: true,
  LogElements: logElements(a.lines),
  Children: (a.children ?? []).map(activityLog),
});

async function loadTask(ctx: NodeContext, params: TaskParams) {
  if (params.spaceId) await requireSpace(ctx.shoal, params.spaceId);
  return requireTask(ctx.shoal, params.id);
}

/**
 * `GET /api/tasks/{id}/details` to an Octopus client (the Go CLI's `task wait --progress`), and
 * `/api/{spaceId}/tasks/{id}/details`: `{Task, ActivityLogs}` from Shoal's log tree; the one root
 * activity is the task, its children the steps, theirs where each step ran.
 */
export function taskDetailsOctopus(ctx: NodeContext): OctopusHandler {
  return async (req) => {
    const row = await loadTask(ctx, req.params as TaskParams);
    const tail = Math.min(100_000, Number(octopusQuery(req).get('tail') ?? 2000) || 2000);
    const d = await taskDetails(ctx.shoal, row, ctx.config.storage.taskLogs, tail);
    const root = {
      Id: `${d.taskId}-root`,
      Name: row.description,
      Status: STATUS[d.state] ?? d.state,
      Started: d.startTime,
      Ended: d.completedTime,
      ShowAtSummaryLevel: true,
      LogElements: logElements(d.lines),
      Children: d.activities.map(activityLog),
    };
    return { Task: toOctopusTask(toTaskResource(row)), ActivityLogs: [root], Progress: { ProgressPercentage: isFinal(row.state) ? 100 : 0, EstimatedTimeRemaining: '' } };
  };
}

/** `GET /api/tasks/{id}/raw` and `/api/{spaceId}/tasks/{id}/raw`: the whole log as plain text. */
export function taskRawOctopus(ctx: NodeContext): OctopusHandler {
  return async (req, reply) => {
    const row = await loadTask(ctx, req.params as TaskParams);
    const log = readLog(await openTaskLog(ctx.config.storage.taskLogs, row));
    return reply.type('text/plain; charset=utf-8').send(log ?? '');
  };
}

import type { TaskDetails } from '../contract/activities.js';
import type { ShoalDb } from '../db/dialects/dialect.js';
import { endOfLog } from '../logs/taskLog.js';
import { taskLogText } from '../logs/taskLogSource.js';
import { isFinal } from '../queue/states.js';
import { taskId, type TaskRow } from '../queue/taskRecord.js';
import { formatId, iso } from '../resources/ids.js';
import { activitiesOfTask, type ActivityRow } from './activityRecords.js';
import { parseLogLine } from './logTags.js';

type Line = { time: string | null; level: string; text: string };

/** The last `tail` of `lines`, with how many were left out. */
const lastOf = (lines: Line[], tail: number) => ({ lines: lines.slice(Math.max(0, lines.length - tail)), omittedLines: Math.max(0, lines.length - tail) });

/**
 * An activity the task no longer works on shows how the task ended: a node killed mid-step
 * leaves its activities Running in the database, but they ended with the task.
 */
function stateOf(a: ActivityRow, task: TaskRow): string {
  if (!isFinal(task.state) || !['Running', 'Pending'].includes(a.state)) return a.state;
  if (a.state === 'Pending') return task.state === 'Success' ? 'Skipped' : 'Canceled';
  return task.state === 'Success' ? 'Success' : task.state === 'Canceled' ? 'Canceled' : 'Failed';
}

const duration = (start: number | null, end: number | null, now: number): number | null => (start == null ? null : Math.max(0, Number(end ?? now) - Number(start)));

/**
 * The log of a task as a tree: steps, the server or targets under each, their lines, state
 * and duration. Built from the activities table and the log's tagged lines, so any node
 * can answer it while the task runs elsewhere.
 */
export async function taskDetails(shoal: ShoalDb, task: TaskRow, taskLogsDir: string, tail: number): Promise<TaskDetails> {
  const name = taskId(Number(task.id));
  const activities = await activitiesOfTask(shoal, Number(task.id));
  const text = await taskLogText(taskLogsDir, task);
  const byActivity = new Map<number, Line[]>();
  const own: Line[] = [];
  for (const raw of text.split('\n')) {
    // The final line marks the log complete for readers; the tree shows the state instead.
    if (!raw || endOfLog(raw) !== undefined) continue;
    const l = parseLogLine(raw);
    const line = { time: l.time, level: l.level, text: l.text };
    const bucket = l.activityId !== null && activities.some((a) => Number(a.id) === l.activityId) ? byActivity.get(l.activityId) ?? byActivity.set(l.activityId, []).get(l.activityId)! : own;
    bucket.push(line);
  }
  const now = Date.now();
  const view = (a: ActivityRow) => ({
    id: formatId('activity', a.id),
    name: a.name,
    kind: a.kind,
    state: stateOf(a, task),
    startedAt: iso(a.started_at),
    endedAt: iso(a.ended_at ?? (isFinal(task.state) && a.started_at != null ? task.completed_time : null)),
    durationMs: duration(a.started_at, a.ended_at ?? (isFinal(task.state) ? task.completed_time : null), now),
    ...lastOf(byActivity.get(Number(a.id)) ?? [], tail),
  });
  const steps = activities.filter((a) => a.parent_id == null);
  return {
    taskId: name,
    state: task.state,
    nodeName: task.node_name,
    startTime: iso(task.start_time),
    completedTime: iso(task.completed_time),
    durationMs: duration(task.start_time, task.completed_time, now),
    errorMessage: task.error_message,
    ...lastOf(own, tail),
    activities: steps.map((s) => ({ ...view(s), children: activities.filter((c) => Number(c.parent_id) === Number(s.id)).map(view) })),
  };
}

import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';
import { TaskParams } from './tasks.js';

/** The log of a task as a tree of activities: deployments and runbook runs have steps, each with the places it ran. */

export const LogLine = Type.Object(
  { time: Nullable(Type.String()), level: Type.String(), text: Type.String() },
  { additionalProperties: false },
);

const activityFields = {
  id: Type.String(),
  name: Type.String(),
  kind: Type.String({ description: 'Step, Server or Target.' }),
  state: Type.String({ description: 'Pending, Running, Success, Failed, Skipped, Canceled.' }),
  startedAt: Nullable(Timestamp),
  endedAt: Nullable(Timestamp),
  durationMs: Nullable(Type.Integer()),
  lines: Type.Array(LogLine),
  omittedLines: Type.Integer({ description: 'Older lines left out (the full log is at /api/tasks/{id}/log).' }),
};
export const LeafActivity = Type.Object(activityFields, { additionalProperties: false });
export const StepActivity = Type.Object({ ...activityFields, children: Type.Array(LeafActivity) }, { additionalProperties: false });

export const TaskDetails = Type.Object(
  {
    taskId: Type.String(),
    state: Type.String(),
    nodeName: Nullable(Type.String()),
    startTime: Nullable(Timestamp),
    completedTime: Nullable(Timestamp),
    durationMs: Nullable(Type.Integer()),
    errorMessage: Nullable(Type.String()),
    lines: Type.Array(LogLine, { description: "The task's own lines (start, end, errors), outside any step." }),
    omittedLines: Type.Integer(),
    activities: Type.Array(StepActivity),
  },
  { additionalProperties: false },
);
export type TaskDetails = Static<typeof TaskDetails>;
export const TaskDetailsQuery = Type.Object(
  { tail: Type.Integer({ minimum: 0, maximum: 100_000, default: 2000, description: 'Most lines kept per node of the tree.' }) },
  { additionalProperties: false },
);

export const activityEndpoints = {
  taskDetails: endpoint({
    method: 'GET',
    url: '/api/tasks/:id/details',
    summary: "A task's log as a tree: step, then server or target, then lines, each with its state and duration.",
    params: TaskParams,
    querystring: TaskDetailsQuery,
    response: { 200: TaskDetails },
  }),
};

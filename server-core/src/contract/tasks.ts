import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Page, PagingFields, Timestamp } from './common.js';
import { endpoint } from './endpoint.js';

export const TASK_STATES = ['Queued', 'Executing', 'Cancelling', 'Success', 'Failed', 'Canceled', 'TimedOut'] as const;
export const TaskState = Type.Union(TASK_STATES.map((s) => Type.Literal(s)));
export type TaskState = Static<typeof TaskState>;

export const FINAL_TASK_STATES: readonly TaskState[] = ['Success', 'Failed', 'Canceled', 'TimedOut'];
export const isFinalTaskState = (s: string): boolean => (FINAL_TASK_STATES as readonly string[]).includes(s);

export const Task = Type.Object(
  {
    id: Type.String({ description: 'ServerTasks-<n>' }),
    kind: Type.String(),
    description: Type.String(),
    state: TaskState,
    nodeName: Nullable(Type.String()),
    concurrencyTag: Nullable(Type.String()),
    queueTime: Timestamp,
    startTime: Nullable(Timestamp),
    completedTime: Nullable(Timestamp),
    errorMessage: Nullable(Type.String()),
    createdBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type Task = Static<typeof Task>;

export const TaskPage = Page(Task);
export const TaskList = Type.Array(Task);
export type TaskPage = Static<typeof TaskPage>;

export const NewTask = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 100, description: 'AdHocScript, SystemIntegrityCheck, PackageReindex, …' }),
    arguments: Type.Optional(Type.Object({}, { additionalProperties: true, description: "The kind's own arguments." })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    concurrencyTag: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 400 }))),
  },
  { additionalProperties: false },
);
export type NewTask = Static<typeof NewTask>;

export const SCRIPT_SYNTAXES = ['bash', 'sh', 'powershell'] as const;
export type ScriptSyntax = (typeof SCRIPT_SYNTAXES)[number];

export const TaskQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 200, description: 'Comma-separated task states.' })),
    node: Type.Optional(Type.String({ maxLength: 200 })),
    ...PagingFields,
  },
  { additionalProperties: false },
);
export type TaskQuery = Static<typeof TaskQuery>;

export const TaskParams = Type.Object({ id: Type.String({ maxLength: 40 }) });

export const TaskLogText = Type.String({
  description:
    'text/plain: one line per log line, the last `<time> END   <state>` once the task ended; `Range: bytes=A-B` answers 206 with those bytes. With `Accept: text/event-stream`, Server-Sent Events instead: one `data` event per line (id: the byte offset after it, for Last-Event-ID), then `event: end` with {"state"}.',
});
/** Where a live log resumes, for clients that cannot send Last-Event-ID (a new EventSource). */
export const TaskLogQuery = Type.Object(
  { from: Type.Optional(Type.String({ pattern: '^\\d{1,15}$', description: 'Byte offset to resume after (an event id).' })) },
  { additionalProperties: false },
);

export const Artifact = Type.Object(
  {
    name: Type.String({ description: "Relative to the task's artifacts folder, with / separators." }),
    sizeBytes: Type.Integer(),
    modified: Timestamp,
    links: Type.Object({ raw: Type.String() }),
  },
  { additionalProperties: false },
);
export const ArtifactList = Page(Artifact);
export type Artifact = Static<typeof Artifact>;
export const ArtifactParams = Type.Object({ id: Type.String({ maxLength: 40 }), '*': Type.String({ maxLength: 1000 }) });
export const FileDownload = Type.String({ description: 'The file (application/octet-stream; Range requests answer 206).' });

export const taskEndpoints = {
  createTask: endpoint({ method: 'POST', url: '/api/tasks', summary: 'Queue a task.', body: NewTask, response: { 201: Task } }),
  listTasks: endpoint({ method: 'GET', url: '/api/tasks', summary: 'Tasks, newest first.', querystring: TaskQuery, response: { 200: TaskPage } }),
  getTask: endpoint({ method: 'GET', url: '/api/tasks/:id', summary: 'One task.', params: TaskParams, response: { 200: Task } }),
  cancelTask: endpoint({
    method: 'POST',
    url: '/api/tasks/:id/cancel',
    summary: "Cancel a task: your own, anyone's as an administrator, a deployment or runbook run as one who may run it there.",
    params: TaskParams,
    response: { 200: Task },
  }),
  taskLog: endpoint({
    method: 'GET',
    url: '/api/tasks/:id/log',
    summary: "A task's log, whole or followed live.",
    params: TaskParams,
    querystring: TaskLogQuery,
    response: { 200: TaskLogText },
  }),
  listArtifacts: endpoint({ method: 'GET', url: '/api/tasks/:id/artifacts', summary: 'Files a task attached.', params: TaskParams, response: { 200: ArtifactList } }),
  getArtifact: endpoint({ method: 'GET', url: '/api/tasks/:id/artifacts/*', summary: 'One attached file.', params: ArtifactParams, response: { 200: FileDownload } }),
};

/**
 * Calls between the nodes of one cluster, with the credential derived from the master key
 * (access `node`); users are refused. Not in the OpenAPI document: no client calls them.
 */
export const internalEndpoints = {
  relayTaskLog: endpoint({
    method: 'GET',
    url: '/api/internal/tasks/:id/log',
    summary: "A task's log as the node running it has it, for another node that relays it (never relayed again).",
    params: TaskParams,
    querystring: TaskLogQuery,
    response: { 200: TaskLogText },
  }),
};

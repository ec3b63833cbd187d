import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordEvent } from '../../audit/events.js';
import { FollowerLimit } from '../../logs/followerLimit.js';
import { claimedTask, fetchRelayedLog, originNodeUrl, pipeRelayedEvents, relayedBody } from '../../logs/logRelay.js';
import { keepAlive, parseLogRange, readLogFile, streamTaskLog, writeEventStreamHead } from '../../logs/logStream.js';
import { taskLogPath } from '../../logs/taskLog.js';
import { requestCancel } from '../../queue/cancel.js';
import { enqueueTask } from '../../queue/enqueue.js';
import { getTask, listTasks } from '../../queue/list.js';
import { isFinal, TASK_STATES } from '../../queue/states.js';
import { parseTaskId, taskId, toTaskResource } from '../../queue/taskRecord.js';
import { permissionMessage } from '../auth.js';
import type { NodeContext } from '../context.js';
import { badRequest, forbidden, notFound, tooManyRequests } from '../errors.js';

const NewTaskBody = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 100 }),
    arguments: Type.Optional(Type.Object({}, { additionalProperties: true })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    concurrencyTag: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 400 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const TaskQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 200 })),
    node: Type.Optional(Type.String({ maxLength: 200 })),
    take: Type.Integer({ minimum: 1, maximum: 500, default: 30 }),
    skip: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
const TaskParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
/** `from`: the byte offset to resume a live log from, for clients that cannot send Last-Event-ID. */
const LogQuery = Type.Object({ from: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })) }, { additionalProperties: false });

function parseStates(state: string | undefined): string[] | undefined {
  if (!state) return undefined;
  const states = state.split(',').map((s) => s.trim());
  const bad = states.find((s) => !(TASK_STATES as readonly string[]).includes(s));
  if (bad !== undefined) throw badRequest(`query.state: "${bad}" is not a task state (${TASK_STATES.join(', ')})`);
  return states;
}

const resumeOffset = (header: string | string[] | undefined): number => {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^\d{1,15}$/.test(v) ? Number(v) : 0;
};

export function taskRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const numericId = (id: string): number => {
    const n = parseTaskId(id);
    if (n === undefined) throw notFound(`There is no task ${id}.`);
    return n;
  };
  const loadTask = async (id: string) => {
    const row = await getTask(ctx.shoal, numericId(id));
    if (!row) throw notFound(`There is no task ${id}.`);
    return row;
  };

  app.post<{ Body: Static<typeof NewTaskBody> }>('/api/tasks', { schema: { body: NewTaskBody }, config: { access: 'authenticated' } }, async (req, reply) => {
    const { kind: kindName, arguments: args = {}, description, concurrencyTag } = req.body;
    const kind = ctx.kinds.get(kindName);
    if (!kind) throw badRequest(`kind: "${kindName}" is not a task kind this server runs (${[...ctx.kinds.keys()].join(', ')})`);
    if (!req.principal!.permissions.has(kind.permission)) throw forbidden(`Queuing ${kindName} tasks: ${permissionMessage(kind.permission)}`);
    const parsed = kind.parseArguments(args);
    if ('error' in parsed) throw badRequest(parsed.error);
    const row = await enqueueTask(ctx.shoal, {
      kind: kindName,
      description: description || parsed.description,
      arguments: args,
      concurrencyTag: concurrencyTag ?? parsed.concurrencyTag ?? null,
      createdBy: req.user!.username,
      expiryMs: ctx.config.queueExpiryMs,
    });
    ctx.executor.queueChanged();
    const task = toTaskResource(row);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'task.create', target: task.id, details: { kind: kindName }, clientIp: req.ip });
    return reply.status(201).send(task);
  });

  app.get<{ Querystring: Static<typeof TaskQuery> }>('/api/tasks', { schema: { querystring: TaskQuery }, config: { access: 'read' } }, async (req) => {
    const { items, total } = await listTasks(ctx.shoal, {
      states: parseStates(req.query.state),
      nodeName: req.query.node,
      take: req.query.take,
      skip: req.query.skip,
    });
    return { items: items.map(toTaskResource), total };
  });

  app.get<{ Params: Static<typeof TaskParams> }>('/api/tasks/:id', { schema: { params: TaskParams }, config: { access: 'read' } }, async (req) =>
    toTaskResource(await loadTask(req.params.id)),
  );

  app.post<{ Params: Static<typeof TaskParams> }>('/api/tasks/:id/cancel', { schema: { params: TaskParams }, config: { access: 'authenticated' } }, async (req) => {
    const before = await loadTask(req.params.id);
    // Your own task, or anyone's with administrator rights.
    const mayCancel = before.created_by === req.user!.username || req.principal!.permissions.isAdmin;
    if (!mayCancel) throw forbidden(`Only ${before.created_by ?? 'its creator'} or an administrator may cancel ${taskId(Number(before.id))}.`);
    if (isFinal(before.state)) return toTaskResource(before);
    const reason = `Canceled by ${req.user!.username}.`;
    const after = (await requestCancel(ctx.shoal, Number(before.id), reason))!;
    if (after.state === 'Cancelling') ctx.executor.cancelLocal(Number(after.id), reason);
    await recordEvent(ctx.shoal, { username: req.user!.username, action: 'task.cancel', target: taskId(Number(after.id)), clientIp: req.ip });
    return toTaskResource(after);
  });

  const followers = new FollowerLimit();

  /**
   * The log, live (SSE) or whole. A task of another online node is relayed from that node
   * (`relay`), whose own mount has every line it wrote; otherwise it is read from the share.
   */
  type LogRequest = FastifyRequest<{ Params: Static<typeof TaskParams>; Querystring: Static<typeof LogQuery> }>;
  const serveLog = async (req: LogRequest, reply: FastifyReply, relay: boolean) => {
    const queued = await loadTask(req.params.id);
    const name = taskId(Number(queued.id));
    const file = taskLogPath(ctx.config.storage.taskLogs, name);
    const abort = new AbortController();
    req.raw.on('close', () => abort.abort());
    const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : req.query.from;
    const range = parseLogRange(req.headers.range);
    const relayFrom = async (row: { node_name: string | null }, live: boolean) => {
      const origin = relay ? await originNodeUrl(ctx.shoal, row.node_name, ctx.config.nodeName) : undefined;
      return origin ? fetchRelayedLog({ origin, taskName: name, live, lastEventId, range: req.headers.range, credential: ctx.nodeCredential, signal: abort.signal }) : undefined;
    };

    if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
      const relayed = await relayFrom(queued, false);
      reply.type('text/plain; charset=utf-8');
      if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/*`);
      return reply.send(relayed ? relayedBody(relayed) : ((await readLogFile(file, range)) ?? ''));
    }
    const release = followers.enter();
    if (!release) throw tooManyRequests(`This node already streams ${followers.max} live logs; try again shortly or read the log without following it.`, 5000);
    // A hijacked answer skips the onSend hooks: name the node here (load-balancer users read it).
    const headers = { ...reply.getHeaders(), 'x-shoal-node': ctx.config.nodeName, 'x-content-type-options': 'nosniff' };
    reply.hijack();
    const res = reply.raw;
    writeEventStreamHead(res, headers);
    try {
      const stopKeepAlive = keepAlive(res);
      const row = await claimedTask(() => getTask(ctx.shoal, Number(queued.id)), abort.signal).finally(stopKeepAlive);
      if (!row) return;
      const relayed = await relayFrom(row, true);
      if (relayed) return await pipeRelayedEvents(res, relayed);
      await streamTaskLog(res, {
        file,
        signal: abort.signal,
        startOffset: resumeOffset(lastEventId),
        finalState: async () => {
          const t = await getTask(ctx.shoal, Number(row.id));
          return !t ? row.state : isFinal(t.state) ? t.state : null;
        },
      });
    } catch (err) {
      req.log.warn({ err }, 'log stream ended with an error');
    } finally {
      release();
      res.end();
    }
  };

  const logSchema = { params: TaskParams, querystring: LogQuery };
  app.get<{ Params: Static<typeof TaskParams>; Querystring: Static<typeof LogQuery> }>('/api/tasks/:id/log', { schema: logSchema, config: { access: 'read' } }, (req, reply) =>
    serveLog(req, reply, true),
  );
  // The same log for another node of the cluster that relays it: never relayed again.
  app.get<{ Params: Static<typeof TaskParams>; Querystring: Static<typeof LogQuery> }>('/api/internal/tasks/:id/log', { schema: logSchema, config: { access: 'node' } }, (req, reply) =>
    serveLog(req, reply, false),
  );
}

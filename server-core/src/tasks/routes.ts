import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { permissionMessage } from '../api/auth.js';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest, forbidden, tooManyRequests } from '../api/errors.js';
import { internalEndpoints, taskEndpoints as e, TASK_STATES, type TaskLogQuery, type TaskParams } from '../contract/tasks.js';
import { FollowerLimit } from '../logs/followerLimit.js';
import { claimedTask, fetchRelayedLog, originNodeUrl, pipeRelayedEvents, relayedBody } from '../logs/logRelay.js';
import { keepAlive, parseLogRange, readLog, streamTaskLog, writeEventStreamHead } from '../logs/logStream.js';
import { openTaskLog, taskLogFile } from '../logs/taskLogSource.js';
import { getTask, listTasks } from '../queue/list.js';
import { isFinal } from '../queue/states.js';
import { taskId, toTaskResource } from '../queue/taskRecord.js';
import { cancelTask, queueTask, requireTask } from './service.js';

function parseStates(state: string | undefined): string[] | undefined {
  if (!state) return undefined;
  const states = state.split(',').map((s) => s.trim());
  const bad = states.find((s) => !(TASK_STATES as readonly string[]).includes(s));
  if (bad !== undefined) throw badRequest(`query.state: "${bad}" is not a task state (${TASK_STATES.join(', ')})`);
  return states;
}

const resumeOffset = (v: string | undefined): number => (v && /^\d{1,15}$/.test(v) ? Number(v) : 0);

/** What serving a log reads of the request (the route's and the internal route's alike). */
type LogRequest = Pick<FastifyRequest, 'headers' | 'raw' | 'log'> & { params: Static<typeof TaskParams>; query: Static<typeof TaskLogQuery> };

/** The task queue: queue a task, list and read them, cancel one, follow its log. */
export const taskRoutes: FastifyPluginAsyncTypebox<{ ctx: NodeContext }> = async (app, { ctx }) => {
  const loadTask = (id: string) => requireTask(ctx.shoal, id);

  app.post(e.createTask.url, { schema: endpointSchema(e.createTask), config: { access: 'authenticated' } }, async (req, reply) => {
    const kind = ctx.kinds.get(req.body.kind);
    if (!kind) throw badRequest(`kind: "${req.body.kind}" is not a task kind this server runs (${[...ctx.kinds.keys()].join(', ')})`);
    if (!req.principal!.permissions.has(kind.permission)) throw forbidden(`Queuing ${req.body.kind} tasks: ${permissionMessage(kind.permission)}`);
    const task = await queueTask(ctx, kind, req.body, req.user!.username, req.ip);
    return reply.status(201).send(task);
  });

  app.get(e.listTasks.url, { schema: endpointSchema(e.listTasks), config: { access: 'read' } }, async (req) => {
    const { items, total } = await listTasks(ctx.shoal, { states: parseStates(req.query.state), nodeName: req.query.node, take: req.query.take, skip: req.query.skip });
    return { items: items.map(toTaskResource), total };
  });

  app.get(e.getTask.url, { schema: endpointSchema(e.getTask), config: { access: 'read' } }, async (req) =>
    toTaskResource(await loadTask(req.params.id)),
  );

  app.post(e.cancelTask.url, { schema: endpointSchema(e.cancelTask), config: { access: 'authenticated' } }, async (req) => {
    const before = await loadTask(req.params.id);
    return cancelTask(ctx, before, req.user!.username, req.principal!.permissions, req.ip);
  });

  const followers = new FollowerLimit();

  /**
   * The log, live (SSE) or whole. A task of another online node is relayed from that node
   * (`relay`), whose own mount has every line it wrote; otherwise it is read from the share.
   */
  const serveLog = async (req: LogRequest, reply: FastifyReply, relay: boolean) => {
    const queued = await loadTask(req.params.id);
    const name = taskId(Number(queued.id));
    const file = taskLogFile(ctx.config.storage.taskLogs, queued);
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
      // A stream is sent as it is; the typed reply only knows the schema's string.
      return (reply as FastifyReply).send(relayed ? relayedBody(relayed) : (readLog(await openTaskLog(ctx.config.storage.taskLogs, queued), range) ?? ''));
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
      let ended: Awaited<ReturnType<typeof getTask>>;
      await streamTaskLog(res, {
        file,
        signal: abort.signal,
        startOffset: resumeOffset(lastEventId),
        finalState: async () => {
          ended = await getTask(ctx.shoal, Number(row.id));
          return !ended ? row.state : isFinal(ended.state) ? ended.state : null;
        },
        // Asked right after finalState saw the task end: the row it read holds the log.
        storedWhole: async () => ended?.log_text ?? null,
      });
    } catch (err) {
      req.log.warn({ err }, 'log stream ended with an error');
    } finally {
      release();
      res.end();
    }
  };

  app.get(e.taskLog.url, { schema: endpointSchema(e.taskLog), config: { access: 'read' } }, (req, reply) => serveLog(req, reply, true));
  // The same log for another node of the cluster that relays it: never relayed again.
  app.get(internalEndpoints.relayTaskLog.url, { schema: { ...endpointSchema(internalEndpoints.relayTaskLog), hide: true }, config: { access: 'node' } }, (req, reply) =>
    serveLog(req, reply, false),
  );
};

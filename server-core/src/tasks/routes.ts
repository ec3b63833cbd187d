import fs from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { permissionMessage } from '../api/auth.js';
import type { NodeContext } from '../nodeContext.js';
import { endpointSchema } from '../api/endpointSchema.js';
import { badRequest, forbidden } from '../api/errors.js';
import { taskEndpoints as e, TASK_STATES } from '../contract/tasks.js';
import { followLog } from '../logs/followLog.js';
import { taskLogPath } from '../logs/taskLog.js';
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

const resumeOffset = (header: string | string[] | undefined): number => {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^\d{1,15}$/.test(v) ? Number(v) : 0;
};

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

  app.get(
    e.taskLog.url,
    { schema: endpointSchema(e.taskLog), config: { access: 'read' } },
    async (req, reply) => {
      const row = await loadTask(req.params.id);
      const file = taskLogPath(ctx.config.storage.taskLogs, taskId(Number(row.id)));
      if (!String(req.headers.accept ?? '').includes('text/event-stream')) {
        reply.type('text/plain; charset=utf-8');
        // A stream is sent as it is; the typed reply only knows the schema's string.
        return fs.existsSync(file) ? (reply as FastifyReply).send(fs.createReadStream(file)) : reply.send('');
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const abort = new AbortController();
      req.raw.on('close', () => abort.abort());
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15000);
      let finalState = row.state;
      try {
        await followLog({
          file,
          signal: abort.signal,
          // Each line carries its end offset as the event id, so a reconnecting EventSource
          // (Last-Event-ID) continues where it stopped instead of replaying the log.
          startOffset: resumeOffset(req.headers['last-event-id']),
          onLines: (lines) => res.write(lines.map((l) => `id: ${l.end}\ndata: ${l.text}\n\n`).join('')),
          isFinished: async () => {
            const t = await getTask(ctx.shoal, Number(row.id));
            finalState = t?.state ?? finalState;
            return !t || isFinal(t.state);
          },
        });
        if (!abort.signal.aborted) res.write(`event: end\ndata: ${JSON.stringify({ state: finalState })}\n\n`);
      } catch (err) {
        req.log.warn({ err }, 'log stream ended with an error');
      } finally {
        clearInterval(keepAlive);
        res.end();
      }
    },
  );
};

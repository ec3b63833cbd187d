import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { recordEvent } from '../../audit/events.js';
import { activeTasksOfNode } from '../../queue/list.js';
import { toTaskResource } from '../../queue/taskRecord.js';
import { clusterVersion } from '../../nodes/clusterVersion.js';
import { deleteOfflineNode, listNodes, nodeStatus, updateNode, type NodeWithLiveness } from '../../nodes/registry.js';
import { failoverTimings } from '../../nodes/leaseTimings.js';
import { parseStorageStatus } from '../../storage/verify.js';
import type { NodeContext } from '../context.js';
import { conflict, notFound } from '../errors.js';

const NodeParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });
const NodePatch = Type.Object(
  {
    taskCap: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    drain: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export function nodeResource(n: NodeWithLiveness, version: string) {
  return {
    name: n.name,
    status: nodeStatus(n, version),
    lastSeen: new Date(Number(n.last_seen)).toISOString(),
    taskCap: n.task_cap,
    runningTasks: n.running_tasks,
    drain: !!n.drain,
    version: n.version,
    url: n.url,
    /** What the node last found when it checked that it shares storage with the others. */
    storage: parseStorageStatus(n.storage_status),
  };
}

export function nodeRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const ping = async (_req: unknown, reply: any) => {
    const r = await ctx.ping.get();
    return reply.status(r.status).header('cache-control', 'no-store').send(r.body);
  };
  app.get('/api/nodes/ping', { config: { access: 'anonymous' } }, ping);
  app.get('/api/octopusservernodes/ping', { config: { access: 'anonymous' } }, ping);

  // The failure model's thresholds, so every client shows the cluster's, not its own guess.
  app.get('/api/configuration/failover', { config: { access: 'read' } }, async () => failoverTimings());

  const versionOfCluster = async () => (await clusterVersion(ctx.shoal)) ?? ctx.version;
  const oneNode = async (name: string) => {
    const [n] = await listNodes(ctx.shoal, name);
    if (!n) throw notFound(`There is no node named ${name}.`);
    return nodeResource(n, await versionOfCluster());
  };

  app.get('/api/nodes', { config: { access: 'read' } }, async () => {
    const version = await versionOfCluster();
    return (await listNodes(ctx.shoal)).map((n) => nodeResource(n, version));
  });

  app.get<{ Params: Static<typeof NodeParams> }>('/api/nodes/:name', { schema: { params: NodeParams }, config: { access: 'read' } }, async (req) => oneNode(req.params.name));

  app.delete<{ Params: Static<typeof NodeParams> }>(
    '/api/nodes/:name',
    { schema: { params: NodeParams }, config: { access: 'admin' } },
    async (req, reply) => {
      const node = await oneNode(req.params.name);
      // Offline is checked again inside the DELETE: a node that comes back meanwhile stays.
      if (node.status !== 'Offline' || (await deleteOfflineNode(ctx.shoal, node.name)) !== 'deleted') {
        throw conflict(`Node ${node.name} is ${node.status === 'Offline' ? 'back online' : node.status}; only an Offline node can be deleted.`);
      }
      await recordEvent(ctx.shoal, { username: req.user!.username, action: 'node.delete', target: node.name, clientIp: req.ip });
      return reply.status(204).send();
    },
  );

  app.patch<{ Params: Static<typeof NodeParams>; Body: Static<typeof NodePatch> }>(
    '/api/nodes/:name',
    { schema: { params: NodeParams, body: NodePatch }, config: { access: 'admin' } },
    async (req) => {
      const { name } = req.params;
      if (!(await updateNode(ctx.shoal, name, req.body))) throw notFound(`There is no node named ${name}.`);
      await recordEvent(ctx.shoal, { username: req.user!.username, action: 'node.update', target: name, details: req.body, clientIp: req.ip });
      if (name === ctx.config.nodeName) ctx.ping.invalidate();
      ctx.executor.queueChanged();
      return oneNode(name);
    },
  );

  app.get<{ Params: Static<typeof NodeParams> }>('/api/nodes/:name/tasks', { schema: { params: NodeParams }, config: { access: 'read' } }, async (req) => {
    await oneNode(req.params.name);
    return (await activeTasksOfNode(ctx.shoal, req.params.name)).map(toTaskResource);
  });
}
